package dev.bpfwatch.capture;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import dev.bpfwatch.pcap.FilterException;

/**
 * Writes eBPF instructions with jumps to labels, resolved at the end into
 * the 16-bit relative offsets the instruction set has. Knows which labels
 * some jump uses, so callers can leave out code nothing reaches (the
 * verifier refuses unreachable instructions).
 */
final class Assembler {
    private final List<long[]> insns = new ArrayList<>(); // {code, dst, src, off, imm}
    private final List<int[]> fixups = new ArrayList<>(); // {instruction index, label}
    private final List<Integer> labels = new ArrayList<>();
    private final Set<Integer> used = new HashSet<>();

    /** A new label, placed later with {@link #bind}. */
    int label() {
        labels.add(-1);
        return labels.size() - 1;
    }

    void bind(int label) {
        labels.set(label, insns.size());
    }

    boolean referenced(int label) {
        return used.contains(label);
    }

    int size() {
        return insns.size();
    }

    void emit(int code, int dst, int src, int off, int imm) {
        insns.add(new long[] {code, dst, src, off, imm});
    }

    /** dst = imm (32-bit move: the upper half becomes 0). */
    void mov32(int dst, int imm) {
        emit(Ebpf.ALU | Ebpf.MOV | Ebpf.K, dst, 0, 0, imm);
    }

    void mov64(int dst, int imm) {
        emit(Ebpf.ALU64 | Ebpf.MOV | Ebpf.K, dst, 0, 0, imm);
    }

    void mov64Reg(int dst, int src) {
        emit(Ebpf.ALU64 | Ebpf.MOV | Ebpf.X, dst, src, 0, 0);
    }

    void alu64(int op, int dst, int imm) {
        emit(Ebpf.ALU64 | op | Ebpf.K, dst, 0, 0, imm);
    }

    void alu64Reg(int op, int dst, int src) {
        emit(Ebpf.ALU64 | op | Ebpf.X, dst, src, 0, 0);
    }

    void load(int size, int dst, int base, int off) {
        emit(Ebpf.LDX | Ebpf.MEM | size, dst, base, off, 0);
    }

    void store(int size, int base, int off, int src) {
        emit(Ebpf.STX | Ebpf.MEM | size, base, src, off, 0);
    }

    void storeImm(int size, int base, int off, int imm) {
        emit(Ebpf.ST | Ebpf.MEM | size, base, 0, off, imm);
    }

    /** dst = the map behind fd, for helpers that take a map (two instruction slots). */
    void loadMapFd(int dst, int mapFd) {
        emit(Ebpf.LD | Ebpf.IMM | Ebpf.DW, dst, Ebpf.PSEUDO_MAP_FD, 0, mapFd);
        emit(0, 0, 0, 0, 0);
    }

    void call(int helper) {
        emit(Ebpf.JMP | Ebpf.CALL, 0, 0, 0, helper);
    }

    void exit() {
        emit(Ebpf.JMP | Ebpf.EXIT, 0, 0, 0, 0);
    }

    void ja(int label) {
        jump(Ebpf.JMP | Ebpf.JA, 0, 0, 0, label);
    }

    /** if (dst op imm) goto label; {@code jmpClass} JMP compares 64 bits, JMP32 the lower 32. */
    void jumpImm(int jmpClass, int op, int dst, int imm, int label) {
        jump(jmpClass | op | Ebpf.K, dst, 0, imm, label);
    }

    void jumpReg(int jmpClass, int op, int dst, int src, int label) {
        jump(jmpClass | op | Ebpf.X, dst, src, 0, label);
    }

    private void jump(int code, int dst, int src, int imm, int label) {
        fixups.add(new int[] {insns.size(), label});
        used.add(label);
        emit(code, dst, src, 0, imm);
    }

    /**
     * The program as struct bpf_insn array bytes (8 bytes each, host order).
     *
     * @throws FilterException when a jump spans more than a 16-bit offset
     */
    byte[] assemble() {
        for (int[] f : fixups) {
            int target = labels.get(f[1]);
            if (target < 0) {
                throw new IllegalStateException("label " + f[1] + " never placed");
            }
            int off = target - f[0] - 1;
            if (off < Short.MIN_VALUE || off > Short.MAX_VALUE) {
                throw new FilterException("filter too large: a jump spans " + off + " eBPF instructions");
            }
            insns.get(f[0])[3] = off;
        }
        ByteBuffer b = ByteBuffer.allocate(insns.size() * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long[] i : insns) {
            b.put((byte) i[0]);
            b.put((byte) ((i[2] << 4) | i[1]));
            b.putShort((short) i[3]);
            b.putInt((int) i[4]);
        }
        return b.array();
    }
}
