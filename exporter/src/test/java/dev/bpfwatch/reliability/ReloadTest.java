package dev.bpfwatch.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.agent.Agent;
import dev.bpfwatch.agent.AgentOptions;
import dev.bpfwatch.cli.BpfwatchCommand;
import dev.bpfwatch.testing.ConfigDir;
import dev.bpfwatch.testing.Loopback;
import dev.bpfwatch.testing.Scrape;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** POST /-/reload: new configs swap in with counts kept; a bad one leaves the old running. */
class ReloadTest {
    private static final String V1 = """
            metrics:
              counters:
                - name: udp_drops_percpu_total
                  help: drops per port
                  labels:
                    - name: dport
                      size: 2
                      decoders:
                        - name: uint
            """;
    private static final String V2 = V1.replace("help: drops per port", "help: drops per port, v2") + """
                - name: udp_drops_total
                  help: drops by address
                  labels:
                    - name: daddr
                      size: 4
                      decoders:
                        - name: inet_ip
                    - name: dport
                      size: 4
                      decoders:
                        - name: uint
            """;

    @TempDir
    Path dir;
    private final Path pins = Path.of("/sys/fs/bpf/bpfwatch-test-reload-" + ProcessHandle.current().pid());

    @AfterEach
    void cleanup() {
        BpfwatchCommand.commandLine().execute("cleanup", "--bpf.pin-path=" + pins);
    }

    private static HttpResponse<String> post(int port) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/reload"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void reloadSwapsConfigsKeepsCountsAndSurvivesABadOne() throws Exception {
        ConfigDir.with(dir, "compat", "compat_udp", V1);
        int port = Loopback.closedUdpPort();
        String series = "dport=\"" + port + "\"";
        try (Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(dir, List.of()).withPinPath(pins), List.of())) {
            Loopback.sendUdp("127.0.0.1", port, 7, 8);
            assertEquals(7, Scrape.value(Scrape.metrics(agent.port()), "bpfwatch_udp_drops_percpu_total", series));

            Files.writeString(dir.resolve("compat.yaml"), V2);
            HttpResponse<String> ok = post(agent.port());
            assertEquals(200, ok.statusCode(), ok.body());
            String after = Scrape.metrics(agent.port());
            assertTrue(after.contains("drops per port, v2"), "new config serves");
            assertTrue(after.contains("# TYPE bpfwatch_udp_drops_total counter"), after);
            assertEquals(7, Scrape.value(after, "bpfwatch_udp_drops_percpu_total", series), "count kept through pins");
            Loopback.sendUdp("127.0.0.1", port, 3, 8);
            assertEquals(10, Scrape.value(Scrape.metrics(agent.port()), "bpfwatch_udp_drops_percpu_total", series),
                    "the new program counts into the same map, once");

            Files.writeString(dir.resolve("compat.yaml"), V2.replace("name: uint", "name: unit"));
            HttpResponse<String> bad = post(agent.port());
            assertEquals(500, bad.statusCode());
            assertTrue(bad.body().contains("compat.yaml:") && bad.body().contains("did you mean 'uint'"), bad.body());
            String still = Scrape.metrics(agent.port());
            assertTrue(still.contains("drops per port, v2"), "old configs keep running");
            assertEquals(0, Scrape.value(still, "bpfwatch_config_last_reload_successful", ""));
            Loopback.sendUdp("127.0.0.1", port, 1, 8);
            assertEquals(11, Scrape.value(Scrape.metrics(agent.port()), "bpfwatch_udp_drops_percpu_total", series));
        }
    }

    @Test
    void reloadNeedsPost() throws Exception {
        ConfigDir.with(dir, "compat", "compat_udp", V1);
        try (Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(dir, List.of()), List.of())) {
            HttpResponse<String> get = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + agent.port() + "/-/reload")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(405, get.statusCode());
        }
    }
}
