package dev.bpfwatch.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.libbpf.BpfMapType;
import dev.bpfwatch.libbpf.BpfObject;
import dev.bpfwatch.libbpf.Bpffs;
import dev.bpfwatch.libbpf.LibbpfException;
import dev.bpfwatch.libbpf.RawProgram;
import dev.bpfwatch.pcap.ClassicFilter;
import dev.bpfwatch.testing.Resources;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hook owned by a multi-buffer program (programs/testdata/xdpcap_frags.bpf.c):
 * the kernel refuses a capture program loaded without BPF_F_XDP_HAS_FRAGS
 * in it (EINVAL), so a capture retries with the flag, and gets in.
 */
class FragsHookTest {
    @TempDir
    Path dir;

    @Test
    void aCaptureGetsIntoAFragsHook() throws Exception {
        Bpffs.ensureMounted(Bpffs.DEFAULT);
        Path pin = Bpffs.DEFAULT.resolve("bwtest_frags_hook_" + ProcessHandle.current().pid());
        try (BpfObject obj = BpfObject.open(Resources.testObject("xdpcap_frags"))) {
            obj.load();
            obj.map("xdpcap_frags_hook").orElseThrow().pin(pin.toString());
            try (Hook hook = Hook.open(pin)) {
                byte[] insns = CaptureProgram.build(ClassicFilter.of("", 100), XdpAction.PASS, 100);
                try (BpfMap stats = BpfMap.create(BpfMapType.PERCPU_ARRAY, "t", 4, CaptureProgram.STATS_VALUE, 5);
                     BpfMap rings = BpfMap.create(BpfMapType.PERF_EVENT_ARRAY, "p", 4, 4, 2);
                     RawProgram plain = RawProgram.load("xdpcap_test", RawProgram.BPF_PROG_TYPE_XDP, RawProgram.BPF_XDP,
                             0, insns, List.of(stats, rings))) {
                    assertEquals(22, assertThrows(LibbpfException.class, () -> hook.insert(XdpAction.PASS, plain)).errno(),
                            "a program without frags in a frags hook: EINVAL");
                }
                try (OutputStream out = Files.newOutputStream(dir.resolve("frags.pcap"))) {
                    CaptureOptions options = new CaptureOptions(EnumSet.of(XdpAction.PASS, XdpAction.DROP),
                            ClassicFilter.of("udp", 262144), 262144, 65536, 64, 0, false);
                    Capture capture = Capture.start(hook, options, new PcapWriter(out, 262144));
                    try {
                        assertTrue(hook.occupant(XdpAction.PASS).isPresent());
                        assertTrue(hook.occupant(XdpAction.DROP).isPresent());
                    } finally {
                        capture.close();
                    }
                }
                assertEquals(Optional.empty(), hook.occupant(XdpAction.PASS));
                assertEquals(Optional.empty(), hook.occupant(XdpAction.DROP));
            }
        } finally {
            Files.deleteIfExists(pin);
        }
    }
}
