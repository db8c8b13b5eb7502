package dev.bpfwatch.sockets;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Key of the socket_drops map (struct bpfwatch_socket_drop_key in
 * programs/socket_drops.bpf.c): drop reason number and the socket the
 * packet was dropped at: its address family, network namespace (inode),
 * the cgroup of the process that created it, and for inet sockets its local
 * port and IP protocol. Family 0: the packet had no socket.
 */
public record SocketDropKey(long reason, int port, int protocol, int family, long netns, long cgroupId) {
    public static final int SIZE = 24;
    static final int AF_UNIX = 1;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;

    /** An inet socket's key in the agent's own netns, no cgroup: for tests of labels. */
    public SocketDropKey(long reason, int port, int protocol) {
        this(reason, port, protocol, port == 0 && protocol == 0 ? 0 : AF_INET, 0, 0);
    }

    public static SocketDropKey decode(byte[] key) {
        if (key.length != SIZE) {
            throw new IllegalArgumentException("socket drop key of " + key.length + " bytes, expected " + SIZE);
        }
        ByteBuffer b = ByteBuffer.wrap(key).order(ByteOrder.LITTLE_ENDIAN);
        return new SocketDropKey(Integer.toUnsignedLong(b.getInt(0)), Short.toUnsignedInt(b.getShort(4)),
                Short.toUnsignedInt(b.getShort(6)), Short.toUnsignedInt(b.getShort(8)),
                Integer.toUnsignedLong(b.getInt(12)), b.getLong(16));
    }

    public boolean hasSocket() {
        return family != 0;
    }

    public boolean inet() {
        return family == AF_INET || family == AF_INET6;
    }

    /** inet, inet6, unix, netlink, packet, ... as `ss` names them; "" when the packet had no socket. */
    public String familyName() {
        switch (family) {
            case 0: return "";
            case AF_UNIX: return "unix";
            case AF_INET: return "inet";
            case AF_INET6: return "inet6";
            case 16: return "netlink";
            case 17: return "packet";
            case 40: return "vsock";
            case 44: return "xdp";
            default: return "af" + family;
        }
    }

    /** The local port of an inet socket; "" for other families and without a socket. */
    public String portText() {
        return inet() ? Integer.toString(port) : "";
    }

    /** tcp, udp, ... as /etc/protocols spells them; "" for sockets of other families and without a socket. */
    public String protocolName() {
        if (!inet()) {
            return "";
        }
        switch (protocol) {
            case 0: return "ip";
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
