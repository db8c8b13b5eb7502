package dev.bpfwatch.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.agent.Agent;
import dev.bpfwatch.agent.AgentOptions;
import dev.bpfwatch.cli.BpfwatchCommand;
import dev.bpfwatch.testing.Bpftool;
import dev.bpfwatch.testing.ConfigDir;
import dev.bpfwatch.testing.Loopback;
import dev.bpfwatch.testing.Resources;
import dev.bpfwatch.testing.Scrape;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reload whose new object changes a map's layout and then fails in the
 * verifier must leave the running config's pin where it is: the next good
 * reload finds it, and the counter goes on from where it was.
 */
class ReloadPinsTest {
    private static final String CONFIG = """
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

    @TempDir
    Path dir;
    private final Path pins = Path.of("/sys/fs/bpf/bpfwatch-test-reload-pins-" + ProcessHandle.current().pid());

    @AfterEach
    void cleanup() {
        BpfwatchCommand.commandLine().execute("cleanup", "--bpf.pin-path=" + pins);
    }

    private static HttpResponse<String> reload(int port) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/-/reload")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void useObject(String testObject) throws Exception {
        Files.copy(Resources.testObject(testObject), dir.resolve("compat.bpf.o"), StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void aReloadRefusedByTheVerifierKeepsTheRunningPins() throws Exception {
        ConfigDir.with(dir, "compat", "compat_udp", CONFIG);
        Path pin = pins.resolve("compat/udp_drops_percpu_total");
        int port = Loopback.closedUdpPort();
        String series = "dport=\"" + port + "\"";
        try (Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(dir, List.of()).withPinPath(pins), List.of())) {
            Loopback.sendUdp("127.0.0.1", port, 7, 8);
            assertEquals(7, Scrape.value(Scrape.metrics(agent.port()), "bpfwatch_udp_drops_percpu_total", series));
            int pinnedId = Bpftool.pinnedMapId(pin.toString());

            useObject("compat_udp_rejected"); // the same map, twice the entries; a program the verifier refuses
            HttpResponse<String> refused = reload(agent.port());
            assertEquals(500, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("compat_count_unchecked"), refused.body());
            assertTrue(Files.exists(pin), "the running config's pin is still there");
            assertEquals(pinnedId, Bpftool.pinnedMapId(pin.toString()), "and is the same map");
            Loopback.sendUdp("127.0.0.1", port, 2, 8);
            assertEquals(9, Scrape.value(Scrape.metrics(agent.port()), "bpfwatch_udp_drops_percpu_total", series),
                    "the running config still counts");

            useObject("compat_udp");
            HttpResponse<String> ok = reload(agent.port());
            assertEquals(200, ok.statusCode(), ok.body());
            assertEquals(pinnedId, Bpftool.pinnedMapId(pin.toString()), "the good reload reused the pinned map");
            assertEquals(9, Scrape.value(Scrape.metrics(agent.port()), "bpfwatch_udp_drops_percpu_total", series),
                    "the counter did not go back");
            Loopback.sendUdp("127.0.0.1", port, 1, 8);
            assertEquals(10, Scrape.value(Scrape.metrics(agent.port()), "bpfwatch_udp_drops_percpu_total", series));
        }
    }

    @Test
    void aLayoutChangeReplacesThePinOnlyWhenTheWholeReloadLoads() throws Exception {
        // Two configs: "a" changes its map's layout and loads, "b" then fails: a's pin must not change either.
        ConfigDir.with(dir, "a", "compat_udp", CONFIG);
        ConfigDir.with(dir, "b", "compat_udp", CONFIG);
        Path pinA = pins.resolve("a/udp_drops_percpu_total");
        try (Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(dir, List.of()).withPinPath(pins), List.of())) {
            int pinnedId = Bpftool.pinnedMapId(pinA.toString());
            Files.copy(Resources.testObject("compat_udp_resized"), dir.resolve("a.bpf.o"),
                    StandardCopyOption.REPLACE_EXISTING);
            Files.copy(Resources.testObject("compat_udp_rejected"), dir.resolve("b.bpf.o"),
                    StandardCopyOption.REPLACE_EXISTING);
            HttpResponse<String> refused = reload(agent.port());
            assertEquals(500, refused.statusCode(), refused.body());
            assertEquals(pinnedId, Bpftool.pinnedMapId(pinA.toString()), "a's pin is untouched");
            assertTrue(Files.exists(pins.resolve("b/udp_drops_percpu_total")), "b's pin is untouched");
        }
    }
}
