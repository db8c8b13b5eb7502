package dev.bpfwatch.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.TestNetns;
import java.util.concurrent.TimeUnit;

/** The check that a filter with a burst of 5 limits: 20 datagrams sent inside the namespace, 5 pass. */
final class BurstCheck {
    private BurstCheck() {
    }

    static void twentyDatagramsPassFive(TestNetns ns, int port, String filter) throws Exception {
        TestNetns.Started sender = ns.python("udpsend", null, String.join("\n",
                "import socket",
                "c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
                "for i in range(20):",
                "    c.sendto(b'x', ('127.0.0.1', " + port + "))",
                "print('sent', flush=True)"));
        assertTrue(sender.process().waitFor(30, TimeUnit.SECONDS));
        try (PinnedFilter f = PinnedFilter.open(filter)) {
            Bucket b = f.snapshot().bucket("127.0.0.1");
            assertEquals(5, b.passed());
            assertEquals(15, b.dropped());
        }
    }
}
