package dev.bpfwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.ConfigDir;
import dev.bpfwatch.testing.Curl;
import dev.bpfwatch.testing.Loopback;
import dev.bpfwatch.testing.Scrape;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /maps with --debug: the raw map contents in ebpf_exporter's form (config
 * and map headings, one row per entry with its key bytes, decoded labels and
 * value), counted from real drops; without --debug there is no such page.
 */
class MapsEndpointTest {
    private static final int SENT = 4;

    @TempDir
    Path dir;

    @Test
    void debugServesEveryEntryWithKeyBytesLabelsAndValue() {
        int port = Loopback.closedUdpPort();
        ConfigDir.with(dir, "compat", "compat_udp", EbpfExporterCompatTest.config(port));
        try (Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(dir, List.of()).withDebug(true), List.of())) {
            Loopback.sendUdp("127.0.0.1", port, SENT, 100);
            String page = Scrape.get(agent.port(), "/maps");
            String lo = "0x" + Integer.toHexString(port & 0xff);
            String hi = "0x" + Integer.toHexString(port >> 8);
            // daddr (network order), dport (host order, x86: low byte first), proto 17, one byte padding
            String counterRow = "[]byte{0x7f, 0x0, 0x0, 0x1, " + lo + ", " + hi + ", 0x11, 0x0} (labels: [127.0.0.1 "
                    + port + " udp]) -> " + SENT + "\n";
            assertTrue(page.startsWith("## Config: compat\n\n"), page);
            assertTrue(page.contains("### Map: udp_drops_total\n\n```\n" + counterRow + "```\n\n"), page);
            // 100-byte payloads land in bucket 7; the bucket index is the last label.
            assertTrue(page.contains("[]byte{" + lo + ", " + hi + ", 0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x7, 0x0, 0x0, 0x0, "
                    + "0x0, 0x0, 0x0, 0x0} (labels: [" + port + " 7]) -> " + SENT + "\n"), page);
            // A per-CPU map: one row per possible CPU, the same key, values adding up to what was sent.
            String perCpuSection = page.substring(page.indexOf("### Map: udp_drops_percpu_total"));
            perCpuSection = perCpuSection.substring(0, perCpuSection.indexOf("```\n\n"));
            List<String> rows = perCpuSection.lines()
                    .filter(l -> l.startsWith("[]byte{" + lo + ", " + hi + "} (labels: [" + port + "]) -> ")).toList();
            assertEquals(dev.bpfwatch.libbpf.Cpus.possible(), rows.size(), perCpuSection);
            assertEquals(SENT, rows.stream().mapToInt(l -> Integer.parseInt(l.substring(l.lastIndexOf(' ') + 1))).sum(),
                    perCpuSection);
        }
    }

    @Test
    void withoutDebugThereIsNoMapsPage() {
        ConfigDir.with(dir, "compat", "compat_udp", EbpfExporterCompatTest.config(Loopback.closedUdpPort()));
        try (Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(dir, List.of()), List.of())) {
            assertEquals(404, Curl.get("http://127.0.0.1:" + agent.port() + "/maps").status());
        }
    }
}
