package dev.bpfwatch.matrix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.btf.DropReasons;
import dev.bpfwatch.cli.BpfwatchCommand;
import dev.bpfwatch.libbpf.KernelBtf;
import dev.bpfwatch.testing.AgentProcess;
import dev.bpfwatch.testing.Bpftool;
import dev.bpfwatch.testing.KernelMatrix;
import dev.bpfwatch.testing.Loopback;
import dev.bpfwatch.testing.Scrape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * `bpfwatch run` on its embedded default, as a user on this kernel starts
 * it: it comes up, counts drops it can count, serves them, and a SIGTERM
 * leaves nothing in the kernel but its pins, which `cleanup` removes.
 */
@Tag("matrix")
class DefaultAgentMatrixTest {
    private static final int SENT = 50;
    private static final String DROPS = "bpfwatch_kfree_skb_drops_total";
    private final Path pins = Path.of("/sys/fs/bpf/bpfwatch-matrix-" + ProcessHandle.current().pid());
    private final String pinFlag = "--bpf.pin-path=" + pins;

    @AfterEach
    void removePins() {
        BpfwatchCommand.commandLine().execute("cleanup", pinFlag);
    }

    @Test
    void embeddedDefaultStartsCountsServesAndLeavesOnlyPins() {
        boolean reasons;
        try (KernelBtf btf = KernelBtf.load()) {
            reasons = DropReasons.ifKernelHas(btf).isPresent();
        }
        String reason = reasons ? "NO_SOCKET" : DropReasons.NOT_SPECIFIED;
        List<Integer> programs;
        List<Integer> maps;
        String output;
        try (AgentProcess agent = AgentProcess.start(pinFlag)) {
            programs = Bpftool.programIdsHeldBy(agent.pid());
            maps = Bpftool.mapIdsHeldBy(agent.pid());
            Set<String> names = programs.stream().map(Bpftool::programName).collect(Collectors.toSet());
            assertTrue(names.containsAll(Set.of("count_drop", "dump_tcp_listeners", "count_socket_drop")),
                    "the default's programs: " + names);

            // No such drop may have happened yet: no key, no series.
            double before = Scrape.find(Scrape.metrics(agent.port()), DROPS, "reason=\"" + reason + "\"").orElse(0);
            Loopback.sendUdp("127.0.0.1", Loopback.closedUdpPort(), SENT, 8);
            String metrics = Scrape.metrics(agent.port());
            double counted = Scrape.value(metrics, DROPS, "reason=\"" + reason + "\"") - before;
            if (reasons && KernelMatrix.inGuest()) {
                // Nothing else drops packets in a guest: the count is exact there.
                assertEquals(SENT, counted, "datagrams to a closed port, reason NO_SOCKET");
            } else {
                // Without reasons every kfree_skb() counts, so other frees may add to it; the host is shared.
                assertTrue(counted >= SENT, reason + " counted " + counted + " of " + SENT);
            }
            // The agent's own listening socket, found by the listeners iterator in its namespace.
            assertTrue(metrics.contains("bpfwatch_tcp_listen_drops_total{") && metrics.contains(
                    "port=\"" + agent.port() + "\""), "the agent's own listener is listed");
            output = agent.output();
            assertEquals(0, agent.stop("TERM"), "clean exit on SIGTERM");
        }
        if (!reasons) {
            assertEquals(1, occurrences(output, "kernel enum skb_drop_reason not in this kernel's BTF (added in Linux 5.17)"),
                    "the missing reasons are said once for the config:\n" + output);
        }
        assertTrue(output.lines().noneMatch(l -> l.contains("Exception") || l.startsWith("\tat ")),
                "no stack trace:\n" + output);
        assertGone(programs, Bpftool::programLoaded, "programs");
        Set<Integer> pinned = pinnedMapIds();
        assertFalse(pinned.isEmpty(), "the default pins its counters");
        assertGone(maps.stream().filter(id -> !pinned.contains(id)).toList(), Bpftool::mapLoaded, "unpinned maps");

        assertEquals(0, BpfwatchCommand.commandLine().execute("cleanup", pinFlag));
        assertFalse(Files.exists(pins), "pins removed");
        assertGone(List.copyOf(pinned), Bpftool::mapLoaded, "pinned maps after cleanup");

        String agentCell = "starts, counts, serves; SIGTERM and cleanup leave nothing";
        KernelMatrix.works("`bpfwatch run` (embedded default)", agentCell);
        if (reasons) {
            KernelMatrix.works("kfree_skb drops by reason name", KernelMatrix.inGuest()
                    ? "exact (" + SENT + " NO_SOCKET of " + SENT + ")" : "NO_SOCKET for each of " + SENT + " datagrams");
        } else {
            KernelMatrix.degraded("kfree_skb drops by reason name",
                    "no drop reasons before 5.17: every kfree_skb() counts as NOT_SPECIFIED");
        }
    }

    private Set<Integer> pinnedMapIds() {
        try (var files = Files.walk(pins)) {
            return files.filter(Files::isRegularFile)
                    .map(p -> Bpftool.pinnedMapId(p.toString())).collect(Collectors.toSet());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static int occurrences(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    /** The kernel frees objects after an RCU grace period, not when the last fd closes. */
    private static void assertGone(List<Integer> ids, java.util.function.IntPredicate loaded, String what) {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (ids.stream().anyMatch(loaded::test) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertTrue(ids.stream().noneMatch(loaded::test), what + " " + ids + " still loaded");
    }
}
