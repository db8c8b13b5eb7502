package dev.bpfwatch.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bpfwatch.pcap.ClassicFilter;
import dev.bpfwatch.pcap.ClassicInstruction;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The classic BPF forms libpcap does not emit for tcpdump expressions on a
 * dead handle (immediate loads, ldx len/mem, stx, txa, ja, ret A/X, jset X)
 * and the semantics at the edges (bounds, division by a zero X, 32-bit
 * wrap, unsigned compares), each run by the kernel as the translated capture
 * program, with its verdict worked out by hand from the cBPF definition.
 */
class ClassicSemanticsTest {
    /** 60-byte IPv4/UDP frame (ihl 5), TTL 64. */
    private static final byte[] IPV4 = Frames.ipv4Frame("10.0.0.1", "10.0.0.2", Frames.UDP, Frames.udp(1, 2, 18));
    /** 66-byte frame: IPv4 with one option word (ihl 6). */
    private static final byte[] IPV4_OPTIONS = Frames.ethernet(Frames.MAC_B, Frames.MAC_A, 0x0800,
            Frames.ipv4("10.0.0.1", "10.0.0.2", Frames.UDP, 64, 0, new byte[] {1, 1, 1, 0}, Frames.udp(1, 2, 20)));
    private static final byte[] IPV6 = Frames.ipv6Frame("2001:db8::1", "2001:db8::2", Frames.UDP, Frames.udp(1, 2, 0));
    private static final byte[] ARP = Frames.ethernet(Frames.BROADCAST, Frames.MAC_A, 0x0806,
            Frames.arp(1, Frames.MAC_A, "10.0.0.1", "10.0.0.2"));

