package dev.bpfwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.probe.FeatureProbe;
import dev.bpfwatch.testing.ConfigDir;
import dev.bpfwatch.testing.MagicCallCheck;
import dev.bpfwatch.testing.MagicCalls;
import dev.bpfwatch.testing.Scrape;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A config whose object holds programs this kernel cannot take: the rest
 * loads and counts, and the log has one line for the config naming each
 * program left out and why. An fentry on a function no kernel has is left
 * out everywhere ("not in this kernel", where libbpf said a bare ESRCH and
 * the whole config failed); where the kernel has no trampolines (this
 * development host) every fentry is left out ("fentry is not available",
 * where libbpf's "permission error ... ulimit -l" advice was the only
 * clue). In the kernel matrix the good fentry runs and counts exactly. A
 * tp_btf on a tracepoint no kernel has is left out the same way ("not in
 * this kernel", where libbpf's ESRCH failed the whole config).
 */
@Tag("matrix")
class UnloadableProgramTest {
    @TempDir
    Path dir;


    @Test
    void theRestOfTheConfigRunsAndOneLineSaysWhatDoesNot() {
        ConfigDir.mixedFentry(dir);
        List<String> warnings = new ArrayList<>();
        Logger log = Logger.getLogger(ConfigModule.class.getName());
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(r.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(capture);
        boolean fentry = FeatureProbe.report().attachAvailable("fentry");
        long pid = ProcessHandle.current().pid();
        try (Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0))
                .withConfigs(dir, List.of()), List.of())) {
            MagicCalls.make(MagicCallCheck.CALLS);
            String e = Scrape.metrics(agent.port());
            assertEquals(1, Scrape.value(e, "bpfwatch_enabled_configs", "name=\"mixed\""), e);
            assertFalse(e.contains("bpfwatch_config_errors{config=\"mixed\""), e);
            assertEquals(1, Scrape.value(e, "bpfwatch_ebpf_program_attached", "config=\"mixed\",program=\"mixed_raw_tp\""), e);
            assertEquals(MagicCallCheck.CALLS, Scrape.value(e, "bpfwatch_raw_tp_calls_total", "pid=\"" + pid + "\""), e);
            assertEquals(0, Scrape.value(e, "bpfwatch_ebpf_program_attached",
                    "config=\"mixed\",program=\"mixed_fentry_missing\""), e);
            assertEquals(0, Scrape.value(e, "bpfwatch_ebpf_program_attached",
                    "config=\"mixed\",program=\"mixed_tp_btf_missing\""), e);
            assertEquals(0, Scrape.value(e, "bpfwatch_ebpf_program_attached",
                    "config=\"mixed\",program=\"mixed_raw_tp_missing\""), e);
            assertEquals(fentry ? 1 : 0, Scrape.value(e, "bpfwatch_ebpf_program_attached",
                    "config=\"mixed\",program=\"mixed_fentry\""), e);
            if (fentry) {
                assertEquals(MagicCallCheck.CALLS, Scrape.value(e, "bpfwatch_fentry_calls_total", "pid=\"" + pid + "\""), e);
            }
        } finally {
            log.removeHandler(capture);
        }
        List<String> mine = warnings.stream().filter(w -> w.startsWith("config mixed:")).toList();
        assertEquals(1, mine.size(), "one line for the config: " + warnings);
        String line = mine.get(0);
        assertTrue(line.contains("mixed_fentry_missing (fentry/bpfwatch_no_such_function): not loaded: "
                + (fentry ? "function bpfwatch_no_such_function is not in this kernel" : "fentry is not available")),
                line);
        assertTrue(line.contains("mixed_tp_btf_missing (tp_btf/bpfwatch_no_such_tracepoint): not loaded: "
                + "tracepoint bpfwatch_no_such_tracepoint is not in this kernel"), line);
        assertTrue(line.contains("attach mixed_raw_tp_missing (raw_tp/bpfwatch_no_such_tracepoint): ENOENT (No such "
                + "file or directory): raw tracepoint bpfwatch_no_such_tracepoint is not in this kernel"), line);
        assertEquals(fentry, !line.contains("mixed_fentry (fentry/__x64_sys_getpgid)"), line);
        assertFalse(line.contains("ulimit") || line.contains("missing capability"), line);
    }
}
