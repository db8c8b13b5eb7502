package dev.bpfwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.libbpf.Cpus;
import dev.bpfwatch.testing.ConfigDir;
import dev.bpfwatch.testing.Loopback;
import dev.bpfwatch.testing.Scrape;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A last label `cpu` without a size splits a per-CPU map; scrapers get OpenMetrics when they ask. */
class PerCpuAndNegotiationTest {
    @TempDir
    Path dir;

    @Test
    void cpuLabelSplitsPerCpuValuesAndOpenMetricsIsNegotiated() throws Exception {
        ConfigDir.with(dir, "percpu", "compat_udp", """
                metrics:
                  counters:
                    - name: udp_drops_percpu_total
                      help: drops per port and CPU
                      labels:
                        - name: dport
                          size: 2
                          decoders:
                            - name: uint
                        - name: cpu
                """);
        int port = Loopback.closedUdpPort();
        try (Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(dir, List.of()), List.of())) {
            Loopback.sendUdp("127.0.0.1", port, 40, 8);
            String e = Scrape.metrics(agent.port());
            double sum = 0;
            for (int cpu = 0; cpu < Cpus.possible(); cpu++) {
                String labels = "dport=\"" + port + "\",cpu=\"" + cpu + "\"";
                assertTrue(e.contains("bpfwatch_udp_drops_percpu_total{" + labels), "one series per CPU: " + e);
                sum += Scrape.value(e, "bpfwatch_udp_drops_percpu_total", labels);
            }
            assertEquals(40, sum, "the CPUs' shares add up to what was sent");

            HttpResponse<String> om = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + agent.port() + "/metrics"))
                    .header("Accept", "application/openmetrics-text; version=1.0.0").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(om.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"),
                    om.headers().toString());
            assertTrue(om.body().strip().endsWith("# EOF"), "OpenMetrics ends with # EOF");
            assertTrue(om.body().contains("# TYPE bpfwatch_udp_drops_percpu counter"), om.body());
        }
    }
}
