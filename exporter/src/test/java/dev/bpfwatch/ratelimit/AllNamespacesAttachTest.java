package dev.bpfwatch.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.CliRun;
import dev.bpfwatch.testing.TestNetns;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * `udp-limit attach --port` without --pid finds the socket in any network
 * namespace (a container's), not only the caller's, and the filter limits
 * traffic there.
 */
class AllNamespacesAttachTest {
    private final String name = "test-netns-port-" + ProcessHandle.current().pid();

    @Test
    void attachByPortFindsASocketInAnotherNamespace() throws Exception {
        try (TestNetns ns = TestNetns.create()) {
            TestNetns.Started server = ns.python("udpsrv", null, String.join("\n",
                    "import socket, time",
                    "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
                    "s.bind(('0.0.0.0', 0))",
                    "print(s.getsockname()[1], flush=True)",
                    "time.sleep(600)"));
            int port = server.port();
            try {
                CliRun a = CliRun.of("udp-limit", "attach", "--port", Integer.toString(port), "--rate", "1",
                        "--burst", "5", "--name", name);
                assertEquals(0, a.exit(), a.err());
                assertTrue(a.out().startsWith("attached " + name + " to pid " + server.pid() + " fd "), a.out());

                int programId;
                try (PinnedFilter f = PinnedFilter.open(name)) {
                    programId = f.program().info().id();
                }
                List<UdpSocketRecord> carrying = FilterPlacement.read().carrying(programId);
                assertEquals(1, carrying.size(), carrying.toString());
                assertEquals(ns.inode(), carrying.get(0).netns(), "the socket in the test's namespace");
                assertEquals(port, carrying.get(0).port());

                // 20 datagrams from inside the namespace: the burst of 5 passes.
                BurstCheck.twentyDatagramsPassFive(ns, port, name);
            } finally {
                if (FilterPins.exists(name)) {
                    UdpRateLimiter.detach(name, null, false);
                }
            }
        }
    }
}
