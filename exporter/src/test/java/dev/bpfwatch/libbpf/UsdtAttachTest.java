package dev.bpfwatch.libbpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.KernelMatrix;
import dev.bpfwatch.testing.Bpftool;
import dev.bpfwatch.testing.MagicCalls;
import dev.bpfwatch.testing.Resources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * USDT python:audit in /usr/bin/python3.11 (programs/testdata/attach_usdt.bpf.c),
 * which Debian builds with its probes (libc has none). The probe is behind a
 * semaphore: it fires only because libbpf had the kernel raise it, in a
 * process started after the attach. One python child, keyed by its pid.
 */
@Tag("matrix")
class UsdtAttachTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3.11");
    private static final int EVENTS = 25;

    @Test
    void usdtCountsEachMagicAuditEventOfTheChild() throws Exception {
        assertTrue(Files.isExecutable(PYTHON), PYTHON + " is the binary the program's section names");
        try (BpfObject obj = BpfObject.open(Resources.testObject("attach_usdt"))) {
            obj.load();
            BpfLink link = obj.program("usdt_python_audit").orElseThrow().attach();
            // -I -S: no site or user paths, the fewest imports; other audit events have other names.
            Process child = new ProcessBuilder(PYTHON.toString(), "-I", "-S", "-c",
                    "import sys\nfor _ in range(" + EVENTS + "):\n    sys.audit('bpfwatch.magic')\n"
                            + "sys.audit('bpfwatch.other')\n")
                    .redirectErrorStream(true).start();
            assertTrue(child.waitFor(120, TimeUnit.SECONDS), "python child did not end");
            String output = new String(child.getInputStream().readAllBytes());
            assertEquals(0, child.exitValue(), output);
            assertEquals(EVENTS, MagicCalls.counted(obj.map("magic_calls").orElseThrow(), child.pid()),
                    "audit events named bpfwatch.magic of pid " + child.pid());
            link.close();
        }
        for (String m : List.of("magic_calls", "__bpf_usdt_specs", "__bpf_usdt_ip_to_spec_id")) {
            assertEquals(0, Bpftool.countOwnMaps(m), m + " still held after close");
        }
        assertEquals(0, Bpftool.countOwnPrograms("usdt_python_audit"), "program still held after close");
        KernelMatrix.works("attach: usdt", "exact (" + EVENTS + " of " + EVENTS + " probe hits, semaphore raised)");
    }
}
