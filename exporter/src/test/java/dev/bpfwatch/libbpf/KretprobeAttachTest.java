package dev.bpfwatch.libbpf;

import dev.bpfwatch.testing.KernelFeature;
import dev.bpfwatch.testing.MagicCallCheck;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * kretprobe on the getpgid syscall wrapper, entries marked by a kprobe (programs/testdata/attach_kretprobe.bpf.c).
 * Skipped where the kernel has no kretprobe (this development host); fails
 * in the kernel matrix, whose stock kernels all have it.
 */
@Tag("matrix")
class KretprobeAttachTest {

    @Test
    void kretprobeCountsEachMagicGetpgidCall() {
        KernelFeature.require("kretprobe");
        MagicCallCheck.run("attach_kretprobe");
    }
}
