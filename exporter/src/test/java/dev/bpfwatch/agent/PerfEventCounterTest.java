package dev.bpfwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.Bpftool;
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
 * ebpf_exporter's perf_event_array counters against the real kernel: a
 * tp_btf/kfree_skb program outputs one event per UDP packet sent to a closed
 * port, and the counter for that port must equal what was sent.
 */
class PerfEventCounterTest {
    static final String CONFIG = """
            metrics:
              counters:
                - name: udp_drop_events
                  help: UDP packets dropped for want of a socket, from perf events
                  perf_event_array: true
                  flush_interval: %s
                  labels:
                    - name: daddr
                      size: 4
                      decoders:
                        - name: inet_ip
                    - name: dport
                      size: 2
                      padding: 2
                      decoders:
                        - name: uint
            """;
    private static final String SERIES = "bpfwatch_udp_drop_events_total";

    @TempDir
    Path dir;

    private Agent start(String flushInterval) {
        ConfigDir.with(dir, "events", "perf_events", CONFIG.formatted(flushInterval));
        return Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0)).withConfigs(dir, List.of()),
                List.of());
    }

    /** Events arrive on the reader's thread a poll later than the drop: wait for the count to settle. */
    private static double awaitCount(Agent agent, String labels, double expected) throws InterruptedException {
        double seen = -1;
        for (int i = 0; i < 50 && seen != expected; i++) {
            seen = Scrape.find(Scrape.metrics(agent.port()), SERIES, labels).orElse(-1); // absent until the first event
            if (seen != expected) {
                Thread.sleep(100);
            }
        }
        return seen;
    }

    @Test
    void everyEventCountsOnceUnderItsLabels() throws Exception {
        int port = Loopback.closedUdpPort();
        String labels = "daddr=\"127.0.0.1\",dport=\"" + port + "\"";
        try (Agent agent = start("1h")) {
            Loopback.sendUdp("127.0.0.1", port, 250, 64);
            assertEquals(250, awaitCount(agent, labels, 250));
            Thread.sleep(400); // two more polls: nothing counted twice
            String e = Scrape.metrics(agent.port());
            assertEquals(250, Scrape.value(e, SERIES, labels), e);
            assertEquals(0, Scrape.value(e, "bpfwatch_perf_events_lost_total",
                    "config=\"events\",metric=\"udp_drop_events\""), e);
            assertTrue(e.contains("bpfwatch_perf_events_lost_total{config=\"events\",metric=\"udp_drop_events\",}"), e);
            assertEquals("", Promtool.checkMetrics(e));
            assertEquals(1, Bpftool.countOwnPrograms("emit_udp_drop"));
        }
        assertEquals(0, Bpftool.countOwnPrograms("emit_udp_drop"), "closing the agent releases the program");
        assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith("perf-events-")),
                "the ring reader stopped");
    }

    /**
     * A flush empties the agent's tally (its memory), but the exported
     * counter never goes down: what was counted before is carried, and new
     * events add to it.
     */
    @Test
    void aFlushNeverTakesTheCounterDown() throws Exception {
        int port = Loopback.closedUdpPort();
        String labels = "daddr=\"127.0.0.1\",dport=\"" + port + "\"";
        try (Agent agent = start("3s")) {
            // The counts' clock starts while the agent starts, so from here on
            // 3.3 s is always past the flush.
            long started = System.nanoTime();
            Loopback.sendUdp("127.0.0.1", port, 10, 64);
            assertEquals(10, awaitCount(agent, labels, 10));
            Thread.sleep(Math.max(0, 3300 - (System.nanoTime() - started) / 1_000_000));
            String flushed = Scrape.metrics(agent.port());
            assertEquals(10, Scrape.value(flushed, SERIES, labels), "the flush took the counter down: " + flushed);
            Loopback.sendUdp("127.0.0.1", port, 3, 64);
            assertEquals(13, awaitCount(agent, labels, 13), "counting goes on from 10");
        }
    }

    /** With a pin path, the counts a run exported are where the next run starts. */
    @Test
    void countsGoOnAfterARestart() throws Exception {
        Path pins = Path.of("/sys/fs/bpf/bpfwatch-test-perfevents-" + ProcessHandle.current().pid());
        ConfigDir.with(dir, "events", "perf_events", CONFIG.formatted("1h"));
        AgentOptions options = AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(dir, List.of()).withPinPath(pins);
        int port = Loopback.closedUdpPort();
        String labels = "daddr=\"127.0.0.1\",dport=\"" + port + "\"";
        try {
            try (Agent agent = Agent.start(options, List.of())) {
                Loopback.sendUdp("127.0.0.1", port, 10, 64);
                assertEquals(10, awaitCount(agent, labels, 10));
            }
            try (Agent agent = Agent.start(options, List.of())) {
                assertEquals(10, Scrape.value(Scrape.metrics(agent.port()), SERIES, labels), "restart took it down");
                Loopback.sendUdp("127.0.0.1", port, 4, 64);
                assertEquals(14, awaitCount(agent, labels, 14), "counting goes on from 10");
            }
        } finally {
            dev.bpfwatch.cli.BpfwatchCommand.commandLine().execute("cleanup", "--bpf.pin-path=" + pins);
        }
    }
}
