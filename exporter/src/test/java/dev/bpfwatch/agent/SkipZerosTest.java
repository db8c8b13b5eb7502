package dev.bpfwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bpfwatch.cli.BpfwatchCommand;
import dev.bpfwatch.testing.Bpftool;
import dev.bpfwatch.testing.ConfigDir;
import dev.bpfwatch.testing.Scrape;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code skip_zeros} on a real 64-slot array map: without it every index is
 * a series, as in ebpf_exporter; with it only the indexes that hold a count.
 * The map is written from outside (bpftool on its pin), as a program would.
 */
class SkipZerosTest {
    private static final String CONFIG = """
            metrics:
              counters:
                - name: test_array
                  help: Slots of a test array
                  labels:
                    - name: slot
                      size: 4
                      decoders:
                        - name: uint
                - name: test_array_nonzero
                  help: The same slots, idle ones skipped
                  map: test_array
                  skip_zeros: true
                  labels:
                    - name: slot
                      size: 4
                      decoders:
                        - name: uint
            """;

    @TempDir
    Path dir;

    private final Path pins = Path.of("/sys/fs/bpf/bpfwatch-test-skipzeros-" + ProcessHandle.current().pid());

    @AfterEach
    void unpin() {
        assertEquals(0, BpfwatchCommand.commandLine().execute("cleanup", "--bpf.pin-path=" + pins));
    }

    @Test
    void idleArraySlotsAreNoSeries() {
        ConfigDir.with(dir, "arr", "test_maps", CONFIG);
        try (Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(dir, List.of()).withPinPath(pins), List.of())) {
            String map = pins.resolve("arr/test_array").toString();
            Bpftool.run("map", "update", "pinned", map, "key", "3", "0", "0", "0", "value", "7", "0", "0", "0", "0", "0", "0", "0");
            Bpftool.run("map", "update", "pinned", map, "key", "60", "0", "0", "0", "value", "1", "1", "0", "0", "0", "0", "0", "0");

            List<String> all = series(Scrape.metrics(agent.port()), "bpfwatch_test_array_total");
            List<String> nonzero = series(Scrape.metrics(agent.port()), "bpfwatch_test_array_nonzero_total");
            assertEquals(64, all.size(), all.toString());
            assertEquals(List.of("bpfwatch_test_array_nonzero_total{slot=\"3\",} 7.0",
                    "bpfwatch_test_array_nonzero_total{slot=\"60\",} 257.0"), nonzero);
        }
    }

    private static List<String> series(String exposition, String name) {
        return exposition.lines().filter(l -> l.startsWith(name + "{")).sorted().toList();
    }
}
