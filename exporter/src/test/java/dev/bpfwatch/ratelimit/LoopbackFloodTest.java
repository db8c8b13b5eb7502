package dev.bpfwatch.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.UdpFlood;
import dev.bpfwatch.testing.UdpReceiver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The scenario on IPv4 loopback, filter attached in-process through
 * the Java API: one receiver on 0.0.0.0, a flood to 127.0.0.2, a paced
 * legitimate client to 127.0.0.3.
 */
class LoopbackFloodTest {
    static final long RATE = 1000;
    static final long BURST = 100;
    static final long FLOOD_MILLIS = 1500;
    static final int LEGIT_PPS = 100;

    private final String name = "test-v4-" + ProcessHandle.current().pid();

    @AfterEach
    void cleanUp() {
        if (FilterPins.exists(name)) {
            UdpRateLimiter.detach(name, null, false);
        }
        assertFalse(FilterPins.exists(name), "pins removed");
    }

    @Test
    void filterProtectsTheLegitimateClientAndPassesTheFloodAtTheRate() {
        // Without the filter: the flood fills the buffer and the legitimate client loses too.
        long[] without;
        UdpFlood.Sent sentWithout;
        try (UdpReceiver receiver = UdpReceiver.open(false)) {
            sentWithout = UdpFlood.run("127.0.0.2", "127.0.0.3", receiver.port(), FLOOD_MILLIS, LEGIT_PPS);
            receiver.awaitQuiet();
            without = receiver.takeCounts();
        }
        long legitLostWithout = sentWithout.legit() - without[1];
        System.out.printf("v4 without filter: flood sent %d (%.0f pps), received %d; legit sent %d, lost %d%n",
                sentWithout.flood(), sentWithout.flood() / sentWithout.floodSeconds(), without[0],
                sentWithout.legit(), legitLostWithout);
        assertTrue(sentWithout.flood() > 20 * RATE * FLOOD_MILLIS / 1000,
                "the flood must be far above the limit: " + sentWithout.flood());
        assertTrue(legitLostWithout > 0, "without the filter the legitimate client must lose packets");

        try (UdpReceiver receiver = UdpReceiver.open(false)) {
            Attachment a = ChannelFilter.attach(receiver.channel(), name, RateLimit.of(RATE, BURST));
            assertEquals(receiver.port(), a.port());
            UdpFlood.Sent sent = UdpFlood.run("127.0.0.2", "127.0.0.3", receiver.port(), FLOOD_MILLIS, LEGIT_PPS);
            receiver.awaitQuiet();
            long[] got = receiver.takeCounts();
            FilterSnapshot s;
            try (PinnedFilter f = PinnedFilter.open(name)) {
                s = f.snapshot();
            }
            Bucket flood = s.bucket("127.0.0.2");
            Bucket legit = s.bucket("127.0.0.3");
            double expected = BURST + RATE * sent.floodSeconds();
            System.out.printf("v4 with filter (rate %d, burst %d): flood sent %d in %.3f s, passed %d "
                            + "(expected %.0f, %.0f pps after burst), dropped %d; legit sent %d, received %d, lost %d%n",
                    RATE, BURST, sent.flood(), sent.floodSeconds(), flood.passed(), expected,
                    (flood.passed() - BURST) / sent.floodSeconds(), flood.dropped(), sent.legit(), got[1],
                    sent.legit() - got[1]);

            assertEquals(sent.legit(), got[1], "the legitimate client loses nothing");
            assertEquals(sent.legit(), legit.passed(), "filter passed every legitimate datagram");
            assertEquals(0, legit.dropped());
            assertEquals(got[0], flood.passed(), "receiver and filter agree on the flood passed");
            assertEquals(sent.flood(), flood.passed() + flood.dropped(), "filter saw every flood datagram");
            assertTrue(Math.abs(flood.passed() - expected) <= 0.1 * expected,
                    "flood passed " + flood.passed() + ", expected " + expected + " within 10%");
            assertEquals(flood.passed() + legit.passed(), s.passed(), "totals agree with buckets");
            assertEquals(flood.dropped(), s.dropped());
        }
    }
}
