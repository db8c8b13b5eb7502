package dev.bpfwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.ratelimit.FilterPins;
import dev.bpfwatch.ratelimit.PinnedFilter;
import dev.bpfwatch.ratelimit.RateLimit;
import dev.bpfwatch.ratelimit.UdpRateLimiter;
import dev.bpfwatch.testing.CliRun;
import dev.bpfwatch.testing.ForeignUdpReceiver;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * `udp-limit status` once what a filter protects is gone: the server
 * exited, its socket closed. Status reports it and goes on, for that filter
 * and for every other one on the host.
 */
class UdpLimitStatusTest {
    private final String gone = "test-status-gone-" + ProcessHandle.current().pid();
    private final String live = "test-status-live-" + ProcessHandle.current().pid();

    @AfterEach
    void cleanUp() {
        for (String n : List.of(gone, live)) {
            if (FilterPins.exists(n)) {
                UdpRateLimiter.detach(n, null, false);
            }
            assertFalse(FilterPins.exists(n), "pins removed");
        }
    }

    private static CliRun attach(ForeignUdpReceiver r, String name, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("udp-limit", "attach", "--pid", Long.toString(r.pid()),
                "--port", Integer.toString(r.port()), "--rate", "100", "--name", name));
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    @Test
    void aFilterWhoseServerExitedShowsItsSocketGoneAndTheOthersStillShow() {
        long exitedPid;
        try (ForeignUdpReceiver other = ForeignUdpReceiver.start(); ForeignUdpReceiver server = ForeignUdpReceiver.start()) {
            CliRun a = attach(server, gone, "--burst", "10");
            assertEquals(0, a.exit(), a.err());
            CliRun b = attach(other, live, "--burst", "10");
            assertEquals(0, b.exit(), b.err());
            exitedPid = server.pid();
            server.close(); // the protected server exits: its socket closes with it
            ProcessHandle.of(exitedPid).ifPresent(p -> p.onExit().join());

            CliRun one = CliRun.of("udp-limit", "status", "--name", gone);
            assertEquals(0, one.exit(), one.err());
            assertTrue(one.out().contains("socket: pid " + exitedPid + " fd "), one.out());
            assertTrue(one.out().contains(": gone: socket closed\n"), one.out());
            assertTrue(one.out().contains("kernel: 0 socket(s) carry this filter now (it protects nothing)"), one.out());
            assertEquals("", one.err());

            CliRun all = CliRun.of("udp-limit", "status");
            assertEquals(0, all.exit(), all.err());
            assertTrue(all.out().contains("filter " + gone + ":"), all.out());
            assertTrue(all.out().contains("filter " + live + ":"), all.out());
            assertTrue(all.out().contains("socket: pid " + other.pid() + " fd "), all.out());
            String liveSection = all.out().substring(all.out().indexOf("filter " + live + ":"));
            assertTrue(liveSection.contains("kernel: 1 socket(s) carry this filter now\n"), all.out());

            CliRun json = CliRun.of("udp-limit", "status", "-o", "json", "--name", gone);
            assertEquals(0, json.exit(), json.err());
            assertTrue(json.out().contains("\"pid\":" + exitedPid + ","), json.out());
            assertTrue(json.out().contains("\"state\":\"gone\",\"alive\":false"), json.out());
            assertTrue(json.out().contains("\"attached_sockets\":0"), json.out());

            // Detach of a gone socket forgets it, and with nothing left removes the pins.
            CliRun detach = CliRun.of("udp-limit", "detach", "--name", gone);
            assertEquals(0, detach.exit(), detach.err());
            assertTrue(detach.out().contains("forgot pid " + exitedPid), detach.out());
            assertFalse(FilterPins.exists(gone));
        }
    }

    @Test
    void topMustNotBeNegative() {
        CliRun r = CliRun.of("udp-limit", "status", "--top", "-1");
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals("bpfwatch: --top -1: must be 0 (all) or more", r.err().strip());
    }

    @Test
    void burstDefaultsToOneSecondOfTheRate() {
        try (ForeignUdpReceiver server = ForeignUdpReceiver.start()) {
            CliRun a = attach(server, live);
            assertEquals(0, a.exit(), a.err());
            assertTrue(a.out().contains("(100 pps, burst 100)"), a.out());
            try (PinnedFilter f = PinnedFilter.open(live)) {
                assertEquals(new RateLimit(100, 100), f.defaultLimit());
            }
        }
    }
}
