package dev.bpfwatch.libbpf;

import dev.bpfwatch.testing.KernelFeature;
import dev.bpfwatch.testing.MagicCallCheck;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * fexit on the getpgid syscall wrapper (programs/testdata/attach_fexit.bpf.c).
 * Skipped where the kernel has no fexit (this development host); fails
 * in the kernel matrix, whose stock kernels all have it.
 */
@Tag("matrix")
class FexitAttachTest {

    @Test
    void fexitCountsEachMagicGetpgidCall() {
        KernelFeature.require("fexit");
        MagicCallCheck.run("attach_fexit");
    }
}
