package dev.bpfwatch.capture;

import dev.bpfwatch.pcap.ClassicInstruction;
import dev.bpfwatch.pcap.FilterException;
import java.util.List;
import java.util.TreeSet;

/**
 * What the kernel's classic BPF checker refuses, refused before translation
 * with the instruction's index; and which instructions some path reaches,
 * because the eBPF verifier refuses code that none does.
 */
final class FilterCheck {
    private static final long MAX_PACKET_OFFSET = 0xffff;

    private FilterCheck() {
    }

    /** @return per instruction, whether a path from the first reaches it */
    static boolean[] check(List<ClassicInstruction> program) {
        int n = program.size();
        if (n == 0 || n > dev.bpfwatch.pcap.ClassicFilter.MAX_INSTRUCTIONS) {
            throw new FilterException("filter has " + n + " instructions: must be 1 to "
                    + dev.bpfwatch.pcap.ClassicFilter.MAX_INSTRUCTIONS);
        }
        for (int i = 0; i < n; i++) {
            valid(i, program.get(i), n);
        }
        if ((program.get(n - 1).code() & 0x07) != 0x06) {
            // As the kernel's checker: every path must end in a ret, so the last instruction is one.
            throw new FilterException("filter instruction " + (n - 1) + ": the last instruction must be a ret");
        }
        boolean[] reach = new boolean[n];
        reach[0] = true;
        for (int i = 0; i < n; i++) {
            if (!reach[i]) {
                continue;
            }
            ClassicInstruction in = program.get(i);
            int cls = in.code() & 0x07;
            if (cls == 0x06 || endsPath(in)) {
                continue;
            }
            if (cls == Ebpf.JMP) {
                if ((in.code() & 0xf0) == Ebpf.JA) {
                    reach[i + 1 + (int) in.k()] = true;
                } else {
                    reach[i + 1 + in.jt()] = true;
                    reach[i + 1 + in.jf()] = true;
                }
            } else {
                reach[i + 1] = true;
            }
        }
        return reach;
    }

    /** Scratch memory words some load reads. */
    static TreeSet<Integer> memoryRead(List<ClassicInstruction> program) {
        TreeSet<Integer> words = new TreeSet<>();
        for (ClassicInstruction in : program) {
            int cls = in.code() & 0x07;
            if ((cls == Ebpf.LD || cls == Ebpf.LDX) && (in.code() & 0xe0) == Ebpf.MEM) {
                words.add((int) in.k());
            }
        }
        return words;
    }

    /** An absolute load no frame can satisfy: the translation jumps straight to "no match". */
    private static boolean endsPath(ClassicInstruction in) {
        int cls = in.code() & 0x07;
        int mode = in.code() & 0xe0;
        if ((cls == Ebpf.LD && mode == 0x20) || (cls == Ebpf.LDX && mode == 0xa0)) {
            return in.k() + Ebpf.bytes(in.code() & 0x18) > MAX_PACKET_OFFSET;
        }
        return false;
    }

    private static void valid(int i, ClassicInstruction in, int n) {
        int code = in.code();
        int cls = code & 0x07;
        long k = in.k();
        // class (3 bits), size or source (2), mode or operation (3): anything above is no opcode
        boolean ok = code <= 0xff && switch (cls) {
            case Ebpf.LD -> switch (code & 0xe0) {
                case 0x00, 0x80 -> (code & 0x18) == Ebpf.W;
                case 0x60 -> (code & 0x18) == Ebpf.W && memoryIndex(i, k);
                case 0x20, 0x40 -> (code & 0x18) != Ebpf.DW;
                default -> false;
            };
            case Ebpf.LDX -> switch (code & 0xe0) {
                case 0x00, 0x80 -> (code & 0x18) == Ebpf.W;
                case 0x60 -> (code & 0x18) == Ebpf.W && memoryIndex(i, k);
                case 0xa0 -> (code & 0x18) == Ebpf.B;
                default -> false;
            };
            case Ebpf.ST, Ebpf.STX -> code == cls && memoryIndex(i, k);
            case Ebpf.ALU -> alu(i, code, k);
            case Ebpf.JMP -> jump(i, code, in, n);
            case 0x06 -> (code & ~0x18) == 0x06 && (code & 0x18) != 0x18;
            case 0x07 -> code == 0x07 || code == 0x87;
            default -> false;
        };
        if (!ok) {
            throw new FilterException("filter instruction " + i + ": unknown opcode 0x" + Integer.toHexString(code));
        }
    }

    private static boolean memoryIndex(int i, long k) {
        if (k >= FilterTranslator.MEMORY_WORDS) {
            throw new FilterException("filter instruction " + i + ": scratch memory M[" + k + "] does not exist (0-15)");
        }
        return true;
    }

    private static boolean alu(int i, int code, long k) {
        int op = code & 0xf0;
        boolean byK = (code & Ebpf.X) == 0;
        switch (op) {
            case Ebpf.ADD, Ebpf.SUB, Ebpf.MUL, Ebpf.OR, Ebpf.AND, Ebpf.XOR:
                return true;
            case Ebpf.DIV, Ebpf.MOD:
                if (byK && k == 0) {
                    throw new FilterException("filter instruction " + i + ": division by the constant 0");
                }
                return true;
            case Ebpf.LSH, Ebpf.RSH:
                if (byK && k >= 32) {
                    throw new FilterException("filter instruction " + i + ": shift by " + k + " (must be below 32)");
                }
                return true;
            case Ebpf.NEG:
                return byK;
            default:
                return false;
        }
    }

    private static boolean jump(int i, int code, ClassicInstruction in, int n) {
        int op = code & 0xf0;
        if (op == Ebpf.JA) {
            if ((code & Ebpf.X) != 0) {
                return false;
            }
            if (i + 1 + in.k() >= n) {
                throw new FilterException("filter instruction " + i + ": jump past the end of the program");
            }
            return true;
        }
        if (op != Ebpf.JEQ && op != Ebpf.JGT && op != Ebpf.JGE && op != Ebpf.JSET) {
            return false;
        }
        if (i + 1 + Math.max(in.jt(), in.jf()) >= n) {
            throw new FilterException("filter instruction " + i + ": jump past the end of the program");
        }
        return true;
    }
}
