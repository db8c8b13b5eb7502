package dev.bpfwatch.capture;

import dev.bpfwatch.pcap.ClassicInstruction;
import java.util.List;

/**
 * The eBPF program xdpcap puts in one slot of a hook: counts the packet,
 * runs the translated filter, and on a match emits a {@link CaptureSample}
 * (header plus the frame up to the snap length) to the perf rings; in every
 * case returns the slot's action, so the packet goes where the instrumented
 * program sent it.
 *
 * <p>Maps are referred to by index (see RawProgram): {@link #STATS_MAP}, a
 * PERCPU_ARRAY keyed by action holding {@link #STATS_VALUE} bytes (u64 seen,
 * matched, output errors), and {@link #PERF_MAP}.
 */
final class CaptureProgram {
    static final int STATS_MAP = 0;
    static final int PERF_MAP = 1;
    static final int STATS_VALUE = 24;
    static final int STAT_SEEN = 0;
    static final int STAT_MATCHED = 8;
    static final int STAT_OUTPUT_ERRORS = 16;

    // stack: M[0..15] at -64, the sample header at -96, the stats key at -100
    private static final int MEMORY = -64;
    private static final int HEADER = -96;
    private static final int KEY = -100;
    private static final int CTX = Ebpf.R6;
    private static final int DATA = Ebpf.R7;
    private static final int DATA_END = Ebpf.R8;
    private static final int STATS = Ebpf.R9;
    // struct xdp_md
    private static final int MD_DATA = 0;
    private static final int MD_DATA_END = 4;
    private static final int MD_INGRESS_IFINDEX = 12;
    private static final int MD_RX_QUEUE_INDEX = 16;
    /** BPF_F_CURRENT_CPU: write to the ring of the CPU the program runs on. */
    private static final int CURRENT_CPU = -1; // 0xffffffff once moved into a 32-bit register

    private CaptureProgram() {
    }

    /** @return struct bpf_insn bytes, map references by index */
    static byte[] build(List<ClassicInstruction> filter, XdpAction action, int snaplen) {
        Assembler asm = new Assembler();
        int match = asm.label();
        int out = asm.label();

        asm.mov64Reg(CTX, Ebpf.R1);
        asm.storeImm(Ebpf.W, Ebpf.FP, KEY, action.slot());
        asm.loadMapFd(Ebpf.R1, STATS_MAP);
        asm.mov64Reg(Ebpf.R2, Ebpf.FP);
        asm.alu64(Ebpf.ADD, Ebpf.R2, KEY);
        asm.call(Ebpf.MAP_LOOKUP_ELEM);
        // An array lookup in range never fails; the verifier still wants the check.
        asm.jumpImm(Ebpf.JMP, Ebpf.JEQ, Ebpf.R0, 0, out);
        asm.mov64Reg(STATS, Ebpf.R0);
        increment(asm, STAT_SEEN);
        asm.load(Ebpf.W, DATA, CTX, MD_DATA);
        asm.load(Ebpf.W, DATA_END, CTX, MD_DATA_END);

        FilterTranslator.translate(filter, asm, DATA, DATA_END, MEMORY, match, out);

        if (asm.referenced(match)) {
            asm.bind(match);
            emitSample(asm, action, snaplen);
        }
        asm.bind(out);
        asm.mov64(Ebpf.R0, action.slot());
        asm.exit();
        return asm.assemble();
    }

    /** Per-CPU value: a plain add, no atomics needed. */
    private static void increment(Assembler asm, int field) {
        asm.load(Ebpf.DW, Ebpf.R1, STATS, field);
        asm.alu64(Ebpf.ADD, Ebpf.R1, 1);
        asm.store(Ebpf.DW, STATS, field, Ebpf.R1);
    }

    private static void emitSample(Assembler asm, XdpAction action, int snaplen) {
        increment(asm, STAT_MATCHED);
        asm.call(Ebpf.KTIME_GET_NS);
        asm.store(Ebpf.DW, Ebpf.FP, HEADER + CaptureSample.OFF_TIME, Ebpf.R0);
        asm.load(Ebpf.W, Ebpf.R1, CTX, MD_INGRESS_IFINDEX);
        asm.store(Ebpf.W, Ebpf.FP, HEADER + CaptureSample.OFF_IFINDEX, Ebpf.R1);
        asm.load(Ebpf.W, Ebpf.R1, CTX, MD_RX_QUEUE_INDEX);
        asm.store(Ebpf.W, Ebpf.FP, HEADER + CaptureSample.OFF_RX_QUEUE, Ebpf.R1);
        asm.storeImm(Ebpf.W, Ebpf.FP, HEADER + CaptureSample.OFF_ACTION, action.slot());
        asm.storeImm(Ebpf.W, Ebpf.FP, HEADER + CaptureSample.OFF_PAD, 0);
        // DATA and DATA_END survive the call: r6-r9 are callee-saved, and ktime does not touch the frame.
        asm.mov64Reg(Ebpf.R3, DATA_END);
        asm.alu64Reg(Ebpf.SUB, Ebpf.R3, DATA);
        asm.store(Ebpf.W, Ebpf.FP, HEADER + CaptureSample.OFF_LENGTH, Ebpf.R3);
        int short_ = asm.label();
        asm.jumpImm(Ebpf.JMP, Ebpf.JLE, Ebpf.R3, snaplen, short_);
        asm.mov64(Ebpf.R3, snaplen);
        asm.bind(short_);
        asm.store(Ebpf.W, Ebpf.FP, HEADER + CaptureSample.OFF_CAPTURED, Ebpf.R3);
        // flags: the number of frame bytes to append in the upper half, BPF_F_CURRENT_CPU in the lower
        asm.alu64(Ebpf.LSH, Ebpf.R3, 32);
        asm.mov32(Ebpf.R4, CURRENT_CPU);
        asm.alu64Reg(Ebpf.OR, Ebpf.R3, Ebpf.R4);
        asm.mov64Reg(Ebpf.R1, CTX);
        asm.loadMapFd(Ebpf.R2, PERF_MAP);
        asm.mov64Reg(Ebpf.R4, Ebpf.FP);
        asm.alu64(Ebpf.ADD, Ebpf.R4, HEADER);
        asm.mov64(Ebpf.R5, CaptureSample.HEADER);
        asm.call(Ebpf.PERF_EVENT_OUTPUT);
        int written = asm.label();
        asm.jumpImm(Ebpf.JMP, Ebpf.JEQ, Ebpf.R0, 0, written);
        increment(asm, STAT_OUTPUT_ERRORS);
        asm.bind(written);
    }
}