    @Test
    void formsAndEdgesGiveTheDefinedVerdicts() {
        List<String> wrong = new ArrayList<>();
        // ld #k; st M[3]; ldx M[3]; txa; ret A: A = k, a match iff k != 0
        check(wrong, "ld imm, st, ldx mem, txa, ret A", "5,0 0 0 42,2 0 0 3,97 0 0 3,135 0 0 0,22 0 0 0", IPV4, true);
        check(wrong, "ret A of 0", "5,0 0 0 0,2 0 0 3,97 0 0 3,135 0 0 0,22 0 0 0", IPV4, false);
        // ldx #7; stx M[15]; ld M[15]; jeq #7
        check(wrong, "ldx imm, stx, ld mem", "6,1 0 0 7,3 0 0 15,96 0 0 15,21 0 1 7,6 0 0 1,6 0 0 0", IPV4, true);
        // ldx len; txa; jgt #60
        check(wrong, "ldx len of 60", "5,129 0 0 0,135 0 0 0,37 0 1 60,6 0 0 1,6 0 0 0", IPV4, false);
        check(wrong, "ldx len of 66", "5,129 0 0 0,135 0 0 0,37 0 1 60,6 0 0 1,6 0 0 0", IPV4_OPTIONS, true);
        // ldh [12]; ldx #0x800; jset X
        check(wrong, "jset X, IPv4", "5,40 0 0 12,1 0 0 2048,77 0 1 0,6 0 0 1,6 0 0 0", IPV4, true);
        check(wrong, "jset X, ARP 0x806", "5,40 0 0 12,1 0 0 2048,77 0 1 0,6 0 0 1,6 0 0 0", ARP, true);
        check(wrong, "jset X, IPv6 0x86dd", "5,40 0 0 12,1 0 0 2048,77 0 1 0,6 0 0 1,6 0 0 0", IPV6, false);
        check(wrong, "ja over ret #0", "3,5 0 0 1,6 0 0 0,6 0 0 1", IPV4, true);
        check(wrong, "ret X of 3", "2,1 0 0 3,14 0 0 0", IPV4, true);
        check(wrong, "ret X of 0", "2,1 0 0 0,14 0 0 0", IPV4, false);
        // cBPF: a division by a zero X ends the filter returning 0, whatever comes after
        check(wrong, "div by X = 0", "4,0 0 0 10,1 0 0 0,60 0 0 0,6 0 0 1", IPV4, false);
        check(wrong, "mod by X = 0", "4,0 0 0 10,1 0 0 0,156 0 0 0,6 0 0 1", IPV4, false);
        check(wrong, "div by X = 2", "6,0 0 0 10,1 0 0 2,60 0 0 0,21 0 1 5,6 0 0 1,6 0 0 0", IPV4, true);
        // absolute loads at the frame's edge: bytes 56..59 exist in a 60-byte frame, 57..60 do not
        check(wrong, "ld [56] in 60 bytes", "2,32 0 0 56,6 0 0 1", IPV4, true);
        check(wrong, "ld [57] in 60 bytes", "2,32 0 0 57,6 0 0 1", IPV4, false);
        check(wrong, "ldb [59]", "2,48 0 0 59,6 0 0 1", IPV4, true);
        check(wrong, "ldb [60]", "2,48 0 0 60,6 0 0 1", IPV4, false);
        check(wrong, "ld [65534]: no frame is that long", "2,32 0 0 65534,6 0 0 1", IPV4, false);
        // indirect loads: X + k at the edge, and X + k wrapping at 32 bits to offset 0
        check(wrong, "ldb [x+9], x=50", "3,1 0 0 50,80 0 0 9,6 0 0 1", IPV4, true);
        check(wrong, "ldb [x+10], x=50", "3,1 0 0 50,80 0 0 10,6 0 0 1", IPV4, false);
        check(wrong, "ldh [x+1], x=0xffffffff: offset 0", "5,1 0 0 4294967295,72 0 0 1,21 0 1 512,6 0 0 1,6 0 0 0",
                IPV4, true);
        // big-endian: bytes 12-13 (0x0800) and 14-17 (0x45000000 + total length 46)
        check(wrong, "ldh [12] big-endian", "4,40 0 0 12,21 0 1 2048,6 0 0 1,6 0 0 0", IPV4, true);
        check(wrong, "ld [14] big-endian", "4,32 0 0 14,21 0 1 1157627950,6 0 0 1,6 0 0 0", IPV4, true);
        // ldxb 4*([14]&0xf): the IPv4 header length
        check(wrong, "ldx msh ihl 6", "5,177 0 0 14,135 0 0 0,21 0 1 24,6 0 0 1,6 0 0 0", IPV4_OPTIONS, true);
        check(wrong, "neg", "5,0 0 0 1,132 0 0 0,21 0 1 4294967295,6 0 0 1,6 0 0 0", IPV4, true);
        check(wrong, "jgt is unsigned", "4,0 0 0 2147483648,37 0 1 2147483647,6 0 0 1,6 0 0 0", IPV4, true);
        check(wrong, "rsh is logical", "5,0 0 0 2147483648,116 0 0 31,21 0 1 1,6 0 0 1,6 0 0 0", IPV4, true);
        check(wrong, "add wraps at 32 bits", "5,0 0 0 4294967295,4 0 0 2,21 0 1 1,6 0 0 1,6 0 0 0", IPV4, true);
        check(wrong, "an instruction nothing reaches", "2,6 0 0 1,6 0 0 0", IPV4, true);
        check(wrong, "ret #0 only", "1,6 0 0 0", IPV4, false);
        assertEquals(List.of(), wrong);
    }

    private static void check(List<String> wrong, String what, String raw, byte[] packet, boolean expected) {
        List<ClassicInstruction> program = ClassicFilter.parseRaw(raw);
        try (FilterRun run = new FilterRun(program, XdpAction.DROP, CaptureOptions.DEFAULT_SNAPLEN)) {
            boolean matched = run.matches(packet);
            if (matched != expected) {
                wrong.add(what + ": matched " + matched);
            }
            List<CaptureSample> samples = run.drain();
            if (samples.size() != (expected ? 1 : 0)) {
                wrong.add(what + ": " + samples.size() + " samples");
            }
        }
    }
}
