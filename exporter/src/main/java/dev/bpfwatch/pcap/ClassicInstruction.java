package dev.bpfwatch.pcap;

/**
 * One classic BPF instruction, as libpcap's struct bpf_insn holds it (u16
 * code, u8 jt, u8 jf, u32 k). {@code k} is kept in a long so that values
 * above 2^31 read as the unsigned numbers tcpdump -ddd prints.
 */
public record ClassicInstruction(int code, int jt, int jf, long k) {
    public ClassicInstruction {
        if (code < 0 || code > 0xffff || jt < 0 || jt > 0xff || jf < 0 || jf > 0xff || k < 0 || k > 0xffffffffL) {
            throw new IllegalArgumentException("instruction out of range: " + code + " " + jt + " " + jf + " " + k);
        }
    }

    /** tcpdump -ddd's form of one instruction: {@code code jt jf k}, decimal. */
    @Override
    public String toString() {
        return code + " " + jt + " " + jf + " " + k;
    }
}
