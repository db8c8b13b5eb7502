package dev.bpfwatch.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A deliberately slow UDP receiver: small receive buffer, a pause after
 * every read. It keeps up with a rate-limited stream (a few thousand packets
 * a second) and overflows under an unlimited flood, which is the situation
 * the filter exists for. Datagrams carry 'F' (flood) or 'L' (legitimate)
 * first, so one socket bound to the wildcard address counts both.
 */
public final class UdpReceiver implements AutoCloseable {
    /**
     * Asked for; the kernel doubles it (capped by net.core.rmem_max): about
     * 2500 small datagrams here, over two seconds of the limited stream, so
     * a noisy machine's scheduling stalls do not overflow it with the filter
     * on, while an unlimited flood fills it within milliseconds.
     */
    public static final int RCVBUF = 1024 * 1024;
    /** Reads at most a few thousand datagrams a second: far above the limits used, far below a flood. */
    static final long PAUSE_NS = TimeUnit.MICROSECONDS.toNanos(200);

    private final DatagramChannel channel;
    private final AtomicLong flood = new AtomicLong();
    private final AtomicLong legit = new AtomicLong();
    private final AtomicLong lastReceiveNs = new AtomicLong(System.nanoTime());
    private final Thread reader;

    private UdpReceiver(DatagramChannel channel) {
        this.channel = channel;
        this.reader = new Thread(this::readLoop, "udp-receiver");
        reader.setDaemon(true);
        reader.start();
    }

    /** Bound to 0.0.0.0 (v4) or :: (v6) on an ephemeral port. */
    public static UdpReceiver open(boolean ipv6) {
        try {
            DatagramChannel ch = DatagramChannel.open(ipv6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
            ch.setOption(StandardSocketOptions.SO_RCVBUF, RCVBUF);
            ch.bind(new InetSocketAddress(InetAddress.getByName(ipv6 ? "::" : "0.0.0.0"), 0));
            return new UdpReceiver(ch);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public DatagramChannel channel() {
        return channel;
    }

    public int port() {
        try {
            return ((InetSocketAddress) channel.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void readLoop() {
        ByteBuffer buf = ByteBuffer.allocate(2048);
        try {
            while (true) {
                buf.clear();
                channel.receive(buf);
                lastReceiveNs.set(System.nanoTime());
                (buf.get(0) == 'F' ? flood : legit).incrementAndGet();
                LockSupport.parkNanos(PAUSE_NS);
            }
        } catch (IOException closed) {
            // close() ends the loop
        }
    }

    /** Waits until nothing has arrived for a while: the buffer is drained. */
    public void awaitQuiet() {
        long quietNs = TimeUnit.MILLISECONDS.toNanos(500);
        while (System.nanoTime() - lastReceiveNs.get() < quietNs) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    /** Counts since the last reset: [flood, legit]. */
    public long[] takeCounts() {
        return new long[] {flood.getAndSet(0), legit.getAndSet(0)};
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
