package dev.bpfwatch.sockets;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Key of the socket_drops map (struct bpfwatch_socket_drop_key in
 * programs/socket_drops.bpf.c): drop reason number, local port and IP
 * protocol of the socket the packet was dropped at (both 0 without one).
 */
public record SocketDropKey(long reason, int port, int protocol) {
    public static final int SIZE = 8;

    public static SocketDropKey decode(byte[] key) {
        if (key.length != SIZE) {
            throw new IllegalArgumentException("socket drop key of " + key.length + " bytes, expected " + SIZE);
        }
        ByteBuffer b = ByteBuffer.wrap(key).order(ByteOrder.LITTLE_ENDIAN);
        return new SocketDropKey(Integer.toUnsignedLong(b.getInt(0)), Short.toUnsignedInt(b.getShort(4)),
                Short.toUnsignedInt(b.getShort(6)));
    }

    /** tcp, udp, ... as /etc/protocols spells them; "" when the packet had no socket. */
    public String protocolName() {
        switch (protocol) {
            case 0: return port == 0 ? "" : "ip";
            case 1: return "icmp";
            case 6: return "tcp";
            case 17: return "udp";
            case 58: return "ipv6-icmp";
            case 132: return "sctp";
            case 136: return "udplite";
            case 255: return "raw";
            default: return Integer.toString(protocol);
        }
    }
}
