package dev.bpfwatch.capture;

import dev.bpfwatch.pcap.ClassicInstruction;
import java.util.ArrayList;
import java.util.List;

/**
 * The eBPF program xdpcap puts in one slot of a hook: counts the packet,
 * runs the translated filter, and on a match emits a {@link CaptureSample}
 * (header plus the frame up to the snap length); in every case returns the
 * slot's action, so the packet goes where the instrumented program sent it.
 *
 * <p>Two ways out for a sample ({@link Output}): a BPF ring buffer, where the
 * program reserves a record, fills the header, copies the frame in with
 * bpf_xdp_load_bytes and submits it without waking the reader unless the
 * ring holds a set number of bytes (the reader looks by itself); or
 * bpf_perf_event_output, for kernels without those helpers, which is dearer
 * per packet on the sender's CPU.
 *
 * <p>Maps are referred to by index (see RawProgram): {@link #STATS_MAP}, a
 * PERCPU_ARRAY keyed by action holding {@link #STATS_VALUE} bytes (u64 seen,
 * matched, output errors, records emitted), and {@link #OUTPUT_MAP}.
 */
final class CaptureProgram {
    /** Where matched packets go: the kernel's BPF ring buffer (5.18+ here) or per-CPU perf rings. */
    enum Output { RINGBUF, PERF }

    static final int STATS_MAP = 0;
    static final int OUTPUT_MAP = 1;
    static final int STATS_VALUE = 32;
    static final int STAT_SEEN = 0;
    static final int STAT_MATCHED = 8;
    /** Samples the output refused (ring full), so lost; exact, counted where they happen. */
    static final int STAT_OUTPUT_ERRORS = 16;
    /** Ring records reserved on this CPU: every wakeupEvents-th looks whether to wake the reader. */
    static final int STAT_RECORDS = 24;

    // stack: M[0..15] at -64, the sample header at -96, the stats key at -100, the wakeup flags at -112
    private static final int MEMORY = -64;
    private static final int HEADER = -96;
    private static final int KEY = -100;
    private static final int WAKEUP_FLAGS = -112;
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
    /** The smallest ring record for the frame; sizes double from here up to the snap length. */
    private static final int SMALLEST_RECORD_FRAME = 64;

    private CaptureProgram() {
    }

    /** The perf-ring program (tests of the translated filters use this form). */
    static byte[] build(List<ClassicInstruction> filter, XdpAction action, int snaplen) {
        return build(filter, action, snaplen, Output.PERF, 1, 0);
    }

    /**
     * @param wakeupEvents with a ring buffer: how often (records per CPU, rounded down to a power
     *        of two) the program looks whether the ring holds {@code wakeBytes}; perf rings: unused
     *        (the perf event carries the wakeup policy)
     * @param wakeBytes with a ring buffer: wake the reader once this many bytes wait
     * @return struct bpf_insn bytes, map references by index
     */
    static byte[] build(List<ClassicInstruction> filter, XdpAction action, int snaplen, Output output,
                        int wakeupEvents, int wakeBytes) {
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
            if (output == Output.RINGBUF) {
                emitRecord(asm, action, snaplen, wakeupEvents, Math.max(1, wakeBytes), out);
            } else {
                emitSample(asm, action, snaplen);
            }
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
        asm.loadMapFd(Ebpf.R2, OUTPUT_MAP);
        asm.mov64Reg(Ebpf.R4, Ebpf.FP);
        asm.alu64(Ebpf.ADD, Ebpf.R4, HEADER);
        asm.mov64(Ebpf.R5, CaptureSample.HEADER);
        asm.call(Ebpf.PERF_EVENT_OUTPUT);
        int written = asm.label();
        asm.jumpImm(Ebpf.JMP, Ebpf.JEQ, Ebpf.R0, 0, written);
        increment(asm, STAT_OUTPUT_ERRORS);
        asm.bind(written);
    }

