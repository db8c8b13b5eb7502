package dev.bpfwatch.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.agent.Agent;
import dev.bpfwatch.agent.AgentOptions;
import dev.bpfwatch.testing.CliRun;
import dev.bpfwatch.testing.TestNetns;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * `udp-limit attach --port --follow`: the protected server (in a network
 * namespace, as in a container) restarts, binds a new socket, and the
 * running agent puts the filter on it. The time from the new socket being
 * bound to it carrying the filter is printed (a figure, not a target).
 */
class FollowRestartTest {
    private static final Duration INTERVAL = UdpRateLimitModule.FOLLOW_INTERVAL; // what `run` ships
    private final String name = "test-follow-" + ProcessHandle.current().pid();

    private static TestNetns.Started server(TestNetns ns, int port) {
        return ns.python("udpsrv", null, String.join("\n",
                "import socket, time",
                "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
                "s.bind(('0.0.0.0', " + port + "))",
                "print(s.getsockname()[1], flush=True)",
                "time.sleep(600)"));
    }

    @Test
    void aRestartedServersNewSocketIsProtectedAgain() throws Exception {
        try (TestNetns ns = TestNetns.create();
             Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0)),
                     List.of(UdpRateLimitModule.factory(UdpRateLimitCollector.DEFAULT_TOP, INTERVAL)));
             UdpSocketWalker walker = UdpSocketWalker.load()) {
            TestNetns.Started first = server(ns, 0);
            int port = first.port();
            CliRun a = CliRun.of("udp-limit", "attach", "--port", Integer.toString(port), "--rate", "1", "--burst", "5",
                    "--name", name, "--follow");
            assertEquals(0, a.exit(), a.err());
            int programId;
            try (PinnedFilter f = PinnedFilter.open(name)) {
                programId = f.program().info().id();
                assertTrue(f.attachments().get(0).follow(), "recorded as followed");
            }

            first.process().destroyForcibly();
            assertTrue(first.process().waitFor(10, TimeUnit.SECONDS));
            TestNetns.Started second = server(ns, port);
            long bound = System.nanoTime(); // the new socket is bound before the server prints its port
            long protectedAfterNs = -1;
            long deadline = bound + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                boolean carries = FilterPlacement.of(walker.walkHost()).carrying(programId).stream()
                        .anyMatch(r -> r.port() == port && r.netns() == ns.inode());
                if (carries) {
                    protectedAfterNs = System.nanoTime() - bound;
                    break;
                }
                Thread.sleep(5);
            }
            System.out.printf("--follow: restart to protected %.1f ms (follow interval %d ms)%n",
                    protectedAfterNs / 1e6, INTERVAL.toMillis());
            assertTrue(protectedAfterNs >= 0, "the restarted server's socket got the filter");

            // The follower forgets the gone socket right after attaching to the new one.
            List<Attachment> now = List.of();
            while (System.nanoTime() < deadline) {
                try (PinnedFilter f = PinnedFilter.open(name)) {
                    now = f.attachments();
                }
                if (now.size() == 1) {
                    break;
                }
                Thread.sleep(5);
            }
            {
                assertEquals(1, now.size(), "the gone socket forgotten, the new one recorded: " + now);
                assertEquals(second.pid(), now.get(0).pid());
                assertTrue(now.get(0).follow(), "the new attachment carries the follow rule on");
            }

            // And it limits: 20 datagrams from inside the namespace, the burst of 5 passes.
            BurstCheck.twentyDatagramsPassFive(ns, port, name);
        } finally {
            if (FilterPins.exists(name)) {
                UdpRateLimiter.detach(name, null, false);
            }
            assertFalse(FilterPins.exists(name));
        }
    }
}
