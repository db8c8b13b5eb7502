package dev.bpfwatch.libbpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.probe.FeatureProbe;
import dev.bpfwatch.testing.KernelFeature;
import dev.bpfwatch.testing.MagicCallCheck;
import dev.bpfwatch.testing.Resources;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * kprobe on the getpgid syscall wrapper (programs/testdata/attach_kprobe.bpf.c).
 * Skipped where the kernel has no kprobe (this development host); fails
 * in the kernel matrix, whose stock kernels all have it.
 */
@Tag("matrix")
class KprobeAttachTest {

    @Test
    void kprobeCountsEachMagicGetpgidCall() {
        KernelFeature.require("kprobe");
        MagicCallCheck.run("attach_kprobe");
    }

    /**
     * Where the kernel has kprobes, a kprobe on a function it lacks (a module
     * not loaded, a function renamed) names the function; it said "kprobes is
     * not available on this kernel", which sent users after the wrong cause.
     * Where kprobes are missing (this development host), that is what it says.
     */
    @Test
    void aMissingFunctionIsNamedWhereKprobesExist() {
        boolean kprobes = FeatureProbe.report().attachAvailable("kprobe");
        try (BpfObject obj = BpfObject.open(Resources.testObject("kprobe_missing"))) {
            obj.load();
            BpfProgram p = obj.program("kprobe_nowhere").orElseThrow();
            LibbpfException e = assertThrows(LibbpfException.class, p::attach);
            assertEquals(!kprobes, e instanceof NotSupportedException, e.getMessage());
            String expected = "attach kprobe_nowhere (kprobe/bpfwatch_no_such_function): ENOENT (No such file or "
                    + "directory): " + (kprobes
                            ? "function bpfwatch_no_such_function is not in this kernel (or its module is not loaded)"
                            : "kprobes is not available on this kernel");
            assertTrue(e.getMessage().startsWith(expected), e.getMessage());
        }
    }
}
