package dev.bpfwatch.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.cli.BpfwatchCommand;
import dev.bpfwatch.testing.FloodChild;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The flood scenario over IPv6, inside a network namespace the test makes:
 * ::1 and fd00::2 on its lo, receiver and senders in a child JVM run with
 * `ip netns exec`, the filter attached from here through the CLI by pid
 * (pidfd_getfd reaches sockets in any namespace).
 */
class Ipv6NetnsFloodTest {
    static final String NS = "bpfwatch-udprl-" + ProcessHandle.current().pid();
    static final String FLOOD_DST = "fd00::2";
    static final String LEGIT_DST = "::1";

    private final String name = "test-v6-" + ProcessHandle.current().pid();

    @BeforeAll
    static void createNamespace() {
        ip("netns", "add", NS);
        ip("-n", NS, "link", "set", "lo", "up");
        ip("-n", NS, "addr", "add", FLOOD_DST + "/128", "dev", "lo", "nodad");
    }

    @AfterAll
    static void deleteNamespace() {
        ip("netns", "del", NS);
    }

    static void ip(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + ": " + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void filterProtectsTheLegitimateClientOverIpv6() {
        try (FloodChild receiver = FloodChild.start(List.of("ip", "netns", "exec", NS), true)) {
            FloodChild.Round without = receiver.round(FLOOD_DST, LEGIT_DST, LoopbackFloodTest.FLOOD_MILLIS,
                    LoopbackFloodTest.LEGIT_PPS);
            System.out.printf("v6 without filter: flood sent %d, received %d; legit sent %d, lost %d%n",
                    without.sent().flood(), without.floodReceived(), without.sent().legit(), without.legitLost());
            assertTrue(without.legitLost() > 0, "without the filter the legitimate client must lose packets");

            int rc = BpfwatchCommand.commandLine().execute("udp-limit", "attach", "--pid",
                    Long.toString(receiver.pid()), "--port", Integer.toString(receiver.port()),
                    "--rate", Long.toString(LoopbackFloodTest.RATE), "--burst", Long.toString(LoopbackFloodTest.BURST),
                    "--name", name);
            assertEquals(0, rc);

            FloodChild.Round with = receiver.round(FLOOD_DST, LEGIT_DST, LoopbackFloodTest.FLOOD_MILLIS,
                    LoopbackFloodTest.LEGIT_PPS);
            FilterSnapshot s;
            try (PinnedFilter f = PinnedFilter.open(name)) {
                s = f.snapshot();
            }
            Bucket flood = s.bucket(FLOOD_DST);
            Bucket legit = s.bucket(LEGIT_DST);
            double expected = LoopbackFloodTest.BURST + LoopbackFloodTest.RATE * with.sent().floodSeconds();
            System.out.printf("v6 with filter (rate %d, burst %d): flood sent %d in %.3f s, passed %d (expected %.0f), "
                            + "received %d; legit sent %d, received %d%n", LoopbackFloodTest.RATE,
                    LoopbackFloodTest.BURST, with.sent().flood(), with.sent().floodSeconds(), flood.passed(), expected,
                    with.floodReceived(), with.sent().legit(), with.legitReceived());

            assertEquals(0, with.legitLost(), "the legitimate client loses nothing");
            assertEquals(with.sent().legit(), legit.passed());
            assertEquals(0, legit.dropped());
            assertEquals(with.floodReceived(), flood.passed(), "receiver and filter agree");
            assertEquals(with.sent().flood(), flood.passed() + flood.dropped());
            assertTrue(Math.abs(flood.passed() - expected) <= 0.1 * expected,
                    "flood passed " + flood.passed() + ", expected " + expected + " within 10%");
        } finally {
            if (FilterPins.exists(name)) {
                UdpRateLimiter.detach(name, null, false);
            }
            assertFalse(FilterPins.exists(name), "pins removed");
        }
    }
}
