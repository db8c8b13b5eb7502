package dev.bpfwatch.decode;

import dev.bpfwatch.cgroup.CgroupTree;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.libbpf.KernelBtf;
import java.nio.file.Files;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class HostDecoderContextTest {
    private final HostDecoderContext host = new HostDecoderContext();

    /** BPF cgroup ids are v2 ids: the root walked must be the v2 mount, also on hybrid hosts. */
    @Test
    void cgroupRootIsTheCgroup2Mount() {
        Assumptions.assumeTrue(Files.exists(CgroupTree.ROOT.resolve("cgroup.controllers"))
                || Files.exists(CgroupTree.HYBRID_ROOT.resolve("cgroup.controllers")), "cgroup v2");
        assertTrue(Files.exists(host.cgroupRoot().resolve("cgroup.controllers")), host.cgroupRoot().toString());
    }

    @Test
    void enumsAreReadOnce() {
        Assumptions.assumeTrue(KernelBtf.present(), "kernel BTF (CONFIG_DEBUG_INFO_BTF)");
        assertSame(host.kernelEnum("skb_drop_reason"), host.kernelEnum("skb_drop_reason"));
        assertFalse(host.kernelEnum("no_such_enum_in_any_kernel").isPresent());
    }
}
