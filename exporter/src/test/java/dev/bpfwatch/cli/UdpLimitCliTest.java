package dev.bpfwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.ratelimit.Bucket;
import dev.bpfwatch.ratelimit.FilterPins;
import dev.bpfwatch.ratelimit.FilterSnapshot;
import dev.bpfwatch.ratelimit.PinnedFilter;
import dev.bpfwatch.ratelimit.UdpRateLimiter;
import dev.bpfwatch.testing.ChildProcess;
import dev.bpfwatch.testing.FloodChild;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** `bpfwatch udp-limit` end to end against a receiver in another process. */
class UdpLimitCliTest {
    private static FloodChild receiver;

    private final String name = "test-cli-" + ProcessHandle.current().pid();
    private StringWriter out = new StringWriter();
    private StringWriter err = new StringWriter();

    @BeforeAll
    static void startReceiver() {
        receiver = FloodChild.start(List.of(), false);
    }

    @AfterAll
    static void stopReceiver() {
        receiver.close();
    }

    @AfterEach
    void cleanUp() {
        if (FilterPins.exists(name)) {
            UdpRateLimiter.detach(name, null, false);
        }
        assertFalse(FilterPins.exists(name), "pins removed");
    }

    private int run(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        CommandLine cl = BpfwatchCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    private FilterSnapshot snapshot() {
        try (PinnedFilter f = PinnedFilter.open(name)) {
            return f.snapshot();
        }
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void assertNear(double expected, long actual, String what) {
        assertTrue(Math.abs(actual - expected) <= 0.1 * expected,
                what + ": " + actual + ", expected " + expected + " within 10%");
    }

    @Test
    void attachByPidChangeRateLiveAndDetach() {
        String pid = Long.toString(receiver.pid());
        String port = Integer.toString(receiver.port());
        assertEquals(0, run("udp-limit", "attach", "--pid", pid, "--port", port, "--rate", "200", "--burst", "20",
                "--name", name), err.toString());
        assertTrue(out.toString().contains("attached " + name + " to pid " + pid), out.toString());

        assertEquals(0, run("udp-limit", "status", "--name", name));
        assertTrue(out.toString().contains("socket: pid " + pid + " fd "), out.toString());
        assertTrue(out.toString().contains(": attached\n"), out.toString());
        assertTrue(out.toString().contains("200 pps, burst 20"), out.toString());

        FloodChild.Round r1 = receiver.round("127.0.0.2", "127.0.0.3", 1000, 50);
        Bucket b1 = snapshot().bucket("127.0.0.2");
        System.out.printf("pid attach, rate 200: flood %d in %.3f s, received %d, filter passed %d dropped %d; legit lost %d%n",
                r1.sent().flood(), r1.sent().floodSeconds(), r1.floodReceived(), b1.passed(), b1.dropped(), r1.legitLost());
        assertEquals(r1.floodReceived(), b1.passed(), "receiver and filter agree");
        assertNear(20 + 200 * r1.sent().floodSeconds(), b1.passed(), "flood passed at 200 pps");
        assertEquals(0, r1.legitLost());

        assertEquals(0, run("udp-limit", "set", "--name", name, "--rate", "1000"), err.toString());
        // The flood left the bucket drained; at the new rate it refills its
        // burst of 20 within 20 ms. Let it, so the round measures burst + rate.
        sleepMillis(200);
        FloodChild.Round r2 = receiver.round("127.0.0.2", "127.0.0.3", 1000, 50);
        Bucket b2 = snapshot().bucket("127.0.0.2");
        long passed2 = b2.passed() - b1.passed();
        System.out.printf("after set --rate 1000: flood %d in %.3f s, received %d, filter passed %d%n",
                r2.sent().flood(), r2.sent().floodSeconds(), r2.floodReceived(), passed2);
        assertEquals(r2.floodReceived(), passed2, "receiver and filter agree");
        assertNear(20 + 1000 * r2.sent().floodSeconds(), passed2, "flood passed at the new rate");

        assertEquals(0, run("udp-limit", "set", "--name", name, "--override", "127.0.0.2/32=100:10"), err.toString());
        FloodChild.Round r3 = receiver.round("127.0.0.2", "127.0.0.3", 1000, 50);
        long passed3 = snapshot().bucket("127.0.0.2").passed() - b2.passed();
        System.out.printf("after --override 127.0.0.2/32=100:10: received %d, filter passed %d%n",
                r3.floodReceived(), passed3);
        assertNear(10 + 100 * r3.sent().floodSeconds(), passed3, "override applies to 127.0.0.2");
        assertEquals(0, run("udp-limit", "set", "--name", name, "--remove-override", "127.0.0.2/32"));
        assertTrue(out.toString().contains("removed override 127.0.0.2/32"), out.toString());
        // With no override left the program skips the trie: the default governs again.
        sleepMillis(200); // the override's debt (up to 10 x 10 ms) runs off
        long before4 = snapshot().bucket("127.0.0.2").passed();
        FloodChild.Round r4 = receiver.round("127.0.0.2", "127.0.0.3", 1000, 50);
        long passed4 = snapshot().bucket("127.0.0.2").passed() - before4;
        System.out.printf("after --remove-override: received %d, filter passed %d%n", r4.floodReceived(), passed4);
        assertNear(20 + 1000 * r4.sent().floodSeconds(), passed4, "the default rate is back for 127.0.0.2");

        assertEquals(0, run("udp-limit", "status", "--output", "json", "--name", name));
        assertTrue(out.toString().contains("\"pid\":" + pid), out.toString());
        assertTrue(out.toString().contains("\"dst_ip\":\"127.0.0.2\""), out.toString());

        long totalsBefore = snapshot().passed() + snapshot().dropped();
        assertEquals(0, run("udp-limit", "detach", "--name", name), err.toString());
        assertTrue(out.toString().contains("detached " + name + " from pid " + pid), out.toString());
        assertFalse(FilterPins.exists(name), "detach removed the pins");
        FloodChild.Round after = receiver.round("127.0.0.2", "127.0.0.3", 300, 50);
        assertTrue(after.floodReceived() > 0);
        assertTrue(totalsBefore > 0);
    }

    @Test
    void filterKeepsLimitingAfterTheAttachingProcessExits() throws Exception {
        Process attach = new ProcessBuilder(ChildProcess.javaCommand(List.of(), Main.class.getName(),
                "udp-limit", "attach", "--pid", Long.toString(receiver.pid()), "--port",
                Integer.toString(receiver.port()), "--rate", "300", "--burst", "30", "--name", name))
                .redirectErrorStream(true).start();
        String output = new String(attach.getInputStream().readAllBytes());
        assertTrue(attach.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, attach.exitValue(), output);
        assertFalse(attach.isAlive(), "the attaching bpfwatch is gone");

        long before = FilterPins.exists(name) ? snapshot().passed() : -1;
        assertEquals(0, before, "fresh filter");
        FloodChild.Round r = receiver.round("127.0.0.2", "127.0.0.3", 1000, 50);
        FilterSnapshot s = snapshot();
        Bucket b = s.bucket("127.0.0.2");
        System.out.printf("after the attaching process exited (rate 300, burst 30): flood %d in %.3f s, "
                + "received %d, filter passed %d dropped %d%n", r.sent().flood(), r.sent().floodSeconds(),
                r.floodReceived(), b.passed(), b.dropped());
        assertEquals(r.floodReceived(), b.passed(), "receiver and pinned counters agree");
        assertTrue(b.dropped() > 0, "counts still rise in the pinned maps");
        assertNear(30 + 300 * r.sent().floodSeconds(), b.passed(), "still limited at 300 pps");
    }

    @Test
    void reattachingTheSameNameReusesTheProgramAndItsCounts() {
        String[] attach = {"udp-limit", "attach", "--pid", Long.toString(receiver.pid()), "--port",
                Integer.toString(receiver.port()), "--rate", "100", "--burst", "10", "--name", name};
        assertEquals(0, run(attach), err.toString());
        receiver.round("127.0.0.2", "127.0.0.3", 200, 50);
        FilterSnapshot first = snapshot();
        int programId;
        try (PinnedFilter f = PinnedFilter.open(name)) {
            programId = f.program().info().id();
        }
        assertEquals(0, run("udp-limit", "detach", "--name", name, "--keep-pins"), err.toString());
        assertTrue(FilterPins.exists(name), "--keep-pins kept the pins");
        assertEquals(0, run(attach), err.toString());
        FilterSnapshot second = snapshot();
        try (PinnedFilter f = PinnedFilter.open(name)) {
            assertEquals(programId, f.program().info().id(), "same program");
        }
        assertEquals(first.bucket("127.0.0.2").passed(), second.bucket("127.0.0.2").passed(), "counts kept");
        assertEquals(first.dropped(), second.dropped());
        assertEquals(1, second.attachments().size(), "attached once again: " + second.attachments());
    }

    @Test
    void pidThatDoesNotExist() {
        assertEquals(2, run("udp-limit", "attach", "--pid", "99999999", "--rate", "10", "--burst", "1", "--name", name));
        assertEquals("bpfwatch: no process with pid 99999999", err.toString().strip());
        assertFalse(FilterPins.exists(name));
    }

    @Test
    void processWithoutAUdpSocketOnThatPort() {
        int wrong = receiver.port() == 1 ? 2 : receiver.port() - 1;
        assertEquals(2, run("udp-limit", "attach", "--pid", Long.toString(receiver.pid()), "--port",
                Integer.toString(wrong), "--rate", "10", "--burst", "1", "--name", name));
        assertEquals("bpfwatch: pid " + receiver.pid() + " has no UDP socket on port " + wrong, err.toString().strip());
        assertFalse(FilterPins.exists(name));
    }

    @Test
    void tcpSocketIsRefused() throws Exception {
        try (java.net.ServerSocket tcp = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            long self = ProcessHandle.current().pid();
            assertEquals(2, run("udp-limit", "attach", "--pid", Long.toString(self), "--port",
                    Integer.toString(tcp.getLocalPort()), "--rate", "10", "--burst", "1", "--name", name));
            assertEquals("bpfwatch: pid " + self + " has a TCP socket on port " + tcp.getLocalPort()
                    + ", not a UDP one: udp-limit filters UDP sockets only", err.toString().strip());
        }
        assertFalse(FilterPins.exists(name));
    }

    @Test
    void portWithNoUdpSocketOnTheHost() {
        int port = dev.bpfwatch.testing.Loopback.closedUdpPort();
        assertEquals(2, run("udp-limit", "attach", "--port", Integer.toString(port), "--rate", "10", "--burst", "1",
                "--name", name));
        assertEquals("bpfwatch: no UDP socket is bound to port " + port + " in any network namespace",
                err.toString().strip());
    }

    @Test
    void noPermission() throws Exception {
        // Root without capabilities: what an unprivileged operator gets.
        Process p = new ProcessBuilder(ChildProcess.javaCommand(
                List.of("setpriv", "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all", "--"),
                Main.class.getName(), "udp-limit", "attach", "--pid", Long.toString(receiver.pid()), "--port",
                Integer.toString(receiver.port()), "--rate", "10", "--burst", "1", "--name", name))
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes()).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), output);
        assertEquals(1, output.lines().count(), "one line: " + output);
        assertTrue(output.startsWith("bpfwatch: ") && output.contains("permission"), output);
        assertFalse(FilterPins.exists(name), "nothing pinned");
    }

    @Test
    void rateAndBurstAreValidated() {
        String pid = Long.toString(receiver.pid());
        assertEquals(2, run("udp-limit", "attach", "--pid", pid, "--rate", "0", "--burst", "1", "--name", name));
        assertEquals("bpfwatch: rate must be a positive number of packets per second, got 0", err.toString().strip());
        assertEquals(2, run("udp-limit", "attach", "--pid", pid, "--rate", "10", "--burst", "4294967296", "--name", name));
        assertEquals("bpfwatch: burst must be between 1 and 4294967295 packets, got 4294967296", err.toString().strip());
        assertEquals(2, run("udp-limit", "attach", "--pid", pid, "--rate", "10", "--burst", "-1", "--name", name));
        assertFalse(FilterPins.exists(name));
    }

    @Test
    void setOnAMissingFilter() {
        assertEquals(2, run("udp-limit", "set", "--name", name, "--rate", "5"));
        assertTrue(err.toString().startsWith("bpfwatch: no UDP rate-limit filter named '" + name + "'"), err.toString());
    }
}
