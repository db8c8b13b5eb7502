package dev.bpfwatch.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.AgentProcess;
import dev.bpfwatch.testing.CliRun;
import dev.bpfwatch.testing.Scrape;
import dev.bpfwatch.testing.TestNetns;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 13's "counts agree": a known number of datagrams to two destination
 * IPs of one server socket (in a network namespace) through a filter with
 * burst 5 and rate 1 pps. The whole send takes well under a second, so each
 * destination is admitted exactly its burst: the sender's counts, what the
 * server socket received, `udp-limit status -o json` and the agent's
 * /metrics (`bpfwatch run` in its own JVM) must give the same numbers.
 */
class CountsAgreeTest {
    private static final int BURST = 5;
    private static final int TO_A = 30; // 127.0.0.1
    private static final int TO_B = 12; // 127.0.0.2
    private final String name = "test-agree-" + ProcessHandle.current().pid();

    @Test
    void senderServerStatusAndMetricsGiveTheSameCounts() throws Exception {
        try (TestNetns ns = TestNetns.create(); AgentProcess agent = AgentProcess.start()) {
            // One socket on 0.0.0.0 (a big receive buffer: nothing it is given overflows); asked on
            // stdin, it reads every datagram queued and prints the counts by first byte (the sender's tag).
            TestNetns.Started server = ns.python("udpcount", null, String.join("\n",
                    "import socket, sys",
                    "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
                    "s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)",
                    "s.bind(('0.0.0.0', 0))",
                    "s.setblocking(False)",
                    "counts = {'A': 0, 'B': 0}",
                    "print(s.getsockname()[1], flush=True)",
                    "for line in sys.stdin:",
                    "    while True:",
                    "        try: d = s.recv(64)",
                    "        except BlockingIOError: break",
                    "        counts[chr(d[0])] = counts.get(chr(d[0]), 0) + 1",
                    "    print(counts['A'], counts['B'], flush=True)"));
            int port = server.port();
            CliRun a = CliRun.of("udp-limit", "attach", "--pid", Integer.toString(server.pid()), "--port",
                    Integer.toString(port), "--rate", "1", "--burst", Integer.toString(BURST), "--name", name);
            assertEquals(0, a.exit(), a.err());

            TestNetns.Started sender = ns.python("udpsend", null, String.join("\n",
                    "import socket",
                    "c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
                    "sent = [0, 0]",
                    "for i in range(" + TO_A + "):",
                    "    sent[0] += c.sendto(b'A' * 16, ('127.0.0.1', " + port + ")) == 16",
                    "for i in range(" + TO_B + "):",
                    "    sent[1] += c.sendto(b'B' * 16, ('127.0.0.2', " + port + ")) == 16",
                    "print(sent[0], sent[1], flush=True)"));
            assertTrue(sender.process().waitFor(30, TimeUnit.SECONDS));
            assertEquals(TO_A + " " + TO_B, sender.firstLine(), "the sender sent every datagram");

            // Loopback delivery is synchronous to sendto: the socket has them all once the sender ended.
            server.process().getOutputStream().write("?\n".getBytes());
            server.process().getOutputStream().flush();
            String[] received = server.rest().readLine().trim().split(" ");
            long gotA = Long.parseLong(received[0]);
            long gotB = Long.parseLong(received[1]);

            CliRun status = CliRun.of("udp-limit", "status", "-o", "json", "--name", name, "--top", "0");
            assertEquals(0, status.exit(), status.err());
            String json = status.out();
            String metrics = Scrape.metrics(agent.port());
            System.out.printf("counts: sent %d/%d, server received %d/%d; status %s%n", TO_A, TO_B, gotA, gotB,
                    json.trim());

            assertEquals(BURST, gotA, "the server received the burst for 127.0.0.1");
            assertEquals(BURST, gotB, "the server received the burst for 127.0.0.2");
            for (String[] d : new String[][] {{"127.0.0.1", Integer.toString(TO_A)}, {"127.0.0.2", Integer.toString(TO_B)}}) {
                long sent = Long.parseLong(d[1]);
                long passed = BURST;
                assertEquals(passed, jsonDestination(json, d[0], "passed"), d[0] + " passed in status: " + json);
                assertEquals(sent - passed, jsonDestination(json, d[0], "dropped"), d[0] + " dropped in status: " + json);
                assertEquals(passed, metric(metrics, "bpfwatch_udp_ratelimit_packets_total", d[0], "pass"),
                        d[0] + " pass in /metrics");
                assertEquals(sent - passed, metric(metrics, "bpfwatch_udp_ratelimit_packets_total", d[0], "drop"),
                        d[0] + " drop in /metrics");
            }
            long total = TO_A + TO_B;
            assertTrue(json.contains("\"totals\":{\"passed\":" + (gotA + gotB) + ",\"dropped\":"
                    + (total - gotA - gotB) + ","), json);
            assertEquals(gotA + gotB, metric(metrics, "bpfwatch_udp_ratelimit_totals_packets_total", null, "pass"));
            assertEquals(total - gotA - gotB,
                    metric(metrics, "bpfwatch_udp_ratelimit_totals_packets_total", null, "drop"));
        } finally {
            if (FilterPins.exists(name)) {
                UdpRateLimiter.detach(name, null, false);
            }
            assertFalse(FilterPins.exists(name), "pins removed");
        }
    }

    /** A destination's field in `status -o json`. */
    private static long jsonDestination(String json, String ip, String field) {
        Matcher m = Pattern.compile("\\{\"dst_ip\":\"" + Pattern.quote(ip) + "\"[^}]*\"" + field + "\":(\\d+)")
                .matcher(json);
        assertTrue(m.find(), ip + " " + field + " missing from status: " + json);
        return Long.parseLong(m.group(1));
    }

    /** One series of this filter in the exposition, labels in any order; fails if it is absent. */
    private long metric(String exposition, String metric, String ip, String verdict) {
        for (String line : exposition.split("\n")) {
            if (line.startsWith(metric + "{") && line.contains("filter=\"" + name + "\"")
                    && line.contains("verdict=\"" + verdict + "\"")
                    && (ip == null || line.contains("dst_ip=\"" + ip + "\""))) {
                return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError(metric + " " + ip + " " + verdict + " for " + name + " not in /metrics:\n"
                + exposition.lines().filter(l -> l.contains(name)).toList());
    }
}
