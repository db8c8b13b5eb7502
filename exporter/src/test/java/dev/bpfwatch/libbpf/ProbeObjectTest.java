package dev.bpfwatch.libbpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * The feature probe object carries no CO-RE relocation. One anywhere in it (it had one:
 * {@code skb->len} through vmlinux.h) makes libbpf parse the kernel's BTF for each of its eight
 * loads at every start, the tracepoint and kprobe probes included; without, only the four
 * probes whose attach point is a BTF id (tp_btf, fentry, iter/tcp, iter/udp) need it.
 */
class ProbeObjectTest {
    @Test
    void theFeatureProbeObjectHasNoCoreRelocations() throws IOException {
        byte[] elf;
        try (InputStream in = ProbeObjectTest.class.getResourceAsStream("/bpfwatch/probes/feature_probe.bpf.o")) {
            assertNotNull(in, "probe object in the jar's resources");
            elf = in.readAllBytes();
        }
        ObjectBytes bytes = new ObjectBytes("feature_probe", elf);
        ElfSections.Section ext = ElfSections.read(bytes).named(".BTF.ext").orElseThrow();
        long headerLength = bytes.u32(ext.offset() + 4, "hdr_len");
        long coreReloLength = headerLength >= 32 ? bytes.u32(ext.offset() + 28, "core_relo_len") : 0;
        assertEquals(0, coreReloLength, "bytes of CO-RE relocation records in .BTF.ext");
    }
}
