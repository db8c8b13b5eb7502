package dev.bpfwatch.capture;

import dev.bpfwatch.pcap.ClassicInstruction;
import dev.bpfwatch.pcap.FilterException;
import java.util.List;

/**
 * Classic BPF to eBPF, inline in an XDP program. cBPF's accumulator A and
 * index X live in two registers, its 16-word scratch memory M[] on the
 * stack; packet loads read the frame between ctx->data and ctx->data_end
 * in network byte order. Every load is preceded by the bounds check the
 * verifier wants; a load past the end of the frame ends the filter with
 * "no match", as in the kernel's and libpcap's own interpreters. The
 * filter's {@code ret} becomes a jump to the caller's match or no-match
 * label: a non-zero return is a match (its value, the snap length, is the
 * caller's business).
 *
 * <p>cBPF is 32-bit: every ALU operation and comparison uses the 32-bit
 * (w) forms. Jumps only go forward, so the result has no loops.
 */
final class FilterTranslator {
    /** cBPF's accumulator and index register. r0-r5 are free: the filter calls no helper. */
    static final int A = Ebpf.R4;
    static final int X = Ebpf.R5;
    private static final int T1 = Ebpf.R2;
    private static final int T2 = Ebpf.R3;
    /** The largest offset an XDP frame can reach; bounds the offsets the verifier must follow. */
    private static final long MAX_PACKET_OFFSET = 0xffff;
    static final int MEMORY_WORDS = 16;

    // cBPF opcode parts (linux/filter.h) that eBPF lacks or numbers differently
    private static final int C_RET = 0x06;
    private static final int C_MISC = 0x07;
    private static final int C_ABS = 0x20;
    private static final int C_IND = 0x40;
    private static final int C_LEN = 0x80;
    private static final int C_MSH = 0xa0;
    private static final int C_RVAL_A = 0x10;
    private static final int C_TXA = 0x80;

    private final List<ClassicInstruction> program;
    private final Assembler asm;
    private final int packetStart;
    private final int packetEnd;
    private final int memoryOffset;
    private final int match;
    private final int noMatch;
    private int[] labels;

    /**
     * @param packetStart register holding ctx->data (a packet pointer)
     * @param packetEnd register holding ctx->data_end
     * @param memoryOffset frame-pointer offset of M[0]; M[15] ends 64 bytes later
     */
    private FilterTranslator(List<ClassicInstruction> program, Assembler asm, int packetStart, int packetEnd,
                             int memoryOffset, int match, int noMatch) {
        this.program = program;
        this.asm = asm;
        this.packetStart = packetStart;
        this.packetEnd = packetEnd;
        this.memoryOffset = memoryOffset;
        this.match = match;
        this.noMatch = noMatch;
    }

    /**
     * Emits {@code program} into {@code asm}, after checking it as the
     * kernel checks a classic filter (known opcodes, jumps inside the
     * program, a {@code ret} at the end, memory index below 16, no constant
     * division by zero, shifts below 32).
     *
     * @throws FilterException naming the first bad instruction
     */
    static void translate(List<ClassicInstruction> program, Assembler asm, int packetStart, int packetEnd,
                          int memoryOffset, int match, int noMatch) {
        new FilterTranslator(program, asm, packetStart, packetEnd, memoryOffset, match, noMatch).emitAll();
    }

    private void emitAll() {
        boolean[] reachable = FilterCheck.check(program);
        labels = new int[program.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = asm.label();
        }
        asm.mov32(A, 0);
        asm.mov32(X, 0);
        // cBPF starts with zeroed memory in the kernel's interpreter; reading a word never
        // stored would otherwise read stack garbage (or be refused by the verifier).
        for (int word : FilterCheck.memoryRead(program)) {
            asm.storeImm(Ebpf.W, Ebpf.FP, memoryOffset + 4 * word, 0);
        }
        for (int i = 0; i < program.size(); i++) {
            asm.bind(labels[i]);
            if (reachable[i]) {
                emit(i, program.get(i));
            }
        }
    }

    private void emit(int i, ClassicInstruction in) {
        int code = in.code();
        int k = (int) in.k();
        switch (code & 0x07) {
            case Ebpf.LD -> load(code, in.k(), A);
            case Ebpf.LDX -> load(code, in.k(), X);
            case Ebpf.ST -> asm.store(Ebpf.W, Ebpf.FP, memory(k), A);
            case Ebpf.STX -> asm.store(Ebpf.W, Ebpf.FP, memory(k), X);
            case Ebpf.ALU -> alu(code, k);
            case Ebpf.JMP -> jump(i, in);
            case C_RET -> ret(code, in.k());
            case C_MISC -> { // tax or txa: a 32-bit register move
                boolean txa = (code & 0xf8) == C_TXA;
                asm.emit(Ebpf.ALU | Ebpf.MOV | Ebpf.X, txa ? A : X, txa ? X : A, 0, 0);
            }
            default -> throw new IllegalStateException("checked: " + code);
        }
    }

