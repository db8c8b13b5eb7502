package dev.bpfwatch.libbpf;

import dev.bpfwatch.testing.KernelFeature;
import dev.bpfwatch.testing.MagicCallCheck;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * fentry on the getpgid syscall wrapper (programs/testdata/attach_fentry.bpf.c).
 * Skipped where the kernel has no fentry (this development host); fails
 * in the kernel matrix, whose stock kernels all have it.
 */
@Tag("matrix")
class FentryAttachTest {

    @Test
    void fentryCountsEachMagicGetpgidCall() {
        KernelFeature.require("fentry");
        MagicCallCheck.run("attach_fentry");
    }
}
