package dev.bpfwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.ConfigDir;
import dev.bpfwatch.testing.Loopback;
import dev.bpfwatch.testing.Promtool;
import dev.bpfwatch.testing.Scrape;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A config in ebpf_exporter's own format, unchanged, against a test program:
 * the series must be the ones ebpf_exporter gives (names with its prefix,
 * labels, values). UDP to a port nobody listens on makes exact counts.
 */
class EbpfExporterCompatTest {
    private static final int SMALL = 10;  // 100-byte payloads: bucket 7 (le 128)
    private static final int LARGE = 5;   // 1000-byte payloads: bucket 10 (le 1024)
    private static Agent agent;
    private static int port;
    private static String exposition;

    @TempDir
    static Path dir;

    static String config(int port) {
        return """
                metrics:
                  counters:
                    - name: udp_drops_total
                      help: UDP packets dropped for want of a socket
                      labels:
                        - name: daddr
                          size: 4
                          decoders:
                            - name: inet_ip
                        - name: dport
                          size: 2
                          decoders:
                            - name: uint
                        - name: proto
                          size: 1
                          padding: 1
                          decoders:
                            - name: uint
                            - name: static_map
                              static_map:
                                6: tcp
                                17: udp
                    - name: udp_drops_percpu_total
                      help: The same drops, counted per CPU and summed
                      labels:
                        - name: dport
                          size: 2
                          decoders:
                            - name: uint
                            - name: regexp
                              regexps:
                                - ^%d$
                  histograms:
                    - name: udp_drop_size_bytes
                      help: Payload sizes of dropped UDP packets
                      bucket_type: exp2
                      bucket_min: 0
                      bucket_max: 16
                      bucket_multiplier: 1
                      labels:
                        - name: dport
                          size: 2
                          padding: 6
                          decoders:
                            - name: uint
                        - name: bucket
                          size: 8
                          decoders:
                            - name: uint
                """.formatted(port);
    }

    @BeforeAll
    static void run() {
        port = Loopback.closedUdpPort();
        ConfigDir.with(dir, "compat", "compat_udp", config(port));
        AgentOptions options = AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(dir, List.of()).withNamespace("ebpf_exporter");
        agent = Agent.start(options, List.of());
        Loopback.sendUdp("127.0.0.1", port, SMALL, 100);
        Loopback.sendUdp("127.0.0.1", port, LARGE, 1000);
        Loopback.sendUdp("127.0.0.1", Loopback.closedUdpPort(), 3, 10); // another port: filtered by the regexp
        exposition = Scrape.metrics(agent.port());
    }

    @AfterAll
    static void stop() {
        agent.close();
    }

    @Test
    void countersCarryDecodedLabelsAndExactValues() {
        assertEquals(SMALL + LARGE, Scrape.value(exposition, "ebpf_exporter_udp_drops_total",
                "daddr=\"127.0.0.1\",dport=\"" + port + "\",proto=\"udp\""), exposition);
    }

    @Test
    void perCpuValuesAreSummedAndRegexpDropsOtherPorts() {
        assertEquals(SMALL + LARGE, Scrape.value(exposition, "ebpf_exporter_udp_drops_percpu_total",
                "dport=\"" + port + "\""), exposition);
        assertEquals(1, exposition.lines().filter(l -> l.startsWith("ebpf_exporter_udp_drops_percpu_total{")).count(),
                "only the port the regexp allows: " + exposition);
    }

    @Test
    void exp2HistogramIsCumulativeWithSumFromTheExtraBucket() {
        String name = "ebpf_exporter_udp_drop_size_bytes";
        String l = "dport=\"" + port + "\"";
        assertEquals(0, Scrape.value(exposition, name + "_bucket", l + ",le=\"64\""), exposition);
        assertEquals(SMALL, Scrape.value(exposition, name + "_bucket", l + ",le=\"128\""), exposition);
        assertEquals(SMALL, Scrape.value(exposition, name + "_bucket", l + ",le=\"512\""), exposition);
        assertEquals(SMALL + LARGE, Scrape.value(exposition, name + "_bucket", l + ",le=\"1024\""), exposition);
        assertEquals(SMALL + LARGE, Scrape.value(exposition, name + "_bucket", l + ",le=\"+Inf\""), exposition);
        assertEquals(SMALL + LARGE, Scrape.value(exposition, name + "_count", l), exposition);
        assertEquals(SMALL * 100 + LARGE * 1000, Scrape.value(exposition, name + "_sum", l), exposition);
        assertEquals(18, exposition.lines().filter(s -> s.startsWith(name + "_bucket{" + l)).count(),
                "buckets 0..16 and +Inf, every one present");
    }

    @Test
    void namesAreEbpfExportersAndPromtoolFindsNothingToSay() {
        assertFalse(exposition.contains("bpfwatch_udp_drops"), exposition);
        assertTrue(exposition.contains("# TYPE ebpf_exporter_udp_drop_size_bytes histogram"), exposition);
        assertEquals("", Promtool.checkMetrics(exposition));
    }
}
