package dev.bpfwatch.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.CliRun;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Raising the rate with `udp-limit set` takes effect for a drained address
 * at once. A bucket drained at 1 pps / burst 1000 owes 1000 s; under
 * 10000 pps / burst 10 an admission never leaves more than 1 ms owed, so
 * the old debt is settings that no longer hold: the next datagram finds one
 * token. No sleeps: the datagram is sent right after `set` returns.
 */
class RateChangeClampTest {
    private final String name = "test-clamp-" + ProcessHandle.current().pid();

    @Test
    void aDrainedAddressIsAdmittedRightAfterTheRateIsRaised() throws Exception {
        try (DatagramChannel receiver = DatagramChannel.open(); DatagramChannel sender = DatagramChannel.open()) {
            receiver.setOption(StandardSocketOptions.SO_RCVBUF, 4 * 1024 * 1024);
            receiver.bind(new InetSocketAddress("0.0.0.0", 0));
            receiver.configureBlocking(false);
            InetSocketAddress to = new InetSocketAddress("127.0.0.2", ((InetSocketAddress) receiver.getLocalAddress()).getPort());
            try {
                ChannelFilter.attach(receiver, name, RateLimit.of(1, 1000));
                for (int i = 0; i < 1001; i++) {
                    sender.send(ByteBuffer.wrap("flood".getBytes(StandardCharsets.US_ASCII)), to);
                }
                Bucket drained = bucket();
                assertEquals(1000, drained.passed(), "the burst passed");
                assertEquals(1, drained.dropped(), "then the bucket was empty");
                assertTrue(drained.tatNs() - System.nanoTime() > 900_000_000_000L,
                        "1000 s owed at 1 pps: " + (drained.tatNs() - System.nanoTime()) + " ns");
                while (receiver.receive(ByteBuffer.allocate(64)) != null) {
                    // drain what passed
                }

                CliRun set = CliRun.of("udp-limit", "set", "--name", name, "--rate", "10000", "--burst", "10");
                assertEquals(0, set.exit(), set.err());
                sender.send(ByteBuffer.wrap("after".getBytes(StandardCharsets.US_ASCII)), to);
                long sentAt = System.nanoTime();

                Bucket after = bucket();
                assertEquals(1001, after.passed(), "admitted right after set");
                assertEquals(1, after.dropped());
                // One token left under the new settings: tat at most burst x T = 10 x 100 us ahead.
                assertTrue(after.tatNs() - sentAt <= 10 * 100_000L, "tat " + (after.tatNs() - sentAt) + " ns ahead");
                ByteBuffer got = ByteBuffer.allocate(64);
                receiver.configureBlocking(true);
                receiver.receive(got);
                assertEquals("after", new String(got.array(), 0, got.position(), StandardCharsets.US_ASCII));
            } finally {
                if (FilterPins.exists(name)) {
                    UdpRateLimiter.detach(name, null, false);
                }
            }
        }
    }

    private Bucket bucket() {
        try (PinnedFilter f = PinnedFilter.open(name)) {
            return f.snapshot().bucket("127.0.0.2");
        }
    }
}
