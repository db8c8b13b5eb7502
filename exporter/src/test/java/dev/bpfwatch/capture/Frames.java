package dev.bpfwatch.capture;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/** Ethernet frames built byte by byte for tests: what a filter sees, with nothing of a real stack in between. */
final class Frames {
    static final String MAC_A = "02:00:00:00:00:01";
    static final String MAC_B = "02:00:00:00:00:02";
    static final String BROADCAST = "ff:ff:ff:ff:ff:ff";
    static final int TCP = 6;
    static final int UDP = 17;
    static final int ICMP = 1;
    static final int ICMP6 = 58;
    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;
    static final int PSH = 0x08;
    static final int ACK = 0x10;
    static final int URG = 0x20;
    static final int ECE = 0x40;

    private Frames() {
    }

    static byte[] ethernet(String dst, String src, int type, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + payload.length);
        b.put(mac(dst)).put(mac(src)).putShort((short) type).put(payload);
        return b.array();
    }

    static byte[] vlan(int id, int type, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(4 + payload.length);
        b.putShort((short) id).putShort((short) type).put(payload);
        return b.array();
    }

    static byte[] vlanFrame(int id, int type, byte[] payload) {
        return ethernet(MAC_B, MAC_A, 0x8100, vlan(id, type, payload));
    }

    static byte[] ipv4Frame(String src, String dst, int proto, byte[] l4) {
        return ethernet(MAC_B, MAC_A, 0x0800, ipv4(src, dst, proto, 64, 0, new byte[0], l4));
    }

    /** @param fragment the 16-bit flags + fragment offset field */
    static byte[] ipv4(String src, String dst, int proto, int ttl, int fragment, byte[] options, byte[] l4) {
        int header = 20 + options.length;
        ByteBuffer b = ByteBuffer.allocate(header + l4.length);
        b.put((byte) (0x40 | header / 4)).put((byte) 0).putShort((short) (header + l4.length))
                .putShort((short) 0x1234).putShort((short) fragment).put((byte) ttl).put((byte) proto)
                .putShort((short) 0).put(addr(src)).put(addr(dst)).put(options).put(l4);
        return b.array();
    }

    static byte[] ipv6Frame(String src, String dst, int next, byte[] l4) {
        return ethernet(MAC_B, MAC_A, 0x86dd, ipv6(src, dst, next, l4));
    }

    static byte[] ipv6(String src, String dst, int next, byte[] l4) {
        ByteBuffer b = ByteBuffer.allocate(40 + l4.length);
        b.putInt(0x60000000).putShort((short) l4.length).put((byte) next).put((byte) 64)
                .put(addr(src)).put(addr(dst)).put(l4);
        return b.array();
    }

    static byte[] tcp(int sport, int dport, int flags, int payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload);
        b.putShort((short) sport).putShort((short) dport).putInt(1000).putInt(flags == SYN ? 0 : 2000)
                .put((byte) 0x50).put((byte) flags).putShort((short) 65535).putShort((short) 0).putShort((short) 0);
        for (int i = 0; i < payload; i++) {
            b.put((byte) ("GET / HTTP/1.1\r\n".charAt(i % 16)));
        }
        return b.array();
    }

    static byte[] udp(int sport, int dport, int payload) {
        ByteBuffer b = ByteBuffer.allocate(8 + payload);
        b.putShort((short) sport).putShort((short) dport).putShort((short) (8 + payload)).putShort((short) 0);
        for (int i = 0; i < payload; i++) {
            b.put((byte) i);
        }
        return b.array();
    }

    static byte[] icmp(int type, int code, int payload) {
        ByteBuffer b = ByteBuffer.allocate(8 + payload);
        b.put((byte) type).put((byte) code).putShort((short) 0).putInt(0x00010001);
        return b.array();
    }

    static byte[] arp(int op, String senderMac, String senderIp, String targetIp) {
        ByteBuffer b = ByteBuffer.allocate(28);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) op)
                .put(mac(senderMac)).put(addr(senderIp)).put(new byte[6]).put(addr(targetIp));
        return b.array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] mac(String text) {
        String[] p = text.split(":");
        byte[] m = new byte[6];
        for (int i = 0; i < 6; i++) {
            m[i] = (byte) Integer.parseInt(p[i], 16);
        }
        return m;
    }

    static byte[] addr(String text) {
        try {
            return InetAddress.getByName(text).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
