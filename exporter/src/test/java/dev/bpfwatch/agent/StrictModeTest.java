package dev.bpfwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.bpfwatch.libbpf.LibbpfException;
import dev.bpfwatch.probe.FeatureProbe;
import dev.bpfwatch.testing.Bpftool;
import dev.bpfwatch.testing.ConfigDir;
import dev.bpfwatch.testing.Scrape;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A program that cannot attach here (a kprobe on a kernel without
 * CONFIG_KPROBES): logged and shown by default, fatal with --config.strict.
 */
class StrictModeTest {
    @TempDir
    Path dir;

    @BeforeEach
    void needsAKernelWithoutKprobes() {
        // On kernels with kprobes the attach succeeds and there is nothing to see.
        assumeFalse(FeatureProbe.report().attachAvailable("kprobe"), "kprobes attach on this kernel");
        ConfigDir.with(dir, "mixed", "needs_kprobe", """
                metrics:
                  counters:
                    - name: hook_runs_total
                      help: runs of the program that did attach
                """);
    }

    private AgentOptions options(boolean strict) {
        return AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0)).withConfigs(dir, List.of())
                .withStrict(strict);
    }

    @Test
    void byDefaultTheRestRunsAndTheFailureIsShown() {
        try (Agent agent = Agent.start(options(false), List.of())) {
            String e = Scrape.metrics(agent.port());
            assertEquals(1, Scrape.value(e, "bpfwatch_ebpf_program_attached",
                    "config=\"mixed\",program=\"always_there\""), e);
            assertEquals(0, Scrape.value(e, "bpfwatch_ebpf_program_attached",
                    "config=\"mixed\",program=\"maybe_missing\""), e);
            assertTrue(e.contains("bpfwatch_ebpf_program_attached{config=\"mixed\",program=\"maybe_missing\",} 0.0"), e);
            String page = Scrape.get(agent.port(), "/");
            assertTrue(page.contains("maybe_missing") && page.contains("no: attach maybe_missing"), page);
        }
        assertEquals(0, Bpftool.countOwnPrograms("always_there"));
    }

    @Test
    void strictFailsAndLeavesNothingLoaded() {
        LibbpfException e = assertThrows(LibbpfException.class, () -> Agent.start(options(true), List.of()));
        assertTrue(e.getMessage().contains("kprobe"), e.getMessage());
        assertEquals(0, Bpftool.countOwnPrograms("always_there"));
        assertEquals(0, Bpftool.countOwnPrograms("maybe_missing"));
    }
}
