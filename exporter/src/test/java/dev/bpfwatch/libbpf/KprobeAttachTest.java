package dev.bpfwatch.libbpf;

import dev.bpfwatch.testing.KernelFeature;
import dev.bpfwatch.testing.MagicCallCheck;
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
}
