package dev.bpfwatch.cli;

import dev.bpfwatch.testing.CliRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.Bpftool;
import dev.bpfwatch.testing.ConfigDir;
import dev.bpfwatch.testing.SpanTraceConfig;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bad `tracing:` configs, each good but for one thing: `check` and `run`
 * say what is wrong in one line naming file:line, exit 2, load nothing.
 */
class TracingConfigTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path dir;

    /** The shared in-process CLI run ({@link CliRun}), its streams kept for the assertions. */
    private int run(String... args) {
        CliRun r = CliRun.of(args);
        out.write(r.out());
        err.write(r.err());
        return r.exit();
    }

    @Test
    void goodTracingConfigPassesCheck() {
        ConfigDir.with(dir, "spans", "span_trace", SpanTraceConfig.YAML);
        assertEquals(0, run("check", "--config.dir", dir.toString()), err.toString());
        assertEquals(0, Bpftool.countOwnPrograms("span_exec"), "check unloads what it loaded");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "ringbuf: exec_spans|ringbuf: running|3: span 'exec': map 'running' is a HASH, not a RINGBUF",
        "ringbuf: exec_spans|ringbuf: exec_spanz|3: span 'exec': no map named 'exec_spanz' in spans.bpf.o, did you mean 'exec_spans'? (maps: exec_spans, exec_child_spans, running)",
        "size: 16|size: 8|7: span 'exec': label 'trace_id' is an id of 16 bytes (decoded by hex), not 8",
        "name: hex|name: hexx|7: label 'trace_id': unknown decoder 'hexx', did you mean 'hex'?",
        "service: span-test|servce: span-test|5: unknown key 'servce' in span, did you mean 'service'?",
        "name: process.cpu|name: 9cpu|68: label name '9cpu' is not a valid span attribute name",
        "ringbuf: exec_child_spans|ringbuf: exec_spans|42: ring buffer 'exec_spans' is read by two spans; give each span its own",
    })
    void badTracingConfigIsOneLineWithFileAndLine(String good, String bad, String expected) {
        ConfigDir.with(dir, "spans", "span_trace", SpanTraceConfig.YAML.replaceFirst(java.util.regex.Pattern.quote(good),
                bad.replace("\\n", "\n")));
        assertEquals(2, run("check", "--config.dir", dir.toString()), out.toString());
        String e = err.toString().strip();
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.startsWith("bpfwatch: " + dir.resolve("spans.yaml") + ":" + expected), e);
        assertFalse(e.contains("\tat "), "no stack trace");
    }

    @Test
    void tracingWithoutSpansIsRefused() {
        ConfigDir.with(dir, "spans", "span_trace", "tracing:\n  spans: []\n");
        assertEquals(2, run("check", "--config.dir", dir.toString()));
        assertEquals("bpfwatch: " + dir.resolve("spans.yaml") + ":2: 'spans' is empty: give at least one span",
                err.toString().strip());
    }

    @Test
    void runRefusesABadTracingConfigBeforeLoadingAnything() {
        ConfigDir.with(dir, "spans", "span_trace", SpanTraceConfig.YAML.replace("ringbuf: exec_spans",
                "ringbuf: running"));
        assertEquals(2, run("run", "--web.listen-address=127.0.0.1:0", "--config.dir", dir.toString()));
        String e = err.toString().strip();
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.contains("spans.yaml:3: span 'exec': map 'running' is a HASH, not a RINGBUF"), e);
        assertEquals(0, Bpftool.countOwnPrograms("span_exec"));
    }
}
