package dev.bpfwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bpfwatch.testing.ConfigDir;
import dev.bpfwatch.testing.Loopback;
import dev.bpfwatch.testing.Promtool;
import dev.bpfwatch.testing.Scrape;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A `fixed` histogram reads its sum from the key after its last bucket key,
 * as ebpf_exporter does (the sum read key -1 and was always 0). The test
 * program writes payload sizes into exp2 buckets (100 bytes: 7, 1000 bytes:
 * 10) and their sum at key 17, so bucket_keys [7, 10, 16] make a fixed
 * histogram whose sum key is 17.
 */
class FixedHistogramTest {
    private static final int SMALL = 10;
    private static final int LARGE = 5;

    @TempDir
    Path dir;

    private static String config(int port) {
        return """
                metrics:
                  histograms:
                    - name: udp_drop_size_bytes
                      help: Payload sizes of dropped UDP packets
                      bucket_type: fixed
                      bucket_keys: [7, 10, 16]
                      bucket_multiplier: 1
                      labels:
                        - name: dport
                          size: 2
                          padding: 6
                          decoders:
                            - name: uint
                            - name: regexp
                              regexps:
                                - ^%d$
                        - name: bucket
                          size: 8
                          decoders:
                            - name: uint
                """.formatted(port);
    }

    @Test
    void sumComesFromTheKeyAfterTheLastBucketKey() {
        int port = Loopback.closedUdpPort();
        ConfigDir.with(dir, "fixed", "compat_udp", config(port));
        AgentOptions options = AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0)).withConfigs(dir, List.of());
        try (Agent agent = Agent.start(options, List.of())) {
            Loopback.sendUdp("127.0.0.1", port, SMALL, 100);
            Loopback.sendUdp("127.0.0.1", port, LARGE, 1000);
            String exposition = Scrape.metrics(agent.port());
            String name = "bpfwatch_udp_drop_size_bytes";
            String l = "dport=\"" + port + "\"";
            assertEquals(SMALL, Scrape.value(exposition, name + "_bucket", l + ",le=\"7\""), exposition);
            assertEquals(SMALL + LARGE, Scrape.value(exposition, name + "_bucket", l + ",le=\"10\""), exposition);
            assertEquals(SMALL + LARGE, Scrape.value(exposition, name + "_bucket", l + ",le=\"16\""), exposition);
            assertEquals(SMALL + LARGE, Scrape.value(exposition, name + "_bucket", l + ",le=\"+Inf\""), exposition);
            assertEquals(SMALL + LARGE, Scrape.value(exposition, name + "_count", l), exposition);
            assertEquals(SMALL * 100 + LARGE * 1000, Scrape.value(exposition, name + "_sum", l), exposition);
            assertEquals("", Promtool.checkMetrics(exposition));
        }
    }
}
