package dev.bpfwatch.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bpfwatch.testing.ChildProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A UDP_GRO socket (what QUIC servers use) receives a batch of datagrams
 * as one skb and the filter runs once for it. Sent with UDP_SEGMENT over
 * loopback, a batch of 8 reaches such a socket whole (gso_segs 8): it must
 * cost 8 tokens, and count as 8 datagrams.
 */
class GroSegmentsTest {
    private static final String SCRIPT = String.join("\n",
            "import socket, sys",
            "r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
            "r.setsockopt(socket.SOL_UDP, 104, 1)  # UDP_GRO",
            "r.bind(('127.0.0.1', 0))",
            "print('READY', r.getsockname()[1], flush=True)",
            "sys.stdin.readline()",
            "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
            "s.setsockopt(socket.SOL_UDP, 103, 100)  # UDP_SEGMENT: 100-byte datagrams",
            "for batch in range(2):",
            "    s.sendto(b'x' * 800, ('127.0.0.1', r.getsockname()[1]))",
            "r.settimeout(0.5)",
            "got = []",
            "try:",
            "    while True:",
            "        data, anc, flags, addr = r.recvmsg(65535, 64)",
            "        got.append(str(len(data)))",
            "except socket.timeout:",
            "    pass",
            "print('GOT', ' '.join(got), flush=True)",
            "");

    private final String name = "test-gro-" + ProcessHandle.current().pid();

    @Test
    void aBatchOfEightDatagramsCostsEightTokens() {
        String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        try (ChildProcess child = ChildProcess.command(List.of(python, "-c", SCRIPT))) {
            int port = Integer.parseInt(child.await("READY"));
            long pid = child.pid();
            try {
                UdpRateLimiter.attach(name, UdpSockets.ofProcess(pid, port), RateLimit.of(1, 10));
                child.send("go");
                String got = child.await("GOT");
                FilterSnapshot s;
                try (PinnedFilter f = PinnedFilter.open(name)) {
                    s = f.snapshot();
                }
                Bucket b = s.bucket("127.0.0.1");
                System.out.printf("GRO: received reads of %s bytes; filter passed %d dropped %d%n", got,
                        b.passed(), b.dropped());
                assertEquals("800", got, "one batch of 8 x 100 bytes reached the socket");
                assertEquals(8, b.passed(), "the first batch took 8 of the 10 tokens");
                assertEquals(8, b.dropped(), "the second needed 8 with 2 left: dropped whole");
                assertEquals(8, s.passed());
                assertEquals(8, s.dropped());
            } finally {
                if (FilterPins.exists(name)) {
                    UdpRateLimiter.detach(name, null, false);
                }
            }
        }
    }
}
