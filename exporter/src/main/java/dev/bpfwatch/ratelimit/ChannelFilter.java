package dev.bpfwatch.ratelimit;

import dev.bpfwatch.libbpf.SocketFilter;
import dev.bpfwatch.libbpf.UdpSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.util.List;

/**
 * The in-process API: a service that owns its {@link DatagramChannel}
 * attaches a named filter to it directly.
 *
 * <p>How the channel's fd is found: the JDK hides it (sun.nio.ch, which
 * would need --add-opens and breaks with JDK internals). A bound socket has
 * a local port, /proc/self/net/udp{,6} maps that port to the socket's inode,
 * and /proc/self/fd maps the inode to our fd number; that path uses only
 * public interfaces. It needs the channel bound, and fails rather than
 * guesses when several of this process's sockets share the port
 * (SO_REUSEPORT groups).
 */
public final class ChannelFilter {
    private ChannelFilter() {
    }

    public static Attachment attach(DatagramChannel channel, String name, RateLimit limit) {
        return UdpRateLimiter.attach(name, List.of(locate(channel)), limit).get(0);
    }

    /** Takes whatever filter the channel has off it (the pins stay; see {@link UdpRateLimiter#detach}). */
    public static boolean detach(DatagramChannel channel) {
        SocketRef ref = locate(channel);
        try (UdpSocket socket = UdpRateLimiter.open(ref)) {
            return SocketFilter.detach(socket);
        }
    }

    static SocketRef locate(DatagramChannel channel) {
        int port;
        try {
            InetSocketAddress local = (InetSocketAddress) channel.getLocalAddress();
            if (local == null) {
                throw new TargetException("the channel is not bound: bind it before attaching a filter");
            }
            port = local.getPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<SocketRef> mine = UdpSockets.ofThisProcess(port);
        if (mine.size() != 1) {
            throw new TargetException(mine.isEmpty()
                    ? "no UDP socket of this process on port " + port
                    : mine.size() + " UDP sockets of this process share port " + port + ": cannot tell which is the channel");
        }
        return mine.get(0);
    }
}