    private int memory(int word) {
        return memoryOffset + 4 * word;
    }

    private void load(int code, long k, int dst) {
        int size = code & 0x18;
        switch (code & 0xe0) {
            case Ebpf.IMM -> asm.mov32(dst, (int) k);
            case Ebpf.MEM -> asm.load(Ebpf.W, dst, Ebpf.FP, memory((int) k));
            case C_LEN -> {
                // The frame's length; a pointer difference, which the verifier allows privileged programs.
                asm.mov64Reg(dst, packetEnd);
                asm.alu64Reg(Ebpf.SUB, dst, packetStart);
            }
            case C_ABS -> absolute(size, k, dst);
            case C_IND -> indirect(size, k);
            case C_MSH -> {
                absolute(Ebpf.B, k, X);
                asm.emit(Ebpf.ALU | Ebpf.AND | Ebpf.K, X, 0, 0, 0xf);
                asm.emit(Ebpf.ALU | Ebpf.LSH | Ebpf.K, X, 0, 0, 2);
            }
            default -> throw new IllegalStateException("checked: " + code);
        }
    }

    /** dst = P[k:size], big-endian; past the frame's end: no match. */
    private void absolute(int size, long k, int dst) {
        int bytes = Ebpf.bytes(size);
        if (k + bytes > MAX_PACKET_OFFSET) {
            asm.ja(noMatch); // no frame is that long (FilterCheck knows this ends the path)
            return;
        }
        // T1 = data + k + bytes, compared with data_end: the verifier learns the range from it.
        asm.mov64Reg(T1, packetStart);
        asm.alu64(Ebpf.ADD, T1, (int) (k + bytes));
        asm.jumpReg(Ebpf.JMP, Ebpf.JGT, T1, packetEnd, noMatch);
        asm.load(size, dst, T1, -bytes);
        toHostOrder(size, dst);
    }

    /** A = P[X + k:size]. X + k wraps at 32 bits, as in cBPF. */
    private void indirect(int size, long k) {
        int bytes = Ebpf.bytes(size);
        asm.emit(Ebpf.ALU | Ebpf.MOV | Ebpf.X, T2, X, 0, 0);
        asm.emit(Ebpf.ALU | Ebpf.ADD | Ebpf.K, T2, 0, 0, (int) k);
        // Bounds the variable offset first: the verifier adds to a packet pointer only offsets it can bound.
        asm.jumpImm(Ebpf.JMP, Ebpf.JGT, T2, (int) (MAX_PACKET_OFFSET - bytes), noMatch);
        asm.mov64Reg(T1, packetStart);
        asm.alu64Reg(Ebpf.ADD, T1, T2);
        asm.mov64Reg(T2, T1);
        asm.alu64(Ebpf.ADD, T2, bytes);
        asm.jumpReg(Ebpf.JMP, Ebpf.JGT, T2, packetEnd, noMatch);
        asm.load(size, A, T1, 0);
        toHostOrder(size, A);
    }

    private void toHostOrder(int size, int reg) {
        if (size != Ebpf.B) {
            asm.emit(Ebpf.ALU | Ebpf.END | Ebpf.TO_BE, reg, 0, 0, 8 * Ebpf.bytes(size));
        }
    }

    private void alu(int code, int k) {
        int op = code & 0xf0;
        if (op == Ebpf.NEG) {
            asm.emit(Ebpf.ALU | Ebpf.NEG, A, 0, 0, 0);
            return;
        }
        if ((code & Ebpf.X) != 0) {
            if (op == Ebpf.DIV || op == Ebpf.MOD) {
                // cBPF: division by zero ends the filter with 0; eBPF would go on with 0 or A.
                asm.jumpImm(Ebpf.JMP32, Ebpf.JEQ, X, 0, noMatch);
            }
            asm.emit(Ebpf.ALU | op | Ebpf.X, A, X, 0, 0);
        } else {
            asm.emit(Ebpf.ALU | op | Ebpf.K, A, 0, 0, k);
        }
    }

    private void jump(int i, ClassicInstruction in) {
        int op = in.code() & 0xf0;
        if (op == Ebpf.JA) {
            asm.ja(labels[i + 1 + (int) in.k()]);
            return;
        }
        int whenTrue = labels[i + 1 + in.jt()];
        if ((in.code() & Ebpf.X) != 0) {
            asm.jumpReg(Ebpf.JMP32, op, A, X, whenTrue);
        } else {
            asm.jumpImm(Ebpf.JMP32, op, A, (int) in.k(), whenTrue);
        }
        if (in.jf() != 0) {
            asm.ja(labels[i + 1 + in.jf()]);
        }
    }

    private void ret(int code, long k) {
        int rval = code & 0x18;
        if (rval == Ebpf.K) {
            asm.ja(k != 0 ? match : noMatch);
        } else {
            asm.jumpImm(Ebpf.JMP32, Ebpf.JNE, rval == C_RVAL_A ? A : X, 0, match);
            asm.ja(noMatch);
        }
    }
}
