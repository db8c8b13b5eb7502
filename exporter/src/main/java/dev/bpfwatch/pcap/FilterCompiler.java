package dev.bpfwatch.pcap;

import java.util.ArrayList;
import java.util.List;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * tcpdump expressions to classic BPF, by libpcap itself on a dead Ethernet
 * handle: the same instructions {@code tcpdump -d} prints, without opening
 * any device. A dead handle has no kernel behind it, so libpcap never emits
 * the Linux-only auxiliary loads (vlan tag, ifindex) that XDP cannot answer.
 */
public final class FilterCompiler {
    /** DLT_EN10MB: XDP sees Ethernet frames. */
    private static final int DLT_EN10MB = 1;
    /** PCAP_NETMASK_UNKNOWN: only `ip broadcast` needs a netmask, and it then says so. */
    private static final int NETMASK_UNKNOWN = 0xffffffff;
    /** struct bpf_program: u_int bf_len at 0, struct bpf_insn *bf_insns at 8 (x86-64). */
    private static final int PROGRAM_SIZE = 16;
    private static final int INSN_SIZE = 8;

    private FilterCompiler() {
    }

    /**
     * Compiles {@code expression} (optimized, as tcpdump does) for packets
     * captured up to {@code snaplen} bytes.
     *
     * @throws FilterException with libpcap's own message when it rejects the expression
     */
    public static List<ClassicInstruction> compile(String expression, int snaplen) {
        // libpcap before 1.8 kept the parser's state in globals; a lock costs nothing here.
        synchronized (FilterCompiler.class) {
            Pointer pcap = Libpcap.PCAP.pcap_open_dead(DLT_EN10MB, snaplen);
            if (pcap == null) {
                throw new FilterException("libpcap: pcap_open_dead failed");
            }
            try {
                Pointer program = Memory.allocateDirect(Libpcap.RUNTIME, PROGRAM_SIZE, true);
                if (Libpcap.PCAP.pcap_compile(pcap, program, expression, 1, NETMASK_UNKNOWN) != 0) {
                    throw new FilterException("filter '" + expression + "': " + Libpcap.PCAP.pcap_geterr(pcap));
                }
                try {
                    return read(program);
                } finally {
                    Libpcap.PCAP.pcap_freecode(program);
                }
            } finally {
                Libpcap.PCAP.pcap_close(pcap);
            }
        }
    }

    private static List<ClassicInstruction> read(Pointer program) {
        int count = program.getInt(0);
        Pointer insns = program.getPointer(8);
        List<ClassicInstruction> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long at = (long) i * INSN_SIZE;
            out.add(new ClassicInstruction(insns.getShort(at) & 0xffff, insns.getByte(at + 2) & 0xff,
                    insns.getByte(at + 3) & 0xff, insns.getInt(at + 4) & 0xffffffffL));
        }
        return out;
    }
}
