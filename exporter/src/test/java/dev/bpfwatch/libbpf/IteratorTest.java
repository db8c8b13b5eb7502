package dev.bpfwatch.libbpf;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.Resources;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class IteratorTest {
    private static final int TCP_LISTEN = 10;

    @Test
    void tcpIteratorSeesOurListenerOnEachFreshWalk() throws Exception {
        try (BpfObject obj = BpfObject.open(Resources.testObject("test_iter"))) {
            obj.load();
            BpfProgram dump = obj.program("dump_tcp").orElseThrow();
            assertTrue(dump.isIterator());
            try (BpfLink link = dump.attachIterator()) {
                int port;
                try (ServerSocket listener = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
                    port = listener.getLocalPort();
                    String walk = new String(link.readIterator(), StandardCharsets.US_ASCII);
                    assertTrue(walk.lines().anyMatch(l -> l.equals(port + " " + TCP_LISTEN)),
                            "listener " + port + " in: " + walk);
                }
                String after = new String(link.readIterator(), StandardCharsets.US_ASCII);
                assertTrue(after.lines().noneMatch(l -> l.equals(port + " " + TCP_LISTEN)),
                        "closed listener gone from a new walk");
            }
        }
    }
}
