package dev.bpfwatch.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.cli.BpfwatchCommand;
import dev.bpfwatch.testing.AgentProcess;
import dev.bpfwatch.testing.Bpftool;
import dev.bpfwatch.testing.ConfigDir;
import dev.bpfwatch.testing.Scrape;
import dev.bpfwatch.testing.TestNetns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @TempDir
    Path configs;

    @AfterEach
    void removePins() {
        BpfwatchCommand.commandLine().execute("cleanup", pinFlag);
    }

    /** NO_SOCKET drops inside one namespace (netns_drops), 0 before the first. */
    private static double noSocket(int port, TestNetns ns) {
        return Scrape.find(Scrape.metrics(port), "bpfwatch_netns_drops_total",
                "netns=\"" + ns.inode() + "\",reason=\"NO_SOCKET\"").orElse(0);
    }

    /**
     * The pinned counters of a config go on where they were: the drops of a
     * namespace the test made (nothing else sends there) read the same after
     * the restart and keep rising from there, exactly.
     */
    @Test
    void countersKeepRisingAcrossARestart() {
        ConfigDir.defaultDrops(configs);
        ConfigDir.netnsDrops(configs);
        String[] flags = {pinFlag, "--config.dir=" + configs, "--config.names=kfree_skb_drops,netns_drops"};
        try (TestNetns ns = TestNetns.create()) {
            double first;
            double start;
            try (AgentProcess agent = AgentProcess.start(flags)) {
                start = noSocket(agent.port(), ns); // an earlier namespace's inode may be reused
                ns.sendUdp(9, 100);
                first = noSocket(agent.port(), ns);
                assertEquals(start + 100, first, "first run counted");
                assertEquals(0, agent.stop("TERM"));
            }
            assertTrue(Files.exists(pins.resolve("netns_drops/netns_drops")), "map pinned");
            assertTrue(Files.exists(pins.resolve("kfree_skb_drops/kfree_skb_drops")), "map pinned");
            try (AgentProcess again = AgentProcess.start(flags)) {
                assertEquals(first, noSocket(again.port(), ns), "the count after the restart");
                ns.sendUdp(9, 10);
                assertEquals(first + 10, noSocket(again.port(), ns));
                assertEquals(0, again.stop("TERM"));
            }
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
            assertReloadsOnHangup(agent);
        }
    }

    /**
     * Started with SIGHUP ignored (nohup), the agent still reloads on it:
     * the JVM silently installed no handler there, and this test failed.
     */
    @Test
    void sighupReloadsUnderNohup() throws Exception {
        try (AgentProcess agent = AgentProcess.startWithHangupIgnored(pinFlag, names)) {
            assertReloadsOnHangup(agent);
        }
    }

    @Test
    void sigintStopsAnAgentStartedInAScriptsBackground() throws Exception {
        try (AgentProcess agent = AgentProcess.startWithInterruptIgnored(pinFlag, names)) {
            assertEquals(1, Bpftool.programIdsHeldBy("count_drop", agent.pid()).size());
            assertEquals(0, agent.stop("INT"), agent.output());
        }
    }

    private static void assertReloadsOnHangup(AgentProcess agent) throws Exception {
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
