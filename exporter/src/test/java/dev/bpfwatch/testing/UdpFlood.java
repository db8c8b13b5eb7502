package dev.bpfwatch.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * One round of test traffic to a receiver: a flood to one destination
 * address, sent in a tight loop, and meanwhile a paced client to another.
 * Destinations must be local (loopback, or addresses inside a test netns).
 */
public final class UdpFlood {
    private static final int PAYLOAD = 64;

    private UdpFlood() {
    }

    /** What was sent; floodNanos from the first flood datagram to the last. */
    public record Sent(long flood, long legit, long floodNanos) {
        public double floodSeconds() {
            return floodNanos / 1e9;
        }

        public String format() {
            return flood + " " + legit + " " + floodNanos;
        }

        public static Sent parse(String s) {
            String[] f = s.trim().split(" ");
            return new Sent(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]));
        }
    }

    public static Sent run(String floodDst, String legitDst, int port, long millis, int legitPps) {
        AtomicBoolean done = new AtomicBoolean();
        long[] legitSent = new long[1];
        Thread legit = new Thread(() -> {
            try (DatagramChannel ch = DatagramChannel.open()) {
                InetSocketAddress to = new InetSocketAddress(local(legitDst), port);
                ByteBuffer msg = payload('L');
                long start = System.nanoTime();
                long interval = TimeUnit.SECONDS.toNanos(1) / legitPps;
                for (long i = 0; !done.get(); i++) {
                    long due = start + i * interval;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    ch.send(msg.rewind(), to);
                    legitSent[0]++;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "udp-legit");
        legit.start();
        long flood = 0;
        long first;
        long last;
        try (DatagramChannel ch = DatagramChannel.open()) {
            InetSocketAddress to = new InetSocketAddress(local(floodDst), port);
            ByteBuffer msg = payload('F');
            first = System.nanoTime();
            long end = first + TimeUnit.MILLISECONDS.toNanos(millis);
            last = first;
            while (last < end) {
                ch.send(msg.rewind(), to);
                flood++;
                last = System.nanoTime();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            done.set(true);
        }
        try {
            legit.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return new Sent(flood, legitSent[0], last - first);
    }

    private static ByteBuffer payload(char tag) {
        ByteBuffer b = ByteBuffer.allocate(PAYLOAD);
        b.put(0, (byte) tag);
        return b;
    }

    /** An address on the loopback interface (in a test netns, e.g. fd00::2 added to its lo) stays on this host. */
    private static boolean onLoopbackInterface(InetAddress a) throws IOException {
        java.net.NetworkInterface nif = java.net.NetworkInterface.getByInetAddress(a);
        return nif != null && nif.isLoopback();
    }

    private static InetAddress local(String host) throws IOException {
        InetAddress a = InetAddress.getByName(host);
        if (!a.isLoopbackAddress() && !onLoopbackInterface(a)) {
            throw new IllegalArgumentException("tests send to loopback (or inside a test netns) only: " + host);
        }
        return a;
    }
}
