package dev.bpfwatch.capture;

import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.libbpf.BpfMapType;
import dev.bpfwatch.libbpf.LibbpfException;
import dev.bpfwatch.libbpf.RawProgram;
import dev.bpfwatch.pcap.ClassicInstruction;
import java.util.List;

/**
 * Whether this kernel takes the ring-buffer form of a capture program: BPF
 * ring buffers (5.8) and bpf_xdp_load_bytes (5.18). Asked once, by loading
 * that program for a filter that matches everything; where the kernel refuses
 * either, captures use perf rings. The system property
 * {@code bpfwatch.xdpcap.output=perf} asks for perf rings anyway.
 */
final class RingOutputProbe {
    static final String PROPERTY = "bpfwatch.xdpcap.output";
    private static final int RET_K = 0x06;
    private static Boolean available;

    private RingOutputProbe() {
    }

    static synchronized CaptureProgram.Output output() {
        if ("perf".equals(System.getProperty(PROPERTY))) {
            return CaptureProgram.Output.PERF;
        }
        if (available == null) {
            available = probe();
        }
        return available ? CaptureProgram.Output.RINGBUF : CaptureProgram.Output.PERF;
    }

    private static boolean probe() {
        List<ClassicInstruction> everything = List.of(new ClassicInstruction(RET_K, 0, 0, 64));
        try (BpfMap stats = BpfMap.create(BpfMapType.PERCPU_ARRAY, "xdpcap_probe", 4, CaptureProgram.STATS_VALUE,
                XdpAction.values().length);
             BpfMap ring = BpfMap.create(BpfMapType.RINGBUF, "xdpcap_probe_rb", 0, 0, 4096);
             RawProgram p = RawProgram.load("xdpcap_probe", RawProgram.BPF_PROG_TYPE_XDP, RawProgram.BPF_XDP, 0,
                     CaptureProgram.build(everything, XdpAction.PASS, 64, CaptureProgram.Output.RINGBUF, 64, 0),
                     List.of(stats, ring))) {
            return true;
        } catch (LibbpfException e) { // a VerifierException too: an unknown helper
            return false;
        }
    }
}
