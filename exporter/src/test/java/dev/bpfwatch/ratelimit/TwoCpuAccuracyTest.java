package dev.bpfwatch.ratelimit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * One destination flooded from two sender threads, one per CPU: over
 * loopback each datagram is received, and filtered, on its sender's CPU, so
 * the filter runs on both CPUs at once for one bucket and its
 * compare-and-swaps race. Whatever the race, the filter must pass what the
 * rate allows over the flood's span (burst + rate x span): never more (a
 * hard limit), and not noticeably less (a CAS lost to the other CPU must
 * not cost an admission the bucket had tokens for).
 */
class TwoCpuAccuracyTest {
    static final long RATE = 20_000;
    static final long BURST = 2_000;
    /** Sends to 127.0.0.2 in a tight loop for {@code nanos}: {count, first send, last send} (System.nanoTime). */
    static long[] flood(int port, long nanos) {
        try (DatagramChannel c = DatagramChannel.open()) {
            java.nio.ByteBuffer msg = java.nio.ByteBuffer.wrap(new byte[16]);
            InetSocketAddress to = new InetSocketAddress("127.0.0.2", port);
            long n = 0;
            long first = System.nanoTime();
            long end = first + nanos;
            long now = first;
            while (now < end) {
                c.send(msg.rewind(), to);
                if (++n % 64 == 0) {
                    now = System.nanoTime();
                }
            }
            return new long[] {n, first, System.nanoTime()};
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private final String name = "test-2cpu-" + ProcessHandle.current().pid();

    @Test
    void oneDestinationOnBothCpusPassesWhatTheRateAllows() throws Exception {
        Assumptions.assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "needs two CPUs");
        try (DatagramChannel receiver = DatagramChannel.open()) {
            receiver.bind(new InetSocketAddress("0.0.0.0", 0));
            int port = ((InetSocketAddress) receiver.getLocalAddress()).getPort();
            ChannelFilter.attach(receiver, name, RateLimit.of(RATE, BURST));
            long[][] results = new long[2][];
            List<Thread> senders = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    int slot = i;
                    Thread t = new Thread(() -> results[slot] = flood(port, 2_000_000_000L));
                    senders.add(t);
                }
                senders.forEach(Thread::start);
                for (Thread t : senders) {
                    t.join();
                }
                long sent = results[0][0] + results[1][0];
                long first = Math.min(results[0][1], results[1][1]);
                long last = Math.max(results[0][2], results[1][2]);
                Bucket b;
                try (PinnedFilter f = PinnedFilter.open(name)) {
                    b = f.snapshot().bucket("127.0.0.2");
                }
                double span = (last - first) / 1e9;
                double allowed = BURST + RATE * span;
                System.out.printf("two CPUs, one destination, %d pps burst %d: sent %d in %.3f s (%.0f pps); "
                                + "filter passed %d dropped %d; allowed %.0f; passed/allowed %.4f%n", RATE, BURST,
                        sent, span, sent / span, b.passed(), b.dropped(), allowed, b.passed() / allowed);
                assertTrue(b.passed() <= allowed + 2, "hard limit: passed " + b.passed() + " of " + allowed);
                assertTrue(b.passed() + b.dropped() == sent, "every datagram judged once");
                // Under 4x the allowance the senders (on a busy machine) leave gaps
                // longer than the burst lasts, and passing less than allowed then
                // says nothing about the filter.
                Assumptions.assumeTrue(sent > 4 * allowed, "not a flood on this busy machine: sent " + sent);
                assertTrue(b.passed() >= 0.99 * allowed, "no admission lost to the race: " + b.passed() + " of " + allowed);
            } finally {
                if (FilterPins.exists(name)) {
                    UdpRateLimiter.detach(name, null, false);
                }
            }
        }
    }
}
