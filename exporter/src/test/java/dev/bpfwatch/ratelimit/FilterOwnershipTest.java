package dev.bpfwatch.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.libbpf.UdpSocket;
import dev.bpfwatch.testing.CliRun;
import dev.bpfwatch.testing.ForeignUdpReceiver;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One socket, two filters: the second is refused unless --replace, and
 * detach takes off only the program the kernel says is on the socket.
 */
class FilterOwnershipTest {
    private final String first = "test-own-a-" + ProcessHandle.current().pid();
    private final String second = "test-own-b-" + ProcessHandle.current().pid();

    @AfterEach
    void cleanUp() {
        for (String n : List.of(first, second)) {
            if (FilterPins.exists(n)) {
                UdpRateLimiter.detach(n, null, false);
            }
        }
    }

    private static String[] attach(ForeignUdpReceiver r, String name, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("udp-limit", "attach", "--pid", Long.toString(r.pid()),
                "--port", Integer.toString(r.port()), "--rate", "1", "--burst", "5", "--name", name));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    /** The program the kernel has on the receiver's socket now, and that socket. */
    private static UdpSocketRecord onTheSocket(ForeignUdpReceiver r) {
        SocketRef ref = UdpSockets.ofProcess(r.pid(), r.port()).get(0);
        try (UdpSocketWalker walker = UdpSocketWalker.load(); UdpSocket s = UdpSocket.ofProcess(ref.pid(), ref.fd())) {
            return walker.of(s).orElseThrow();
        }
    }

    static void send(int port, int count) {
        try (java.nio.channels.DatagramChannel c = java.nio.channels.DatagramChannel.open()) {
            for (int i = 0; i < count; i++) {
                c.send(java.nio.ByteBuffer.wrap(("p" + i).getBytes()), new java.net.InetSocketAddress("127.0.0.1", port));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static int programId(String name) {
        try (PinnedFilter f = PinnedFilter.open(name)) {
            return f.program().info().id();
        }
    }

    @Test
    void aSecondFilterIsRefusedUnlessReplaceAndDetachLeavesTheOtherOnesFilter() {
        try (ForeignUdpReceiver r = ForeignUdpReceiver.start()) {
            SocketRef ref = UdpSockets.ofProcess(r.pid(), r.port()).get(0);
            CliRun a = CliRun.of(attach(r, first));
            assertEquals(0, a.exit(), a.err());
            int firstId = programId(first);
            assertTrue(onTheSocket(r).carries(firstId));

            CliRun refused = CliRun.of(attach(r, second));
            assertEquals(2, refused.exit(), refused.out() + refused.err());
            assertEquals("bpfwatch: pid " + r.pid() + " fd " + ref.fd() + " port " + r.port() + " (socket inode "
                    + ref.inode() + ") already has udp-limit filter '" + first + "' (program id " + firstId
                    + "): detach that first, or give --replace to put '" + second + "' in its place",
                    refused.err().strip());
            assertFalse(FilterPins.exists(second), "nothing pinned for the refused filter");
            assertTrue(onTheSocket(r).carries(firstId), "the first filter is untouched");

            CliRun replaced = CliRun.of(attach(r, second, "--replace"));
            assertEquals(0, replaced.exit(), replaced.err());
            int secondId = programId(second);
            assertTrue(onTheSocket(r).carries(secondId), "--replace put the second filter on");

            CliRun status = CliRun.of("udp-limit", "status", "-o", "json", "--name", first);
            assertTrue(status.out().contains("\"state\":\"replaced\""), status.out());
            assertTrue(status.out().contains("\"attached_sockets\":0"), status.out());

            // Detaching the first must not take the second off the socket.
            CliRun detach = CliRun.of("udp-limit", "detach", "--name", first);
            assertEquals(0, detach.exit(), detach.err());
            assertTrue(detach.out().contains("forgot pid " + r.pid() + " fd " + ref.fd() + " port " + r.port()
                    + ": " + first + " is not on that socket any more: it carries udp-limit filter '" + second
                    + "' (program id " + secondId + ") now: left in place"), detach.out());
            assertFalse(FilterPins.exists(first));
            assertTrue(onTheSocket(r).carries(secondId), "the second filter is still on the socket");

            // And it still limits: burst 5 of 20 at 1 pps.
            send(r.port(), 20);
            List<String> got = r.drain(300);
            assertEquals(5, got.size(), "received " + got);
            try (PinnedFilter f = PinnedFilter.open(second)) {
                Bucket b = f.snapshot().bucket("127.0.0.1");
                assertEquals(5, b.passed());
                assertEquals(15, b.dropped());
            }

            CliRun detachSecond = CliRun.of("udp-limit", "detach", "--name", second);
            assertEquals(0, detachSecond.exit(), detachSecond.err());
            assertTrue(detachSecond.out().contains("detached " + second + " from pid " + r.pid()), detachSecond.out());
            assertFalse(onTheSocket(r).hasFilter(), "no filter left");
        }
    }

    @Test
    void attachRefusesAnFdThatIsNoLongerTheSocketFound() {
        try (ForeignUdpReceiver r = ForeignUdpReceiver.start()) {
            SocketRef found = UdpSockets.ofProcess(r.pid(), r.port()).get(0);
            // What attach meets when the process closed the socket it found and reused the fd number.
            SocketRef stale = new SocketRef(found.pid(), found.fd(), found.inode() + 1, found.port());
            TargetException e = assertThrows(TargetException.class,
                    () -> UdpRateLimiter.attach(first, List.of(stale), RateLimit.of(1, 5)));
            assertEquals(stale + ": the fd now refers to another socket (inode " + found.inode() + ", found as "
                    + stale.inode() + "); the process reopened it: try again", e.getMessage());
            assertFalse(FilterPins.exists(first), "nothing pinned");
            assertFalse(onTheSocket(r).hasFilter(), "nothing attached");
        }
    }
}
