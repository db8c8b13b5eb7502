package dev.bpfwatch.capture;

/**
 * eBPF opcode parts (include/uapi/linux/bpf.h, bpf_common.h), the few the
 * translator and the capture programs emit. cBPF shares the class, size,
 * mode and ALU/JMP operation numbers, which is why the translator can pass
 * an ALU or jump operation through unchanged.
 */
final class Ebpf {
    // instruction classes
    static final int LD = 0x00;
    static final int LDX = 0x01;
    static final int ST = 0x02;
    static final int STX = 0x03;
    static final int ALU = 0x04;
    static final int JMP = 0x05;
    static final int JMP32 = 0x06;
    static final int ALU64 = 0x07;
    // sizes
    static final int W = 0x00;
    static final int H = 0x08;
    static final int B = 0x10;
    static final int DW = 0x18;
    // modes
    static final int IMM = 0x00;
    static final int MEM = 0x60;
    // operand source
    static final int K = 0x00;
    static final int X = 0x08;
    // ALU operations
    static final int ADD = 0x00;
    static final int SUB = 0x10;
    static final int MUL = 0x20;
    static final int DIV = 0x30;
    static final int OR = 0x40;
    static final int AND = 0x50;
    static final int LSH = 0x60;
    static final int RSH = 0x70;
    static final int NEG = 0x80;
    static final int MOD = 0x90;
    static final int XOR = 0xa0;
    static final int MOV = 0xb0;
    static final int END = 0xd0;
    /** With END: convert to big-endian (a byte swap on x86). */
    static final int TO_BE = 0x08;
    // jump operations
    static final int JA = 0x00;
    static final int JEQ = 0x10;
    static final int JGT = 0x20;
    static final int JGE = 0x30;
    static final int JSET = 0x40;
    static final int JNE = 0x50;
    static final int JLT = 0xa0;
    static final int JLE = 0xb0;
    static final int CALL = 0x80;
    static final int EXIT = 0x90;
    /** src_reg of a 64-bit immediate load whose imm is a map fd. */
    static final int PSEUDO_MAP_FD = 1;

    // registers
    static final int R0 = 0;
    static final int R1 = 1;
    static final int R2 = 2;
    static final int R3 = 3;
    static final int R4 = 4;
    static final int R5 = 5;
    static final int R6 = 6;
    static final int R7 = 7;
    static final int R8 = 8;
    static final int R9 = 9;
    static final int FP = 10;

    // helpers
    static final int MAP_LOOKUP_ELEM = 1;
    static final int KTIME_GET_NS = 5;
    static final int PERF_EVENT_OUTPUT = 25;
    static final int RINGBUF_RESERVE = 131;
    static final int RINGBUF_SUBMIT = 132;
    static final int RINGBUF_DISCARD = 133;
    static final int RINGBUF_QUERY = 134;
    static final int XDP_LOAD_BYTES = 189;
    // bpf_ringbuf_submit / discard flags, bpf_ringbuf_query's question
    static final int RB_NO_WAKEUP = 1;
    static final int RB_FORCE_WAKEUP = 2;
    static final int RB_AVAIL_DATA = 0;

    private Ebpf() {
    }

    /** Bytes a load or store of this size moves. */
    static int bytes(int size) {
        switch (size) {
            case W: return 4;
            case H: return 2;
            case B: return 1;
            case DW: return 8;
            default: throw new IllegalArgumentException("size " + size);
        }
    }
}
