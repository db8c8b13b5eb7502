package dev.bpfwatch.capture;

import static dev.bpfwatch.capture.Frames.*;

import java.util.List;

/**
 * The packets the differential test runs every filter over: each protocol,
 * address family, flag and size a corpus filter asks about, plus the
 * awkward ones (IP options, fragments, VLAN tags, truncated headers).
 */
final class Corpus {
    private Corpus() {
    }

    /** The packets as pcap (our writer), packet i (from 1) stamped epochSecond + i seconds. */
    static void writePcap(java.nio.file.Path file, long epochSecond) throws java.io.IOException {
        List<byte[]> packets = packets();
        try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(file);
             PcapWriter w = new PcapWriter(out, CaptureOptions.DEFAULT_SNAPLEN)) {
            for (int i = 0; i < packets.size(); i++) {
                byte[] p = packets.get(i);
                w.write(new CaptureSample(0, 1, 0, XdpAction.PASS, p.length, p), (epochSecond + i + 1) * 1_000_000_000L);
            }
        }
    }

    /** The frames of a pcap file (any of the two microsecond/nanosecond magics, little-endian), in order. */
    static List<byte[]> readPcap(java.nio.file.Path file) throws java.io.IOException {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(java.nio.file.Files.readAllBytes(file))
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        List<byte[]> out = new java.util.ArrayList<>();
        for (int at = 24; at + 16 <= b.limit(); ) {
            int captured = b.getInt(at + 8);
            byte[] frame = new byte[captured];
            b.get(at + 16, frame);
            out.add(frame);
            at += 16 + captured;
        }
        return out;
    }

    static List<byte[]> packets() {
        byte[] noOptions = new byte[0];
        byte[] ipOption = {1, 1, 1, 0}; // NOP NOP NOP END: ihl 6
        return List.of(
                ipv4Frame("10.0.0.1", "10.0.0.2", TCP, tcp(40000, 80, SYN, 0)),
                ipv4Frame("10.0.0.2", "10.0.0.1", TCP, tcp(80, 40000, SYN | ACK, 0)),
                ipv4Frame("10.0.0.1", "10.0.0.2", TCP, tcp(40000, 80, PSH | ACK, 200)),
                ipv4Frame("10.0.0.1", "10.0.0.2", TCP, tcp(40000, 80, FIN | ACK, 0)),
                ipv4Frame("10.0.0.2", "10.0.0.1", TCP, tcp(80, 40000, RST, 0)),
                ipv4Frame("192.168.1.10", "10.0.0.2", TCP, tcp(51000, 443, SYN, 0)),
                ethernet(MAC_B, MAC_A, 0x0800, ipv4("10.0.0.1", "10.0.0.2", TCP, 64, 0, ipOption, tcp(40001, 22, PSH | ACK, 48))),
                ipv4Frame("10.0.0.1", "192.0.2.53", UDP, udp(33000, 53, 30)),
                ipv4Frame("192.0.2.53", "10.0.0.1", UDP, udp(53, 33000, 90)),
                ethernet("01:00:5e:00:00:fb", MAC_A, 0x0800, ipv4("10.0.0.1", "224.0.0.251", UDP, 255, 0, noOptions, udp(5353, 5353, 40))),
                ipv4Frame("10.0.0.1", "10.0.0.2", UDP, udp(33001, 9999, 1000)),
                ipv4Frame("10.0.0.1", "10.0.0.2", ICMP, icmp(8, 0, 56)),
                ipv4Frame("10.0.0.2", "10.0.0.1", ICMP, icmp(0, 0, 56)),
                ipv4Frame("10.0.0.2", "10.0.0.1", ICMP, icmp(3, 3, 28)),
                ethernet(MAC_B, MAC_A, 0x0800, ipv4("10.0.0.1", "10.0.0.2", UDP, 64, 0x2000, noOptions, udp(33002, 53, 600))),
                ethernet(MAC_B, MAC_A, 0x0800, ipv4("10.0.0.1", "10.0.0.2", UDP, 64, 185, noOptions, new byte[200])),
                ipv6Frame("2001:db8::1", "2001:db8::2", TCP, tcp(40000, 80, SYN, 0)),
                ipv6Frame("2001:db8::2", "2001:db8::1", UDP, udp(53, 33000, 64)),
                ipv6Frame("2001:db8::1", "2001:db8::2", ICMP6, icmp(128, 0, 32)),
                ethernet("33:33:ff:00:00:02", MAC_A, 0x86dd, ipv6("fe80::1", "ff02::1:ff00:2", ICMP6, icmp(135, 0, 24))),
                vlanFrame(100, 0x0800, ipv4("10.0.0.1", "10.0.0.2", TCP, 64, 0, noOptions, tcp(40002, 80, SYN, 0))),
                vlanFrame(200, 0x0800, ipv4("10.0.0.3", "192.0.2.53", UDP, 64, 0, noOptions, udp(33003, 53, 20))),
                vlanFrame(100, 0x86dd, ipv6("2001:db8::3", "2001:db8::2", UDP, udp(33004, 53, 20))),
                ethernet(BROADCAST, MAC_A, 0x0806, arp(1, MAC_A, "10.0.0.1", "10.0.0.2")),
                ethernet(MAC_A, MAC_B, 0x0806, arp(2, MAC_B, "10.0.0.2", "10.0.0.1")),
                // IPv4 header says TCP, the frame ends with the IP header: port loads fall off the end
                ethernet(MAC_B, MAC_A, 0x0800, ipv4("10.0.0.1", "10.0.0.2", TCP, 64, 0, noOptions, new byte[0])),
                ethernet(MAC_B, MAC_A, 0x88b5, new byte[46]),
                ethernet(MAC_B, MAC_A, 0x0800, new byte[0]),
                ipv4Frame("10.1.2.3", "10.0.0.2", TCP, tcp(45000, 8080, PSH | ACK, 16)),
                ipv4Frame("172.16.5.4", "10.0.0.1", UDP, udp(123, 123, 48)),
                ethernet(BROADCAST, MAC_A, 0x0800, ipv4("0.0.0.0", "255.255.255.255", UDP, 64, 0, noOptions, udp(68, 67, 300))),
                ethernet(MAC_B, MAC_A, 0x0800, ipv4("10.0.0.1", "10.0.0.2", UDP, 1, 0, noOptions, udp(33005, 33434, 12))),
                ipv4Frame("10.0.0.1", "10.0.0.2", ICMP, icmp(13, 0, 12)),
                ipv4Frame("10.0.0.1", "10.0.0.2", 132, new byte[32]),
                ipv4Frame("10.0.0.1", "10.0.0.2", 47, new byte[24]),
                ipv4Frame("10.0.0.1", "10.0.0.2", TCP, tcp(40003, 80, URG | ECE | ACK, 4)),
                ipv4Frame("127.0.0.1", "127.0.0.1", TCP, tcp(50000, 2049, SYN, 0)),
                ipv6Frame("::1", "::1", UDP, udp(5000, 5001, 1200)),
                // TTL 0: a divisor of 0 for the filters that divide by ip[8]
                ethernet(MAC_B, MAC_A, 0x0800, ipv4("10.0.0.1", "10.0.0.2", UDP, 0, 0, noOptions, udp(33006, 7, 10))));
    }

    /** tcpdump expressions: hosts, nets, ports, protocols, ip6, vlan, flags, arithmetic, lengths, negations. */
    static List<String> filters() {
        return List.of(
                "", "tcp", "udp", "icmp", "ip", "ip6", "arp", "vlan", "vlan 100", "vlan and udp",
                "vlan 200 and udp port 53", "host 10.0.0.1", "src host 10.0.0.1", "dst host 10.0.0.2",
                "net 10.0.0.0/8", "net 192.168.0.0/16", "src net 172.16.0.0/12", "host 127.0.0.1",
                "port 80", "tcp port 80", "udp port 53", "portrange 1-1024", "dst port 443", "src port 40000",
                "port 53 or port 123", "tcp[tcpflags] & tcp-syn != 0", "tcp[tcpflags] == tcp-syn",
                "tcp[tcpflags] & (tcp-fin|tcp-rst) != 0", "tcp[13] & 0x12 == 0x12", "tcp[tcpflags] & tcp-urg != 0",
                "tcp dst port 80 and (tcp[tcpflags] & tcp-push != 0)",
                "ip[2:2] > 100", "len <= 100", "len > 500", "greater 200", "less 64",
                "ether host 02:00:00:00:00:01", "ether src 02:00:00:00:00:02", "ether broadcast", "ether multicast",
                "ip multicast", "ether proto 0x88b5",
                "icmp[icmptype] == icmp-echo", "icmp[icmptype] != icmp-echo and icmp[icmptype] != icmp-echoreply",
                "icmp6", "ip6 and tcp", "ip6 host 2001:db8::1", "ip6 net 2001:db8::/32", "ip6 and udp port 53",
                "not tcp", "not ip", "tcp and not port 80", "(tcp or udp) and host 10.0.0.2",
                "ip and not net 10.0.0.0/8", "ip proto 132", "proto gre", "ip[8] == 1",
                "ip[6:2] & 0x1fff != 0", "ip[6] & 0x20 != 0", "udp and ip[6:2] & 0x1fff = 0",
                "tcp[0:2] > 1024", "ip[0] & 0xf > 5", "tcp[20:4] = 0x47455420",
                "tcp and (ip[2:2] - ((ip[0]&0xf)<<2) - ((tcp[12]&0xf0)>>2)) > 0",
                "ip src 10.0.0.1 and (dst port 80 or dst port 443)",
                "ip[2:2] / 10 > 10", "ip[2:2] % 7 == 3", "ip[2:2] * 2 > 300", "ip[8] ^ 0xff == 0xbf",
                "ip[2:2] >> 2 > 20", "ip[2:2] << 1 > 200", "ip[2:2] | 1 == 41", "ip[2:2] - 20 > 100",
                "-ip[8] & 0xff == 0xc0", "udp[8:2] == 0x0001", "udp and len - 42 > 100", "tcp or icmp or arp",
                // the X forms of ALU operations and jumps: both operands from the packet
                "ip[2:2] + ip[8] > 100", "ip[2:2] - ip[8] > ip[9]", "ip[2:2] * ip[9] > 1000", "ip[2:2] / ip[8] > 1",
                "ip[2:2] % ip[8] == 0", "ip[8] & ip[9] == ip[9]", "ip[2:2] | ip[8] > 200", "ip[2:2] ^ ip[8] > 100",
                "ip[2:2] << (ip[8] & 3) > 200", "ip[2:2] >> (ip[8] & 7) > 10", "ip[2:2] > ip[8]", "ip[2:2] >= ip[9]",
                "len == ip[2:2] + 14", "ip[ip[0] & 0xf] > 0", "tcp[tcp[12] >> 4] != 1", "udp[0:2] + udp[2:2] > 20000");
    }
}
