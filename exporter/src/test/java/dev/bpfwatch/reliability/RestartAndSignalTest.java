package dev.bpfwatch.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.cli.BpfwatchCommand;
import dev.bpfwatch.testing.AgentProcess;
import dev.bpfwatch.testing.Bpftool;
import dev.bpfwatch.testing.Loopback;
import dev.bpfwatch.testing.Scrape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The agent as a process: counters survive a restart through pinned maps,
 * SIGTERM leaves nothing but the pins, SIGKILL plus `bpfwatch cleanup` leaves
 * nothing at all.
 */
class RestartAndSignalTest {
    private static final String SERIES = "bpfwatch_kfree_skb_drops_total";
    private final Path pins = Path.of("/sys/fs/bpf/bpfwatch-test-" + ProcessHandle.current().pid());
    private final String pinFlag = "--bpf.pin-path=" + pins;
    // Only the drop counter: it is what the assertions count; other modules would add their own programs.
    private final String names = "--config.names=kfree_skb_drops";

    @AfterEach
    void removePins() {
        BpfwatchCommand.commandLine().execute("cleanup", pinFlag);
    }

    private static double noSocket(int port) {
        return Scrape.value(Scrape.metrics(port), SERIES, "reason=\"NO_SOCKET\"");
    }

    @Test
    void countersKeepRisingAcrossARestart() {
        double first;
        try (AgentProcess agent = AgentProcess.start(pinFlag, names)) {
            Loopback.sendUdp("127.0.0.1", Loopback.closedUdpPort(), 100, 8);
            first = noSocket(agent.port());
            assertTrue(first >= 100, "first run counted " + first);
            assertEquals(0, agent.stop("TERM"));
        }
        assertTrue(Files.exists(pins.resolve("kfree_skb_drops/kfree_skb_drops")), "map pinned");
        try (AgentProcess again = AgentProcess.start(pinFlag, names)) {
            double second = noSocket(again.port());
            assertTrue(second >= first, "counter went back: " + first + " -> " + second);
            Loopback.sendUdp("127.0.0.1", Loopback.closedUdpPort(), 10, 8);
            assertTrue(noSocket(again.port()) >= first + 10);
            assertEquals(0, again.stop("TERM"));
        }
    }

    @Test
    void sigtermLeavesOnlyThePins() {
        List<Integer> ids;
        List<Integer> maps;
        try (AgentProcess agent = AgentProcess.start(pinFlag, names)) {
            ids = Bpftool.programIdsHeldBy("count_drop", agent.pid());
            assertEquals(1, ids.size(), "the agent holds its program");
            maps = Bpftool.mapIdsOf(ids.get(0));
            assertEquals(0, agent.stop("TERM"));
        }
        assertGone(ids);
        List<Integer> pinned = List.of(
                Bpftool.pinnedMapId(pins.resolve("kfree_skb_drops/kfree_skb_drops").toString()),
                Bpftool.pinnedMapId(pins.resolve("kfree_skb_drops/kfree_skb_subsystem_drops").toString()));
        assertTrue(maps.containsAll(pinned), "the pinned maps are the program's: " + maps + " vs " + pinned);
        for (int id : maps) {
            assertEquals(pinned.contains(id), Bpftool.mapLoaded(id), "map " + id + ": only the pinned ones stay");
        }
    }

    @Test
    void sigkillThenCleanupLeavesNothing() {
        List<Integer> ids;
        int pinned;
        try (AgentProcess agent = AgentProcess.start(pinFlag, names)) {
            ids = Bpftool.programIdsHeldBy("count_drop", agent.pid());
            assertEquals(1, ids.size(), "the agent holds its program");
            pinned = Bpftool.pinnedMapId(pins.resolve("kfree_skb_drops/kfree_skb_drops").toString());
            agent.stop("KILL");
        }
        assertGone(ids); // the kernel drops links and programs with the process
        assertEquals(0, BpfwatchCommand.commandLine().execute("cleanup", pinFlag));
        assertFalse(Files.exists(pins), "pin directory removed");
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (Bpftool.mapLoaded(pinned) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertFalse(Bpftool.mapLoaded(pinned), "map freed once its pin is gone");
    }

    /** Programs are freed after an RCU grace period, not at the moment the last fd closes. */
    private static void assertGone(List<Integer> ids) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (ids.stream().anyMatch(Bpftool::programLoaded) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertTrue(ids.stream().noneMatch(Bpftool::programLoaded), "programs " + ids + " still loaded");
    }

    @Test
    void sighupReloadsConfigs() throws Exception {
        try (AgentProcess agent = AgentProcess.start(pinFlag, names)) {
            String before = Scrape.metrics(agent.port());
            double stamp = Scrape.value(before, "bpfwatch_config_last_reload_success_timestamp_seconds", "");
            Thread.sleep(1100); // the timestamp has a resolution of one second
            agent.signal("HUP");
            long deadline = System.nanoTime() + 20_000_000_000L;
            double now = stamp;
            while (now <= stamp && System.nanoTime() < deadline) {
                Thread.sleep(200);
                now = Scrape.value(Scrape.metrics(agent.port()), "bpfwatch_config_last_reload_success_timestamp_seconds", "");
            }
            assertTrue(now > stamp, "reload happened: " + agent.output());
            assertEquals(1, Bpftool.programIdsHeldBy("count_drop", agent.pid()).size(),
                    "old program detached, new one attached");
            assertEquals(0, agent.stop("TERM"));
        }
    }
}
