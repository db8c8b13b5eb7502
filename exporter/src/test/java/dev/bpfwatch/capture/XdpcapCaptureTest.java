package dev.bpfwatch.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.Command;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `bpfwatch xdpcap` end to end on the project's instrumented XDP program:
 * known traffic crosses a veth in the test's netns, the capture is stopped
 * with a signal, and Debian's tcpdump reads what it wrote.
 */
class XdpcapCaptureTest {
    private static final int PASSED = 30;
    private static final int DROPPED = 20;
    private static final int PASS_PAYLOAD = 100;
    private static final int DROP_PAYLOAD = 200;
    private static final int HEADERS = 14 + 20 + 8; // Ethernet, IPv4, UDP
    private static final Pattern STATS = Pattern.compile("(?m)^(\\w+)\\s+(\\d+) seen, (\\d+) matched, (\\d+) written, (\\d+) lost$");

    @TempDir
    Path dir;

    @Test
    void capturesEachActionAndTcpdumpReadsIt() {
        try (HookFixture hook = new HookFixture()) {
            Path out = dir.resolve("out.pcap");
            try (CaptureProcess capture = CaptureProcess.start(dir, hook.pin.toString(), out.toString(),
                    "udp", "and", "dst", "host", HookFixture.PEER)) {
                capture.awaitInserted(hook.pin, XdpAction.values());
                hook.send(HookFixture.PASS_PORT, PASSED, PASS_PAYLOAD);
                hook.send(HookFixture.DROP_PORT, DROPPED, DROP_PAYLOAD);
                capture.signal("INT");
                assertEquals(0, capture.waitFor(), capture.stderr());
                assertEquals(List.of("aborted 0 0 0 0", "drop 20 20 20 0", "pass 30 30 30 0", "tx 0 0 0 0",
                        "redirect 0 0 0 0"), stats(capture.stderr()), capture.stderr());
            }
            assertEquals(PASSED, packets(out, "udp dst port " + HookFixture.PASS_PORT));
            assertEquals(DROPPED, packets(out, "udp dst port " + HookFixture.DROP_PORT));
            assertEquals(PASSED + DROPPED, packets(out, ""));
            assertEquals((long) PASSED * (HEADERS + PASS_PAYLOAD), bytes(out, "udp dst port " + HookFixture.PASS_PORT));
            assertEquals((long) DROPPED * (HEADERS + DROP_PAYLOAD), bytes(out, "udp dst port " + HookFixture.DROP_PORT));
            assertSlotsEmpty(hook.pin);
        }
    }

    /**
     * A byte watermark instead of a sample count: 9 packets of 100 bytes never
     * reach 64 KiB, so they are read on the poll timeout or on exit, all of them.
     */
    @Test
    void aWatermarkBelowWhichPacketsWaitLosesNone() {
        try (HookFixture hook = new HookFixture()) {
            Path out = dir.resolve("watermark.pcap");
            try (CaptureProcess capture = CaptureProcess.start(dir, "--actions", "drop", "--buffer", "262144",
                    "--watermark", "65536", hook.pin.toString(), out.toString())) {
                capture.awaitInserted(hook.pin, XdpAction.DROP);
                hook.send(HookFixture.DROP_PORT, 9, 100);
                capture.signal("TERM");
                assertEquals(0, capture.waitFor(), capture.stderr());
                assertEquals(List.of("drop 9 9 9 0"), stats(capture.stderr()));
            }
            assertEquals(9, packets(out, "udp dst port " + HookFixture.DROP_PORT));
            assertSlotsEmpty(hook.pin);
        }
    }

    /** A shell script's background job starts with SIGINT ignored; `kill -INT` still stops it, as it stops tcpdump. */
    @Test
    void sigintStopsACaptureStartedInAScriptsBackground() {
        try (HookFixture hook = new HookFixture()) {
            Path out = dir.resolve("background.pcap");
            try (CaptureProcess capture = CaptureProcess.startInScriptBackground(dir, "--actions", "drop",
                    hook.pin.toString(), out.toString())) {
                capture.awaitInserted(hook.pin, XdpAction.DROP);
                hook.send(HookFixture.DROP_PORT, 3, 100);
                capture.signal("INT");
                assertEquals(0, capture.waitFor(), capture.stderr());
                assertEquals(List.of("drop 3 3 3 0"), stats(capture.stderr()));
            }
            assertSlotsEmpty(hook.pin);
        }
    }

    /** Per action "name seen matched written lost", in slot order. */
    static List<String> stats(String stderr) {
        Matcher m = STATS.matcher(stderr);
        List<String> out = new java.util.ArrayList<>();
        while (m.find()) {
            out.add(m.group(1) + " " + m.group(2) + " " + m.group(3) + " " + m.group(4) + " " + m.group(5));
        }
        return out;
    }

    static void assertSlotsEmpty(Path pin) {
        try (Hook h = Hook.open(pin)) {
            for (XdpAction a : XdpAction.values()) {
                assertEquals(Optional.empty(), h.occupant(a), "slot " + a.label() + " after the capture ended");
            }
        }
    }

    /** Packets tcpdump reads from the file with this filter. */
    static int packets(Path file, String filter) {
        return lines(file, filter).size();
    }

    /** Sum of the frame lengths tcpdump reports (-e prints "length N" of the frame first). */
    static long bytes(Path file, String filter) {
        long sum = 0;
        Pattern frameLength = Pattern.compile(", length (\\d+):");
        for (String line : lines(file, filter)) {
            Matcher m = frameLength.matcher(line);
            assertTrue(m.find(), line);
            sum += Long.parseLong(m.group(1));
        }
        return sum;
    }

    private static List<String> lines(Path file, String filter) {
        Command c = filter.isEmpty() ? Tcpdump.read(file, "-e") : Tcpdump.read(file, "-e", "--", filter);
        assertEquals(0, c.exit(), c.err());
        return c.out().lines().filter(l -> !l.isBlank()).toList();
    }
}