    private static void emitRecord(Assembler asm, XdpAction action, int snaplen, int wakeupEvents,
                                   int wakeBytes, int out) {
        final int frameLength = DATA_END; // data_end - data, once the filter is done with both
        final int captured = DATA;
        final int record = DATA_END; // once the frame length is stored in the record
        increment(asm, STAT_MATCHED);
        asm.alu64Reg(Ebpf.SUB, frameLength, DATA);
        asm.mov64Reg(captured, frameLength);
        int cut = asm.label();
        asm.jumpImm(Ebpf.JMP, Ebpf.JLE, captured, snaplen, cut);
        asm.mov64(captured, snaplen);
        asm.bind(cut);
        // No frame is empty; the test also tells the verifier the copy below is at least a byte.
        asm.jumpImm(Ebpf.JMP, Ebpf.JLT, captured, 1, out);

        // Records are submitted without a wakeup: a wakeup is an irq_work on the sender's CPU, about
        // 7 us in this VM (an IPI), so one every 64 records alone cost ~120 ns a packet. The reader
        // looks by itself (every millisecond while packets come, PacketRingBuffer); the program
        // wakes it only when the ring holds wakeBytes, checked every wakeupEvents-th record per
        // CPU, which also bounds the wakeups while a slow reader stays above that mark.
        int keep = asm.label();
        asm.load(Ebpf.DW, Ebpf.R1, STATS, STAT_RECORDS);
        asm.alu64(Ebpf.ADD, Ebpf.R1, 1);
        asm.store(Ebpf.DW, STATS, STAT_RECORDS, Ebpf.R1);
        asm.alu64(Ebpf.AND, Ebpf.R1, Integer.highestOneBit(Math.max(1, wakeupEvents)) - 1);
        asm.mov64(Ebpf.R2, Ebpf.RB_NO_WAKEUP);
        asm.jumpImm(Ebpf.JMP, Ebpf.JNE, Ebpf.R1, 0, keep);
        asm.loadMapFd(Ebpf.R1, OUTPUT_MAP);
        asm.mov64(Ebpf.R2, Ebpf.RB_AVAIL_DATA);
        asm.call(Ebpf.RINGBUF_QUERY);
        asm.mov64(Ebpf.R2, Ebpf.RB_NO_WAKEUP);
        asm.jumpImm(Ebpf.JMP, Ebpf.JLT, Ebpf.R0, wakeBytes, keep);
        asm.mov64(Ebpf.R2, Ebpf.RB_FORCE_WAKEUP);
        asm.bind(keep);
        asm.store(Ebpf.DW, Ebpf.FP, WAKEUP_FLAGS, Ebpf.R2);

        int reserved = asm.label();
        List<Integer> sizes = recordFrameSizes(snaplen);
        for (int i = 0; i < sizes.size(); i++) {
            int size = sizes.get(i);
            int next = asm.label();
            if (i < sizes.size() - 1) {
                asm.jumpImm(Ebpf.JMP, Ebpf.JGT, captured, size, next);
            }
            asm.loadMapFd(Ebpf.R1, OUTPUT_MAP);
            asm.mov64(Ebpf.R2, CaptureSample.HEADER + size);
            asm.mov64(Ebpf.R3, 0);
            asm.call(Ebpf.RINGBUF_RESERVE);
            asm.ja(reserved);
            if (i < sizes.size() - 1) {
                asm.bind(next);
            }
        }

        int lost = asm.label();
        asm.bind(reserved);
        asm.jumpImm(Ebpf.JMP, Ebpf.JEQ, Ebpf.R0, 0, lost); // the ring is full: counted, not silent
        asm.store(Ebpf.W, Ebpf.R0, CaptureSample.OFF_LENGTH, frameLength);
        asm.mov64Reg(record, Ebpf.R0);
        asm.store(Ebpf.W, record, CaptureSample.OFF_CAPTURED, captured);
        asm.load(Ebpf.W, Ebpf.R1, CTX, MD_INGRESS_IFINDEX);
        asm.store(Ebpf.W, record, CaptureSample.OFF_IFINDEX, Ebpf.R1);
        asm.load(Ebpf.W, Ebpf.R1, CTX, MD_RX_QUEUE_INDEX);
        asm.store(Ebpf.W, record, CaptureSample.OFF_RX_QUEUE, Ebpf.R1);
        asm.storeImm(Ebpf.W, record, CaptureSample.OFF_ACTION, action.slot());
        asm.storeImm(Ebpf.W, record, CaptureSample.OFF_PAD, 0);
        asm.call(Ebpf.KTIME_GET_NS);
        asm.store(Ebpf.DW, record, CaptureSample.OFF_TIME, Ebpf.R0);
        // bpf_xdp_load_bytes copies from the linear part and, for multi-buffer frames, the fragments.
        asm.mov64Reg(Ebpf.R1, CTX);
        asm.mov64(Ebpf.R2, 0);
        asm.mov64Reg(Ebpf.R3, record);
        asm.alu64(Ebpf.ADD, Ebpf.R3, CaptureSample.HEADER);
        asm.mov64Reg(Ebpf.R4, captured);
        asm.call(Ebpf.XDP_LOAD_BYTES);
        int copied = asm.label();
        asm.jumpImm(Ebpf.JMP, Ebpf.JEQ, Ebpf.R0, 0, copied);
        asm.mov64Reg(Ebpf.R1, record);
        asm.mov64(Ebpf.R2, Ebpf.RB_NO_WAKEUP);
        asm.call(Ebpf.RINGBUF_DISCARD);
        asm.ja(lost);
        asm.bind(copied);
        asm.mov64Reg(Ebpf.R1, record);
        asm.load(Ebpf.DW, Ebpf.R2, Ebpf.FP, WAKEUP_FLAGS);
        asm.call(Ebpf.RINGBUF_SUBMIT);
        asm.ja(out);
        asm.bind(lost);
        increment(asm, STAT_OUTPUT_ERRORS);
    }

    /** Frame bytes of the record sizes the program reserves: 64, 128, ... below the snap length, then it. */
    static List<Integer> recordFrameSizes(int snaplen) {
        List<Integer> sizes = new ArrayList<>();
        for (int size = SMALLEST_RECORD_FRAME; size < snaplen; size *= 2) {
            sizes.add(size);
        }
        sizes.add(snaplen);
        return sizes;
    }
}
