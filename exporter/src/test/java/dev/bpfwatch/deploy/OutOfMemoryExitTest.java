package dev.bpfwatch.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.cli.BpfwatchCommand;
import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.testing.AgentProcess;
import dev.bpfwatch.testing.ConfigDir;
import dev.bpfwatch.testing.Launcher;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent, started by bin/bpfwatch with the shipped flags, runs out of heap during a scrape
 * (an operator's smaller heap, a map bigger than it): the process must end, non-zero, so that
 * systemd (Restart=on-failure) or Kubernetes starts a fresh one. Without
 * -XX:+ExitOnOutOfMemoryError it stayed up with a /metrics that never answered again (while
 * /-/healthy still said OK).
 */
@Tag("packaged")
class OutOfMemoryExitTest {
    private static final int ENTRIES = 131_072; // big_map's max_entries
    /** The agent starts and serves in this heap; a scrape of ENTRIES series does not fit in it. */
    private static final String SMALL_HEAP = "-Xmx8m";
    /** HotSpot's exit status for -XX:+ExitOnOutOfMemoryError. */
    private static final int OOM_EXIT = 3;

    @TempDir
    Path dir;
    private final Path pins = Path.of("/sys/fs/bpf/bpfwatch-test-oom-" + ProcessHandle.current().pid());

    @AfterEach
    void cleanup() {
        BpfwatchCommand.commandLine().execute("cleanup", "--bpf.pin-path=" + pins);
    }

    @Test
    void outOfMemoryInAScrapeEndsTheAgentNonZeroWithinSeconds() throws Exception {
        ConfigDir.bigCounter(dir);
        try (AgentProcess agent = AgentProcess.launch(Launcher.inRepo(), Map.of("BPFWATCH_JAVA_OPTS", SMALL_HEAP),
                "--config.dir=" + dir, "--bpf.pin-path=" + pins, "--metrics.max-series=" + 2 * ENTRIES)) {
            try (BpfMap map = BpfMap.openPinned(pins.resolve("big/big_counter_total").toString())) {
                for (long k = 0; k < ENTRIES; k++) {
                    map.update(u64(k), u64(k + 1), BpfMap.BPF_ANY);
                }
            }
            long scrapeStart = System.nanoTime();
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpRequest scrape = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + "/metrics"))
                    .timeout(Duration.ofSeconds(30)).build();
            try {
                HttpResponse<String> r = client.send(scrape, HttpResponse.BodyHandlers.ofString());
                throw new AssertionError("the scrape fit in " + SMALL_HEAP + " (status " + r.statusCode() + ", "
                        + r.body().length() + " bytes): this test needs a heap that it does not fit in");
            } catch (java.io.IOException expected) {
                // the agent died under the request
            }
            OptionalInt exit = agent.awaitExit(Duration.ofSeconds(30));
            assertTrue(exit.isPresent(), "the agent still runs 30 s after running out of memory:\n" + agent.output());
            System.out.printf("out of memory: exit %d, %d ms after the scrape began%n", exit.getAsInt(),
                    (System.nanoTime() - scrapeStart) / 1_000_000);
            assertEquals(OOM_EXIT, exit.getAsInt(), agent.output());
            assertTrue(agent.output().contains("Terminating due to java.lang.OutOfMemoryError: Java heap space"),
                    agent.output());
        }
    }

    private static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(v).array();
    }
}
