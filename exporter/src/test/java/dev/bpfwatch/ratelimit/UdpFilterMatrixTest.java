package dev.bpfwatch.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.CliRun;
import dev.bpfwatch.testing.Bpftool;
import dev.bpfwatch.testing.ForeignUdpReceiver;
import dev.bpfwatch.testing.KernelMatrix;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The UDP rate-limit filter on every kernel of the matrix, with exact counts.
 *
 * <p>At 1 packet a second no token comes back while a round is sent (well
 * under a second, even in an emulated guest), so a fresh bucket of burst B
 * passes exactly the first B datagrams sent to its destination IP and drops
 * the rest: the receiver and the filter's own maps must both say so, for
 * each of two destinations (each has its own bucket). Cheap on purpose: a few
 * dozen datagrams, one receiver, no second JVM.
 *
 * <p>Which program runs is the kernel's call (see {@link FilterProgram}):
 * udp_ratelimit with BPF compare-and-swap from 5.12, udprl_xadd before.
 * Both are also checked to count exactly where both load.
 */
@Tag("matrix")
class UdpFilterMatrixTest {
    static final long RATE = 1; // pps: a token per second, none during a round
    static final int BURST = 5;
    static final int SENT = 20; // per destination
    static final List<String> DESTINATIONS = List.of("127.0.0.2", "127.0.0.3");
    /** Quiet time after which a receiver's queue is taken as drained (the guest is ~20x slower). */
    static final long QUIET_MILLIS = KernelMatrix.inGuest() ? 1000 : 200;

    private final String name = "test-matrix-" + ProcessHandle.current().pid();

    @AfterEach
    void cleanUp() {
        if (FilterPins.exists(name)) {
            UdpRateLimiter.detach(name, null, false);
        }
    }

    @Test
    void inProcessApiPassesExactlyTheBurstPerDestination() throws Exception {
        FilterProgram expected = expectedProgram();
        try (DatagramChannel receiver = openReceiver(); DatagramChannel sender = DatagramChannel.open()) {
            int port = ((InetSocketAddress) receiver.getLocalAddress()).getPort();
            warmUp(sender, port, () -> receiveAll(receiver));

            long t0 = System.nanoTime();
            ChannelFilter.attach(receiver, name, RateLimit.of(RATE, BURST));
            long attachMs = millisSince(t0);
            Round r = round(sender, port, () -> receiveAll(receiver), expected);
            System.out.printf("%s in-process: attach %d ms; %s%n", KernelMatrix.kernel(), attachMs, r);

            detachAndCheckNothingLeft(r, () -> {
                UdpRateLimiter.detach(name, null, false);
                return null;
            }, sender, port, () -> receiveAll(receiver));
            record("UDP rate limit (in-process ChannelFilter)", expected);
        }
    }

    /** udprl_xadd where the kernel would pick udp_ratelimit: the fallback counts exactly too, on every kernel. */
    @Test
    void xaddProgramPassesExactlyTheBurstPerDestination() throws Exception {
        try (DatagramChannel receiver = openReceiver(); DatagramChannel sender = DatagramChannel.open()) {
            int port = ((InetSocketAddress) receiver.getLocalAddress()).getPort();
            warmUp(sender, port, () -> receiveAll(receiver));

            assertTrue(FilterPins.ensure(name, FilterProgram.XADD));
            ChannelFilter.attach(receiver, name, RateLimit.of(RATE, BURST));
            Round r = round(sender, port, () -> receiveAll(receiver), FilterProgram.XADD);
            System.out.printf("%s udprl_xadd forced: %s%n", KernelMatrix.kernel(), r);

            detachAndCheckNothingLeft(r, () -> {
                UdpRateLimiter.detach(name, null, false);
                return null;
            }, sender, port, () -> receiveAll(receiver));
        }
    }

    /** `bpfwatch udp-limit attach --pid` on a socket of another process, reached with pidfd_getfd. */
    @Test
    void udpLimitAttachOnAnotherProcessPassesExactlyTheBurstPerDestination() throws Exception {
        FilterProgram expected = expectedProgram();
        try (ForeignUdpReceiver receiver = ForeignUdpReceiver.start(); DatagramChannel sender = DatagramChannel.open()) {
            int port = receiver.port();
            warmUp(sender, port, () -> receiver.drain(QUIET_MILLIS));

            long t0 = System.nanoTime();
            CliRun attach = CliRun.of("udp-limit", "attach", "--pid", Long.toString(receiver.pid()), "--port",
                    Integer.toString(port), "--rate", Long.toString(RATE), "--burst", Integer.toString(BURST),
                    "--name", name);
            long attachMs = millisSince(t0);
            assertEquals(0, attach.exit(), attach.err());
            assertTrue(attach.out().contains("attached " + name + " to pid " + receiver.pid()), attach.out());
            CliRun status = CliRun.of("udp-limit", "status", "--name", name, "--output", "json");
            assertTrue(status.out().contains("\"program\":\"" + expected.programName() + "\""), status.out());

            Round r = round(sender, port, () -> receiver.drain(QUIET_MILLIS), expected);
            System.out.printf("%s udp-limit attach --pid (pidfd_getfd): attach %d ms; %s%n",
                    KernelMatrix.kernel(), attachMs, r);

            detachAndCheckNothingLeft(r, () -> {
                CliRun detach = CliRun.of("udp-limit", "detach", "--name", name);
                assertEquals(0, detach.exit(), detach.err());
                assertTrue(detach.out().contains("detached " + name + " from pid " + receiver.pid()), detach.out());
                return null;
            }, sender, port, () -> receiver.drain(QUIET_MILLIS));
            record("udp-limit attach --pid (pidfd_getfd)", expected);
        }
    }

    // ---- one round: send, then count at the receiver and in the maps ----

    /** What a round sent and what came of it. */
    record Round(long sendMillis, long settleMillis, int programId, FilterSnapshot snapshot,
                 List<String> received) {
        @Override
        public String toString() {
            return String.format("program id %d; sent %d to each of %s in %d ms; filter decided all %d after %d ms; "
                            + "passed %d, dropped %d; received %d", programId, SENT, DESTINATIONS, sendMillis,
                    snapshot.passed() + snapshot.dropped(), settleMillis, snapshot.passed(), snapshot.dropped(),
                    received.size());
        }
    }

    private Round round(DatagramChannel sender, int port, Receiver receiver, FilterProgram expected)
            throws Exception {
        int programId;
        try (PinnedFilter f = PinnedFilter.open(name)) {
            assertEquals(expected, f.runs().orElseThrow(), "program " + f.program().info().name());
            programId = f.program().info().id();
            FilterSnapshot fresh = f.snapshot();
            assertEquals(0, fresh.passed() + fresh.dropped() + fresh.notIp(), "a fresh filter saw nothing yet");
        }
        assertTrue(Bpftool.programLoaded(programId), "bpftool lists the filter's program " + programId);

        long sendMillis = send(sender, port, SENT);
        // The filter decides each datagram in the sender's send() on loopback;
        // wait until its totals have all of them rather than trust that.
        long t0 = System.nanoTime();
        FilterSnapshot s;
        while (true) {
            try (PinnedFilter f = PinnedFilter.open(name)) {
                s = f.snapshot();
            }
            if (s.passed() + s.dropped() + s.notIp() >= (long) SENT * DESTINATIONS.size()
                    || millisSince(t0) > 10_000) {
                break;
            }
            Thread.sleep(20);
        }
        long settleMillis = millisSince(t0);
        List<String> received = receiver.drain();
        Round r = new Round(sendMillis, settleMillis, programId, s, received);
        String why = " (" + r + ")";

        for (String dst : DESTINATIONS) {
            Bucket b = s.bucket(dst);
            assertTrue(b != null, "a bucket for " + dst + why);
            assertEquals(BURST, b.passed(), "filter passed to " + dst + why);
            assertEquals(SENT - BURST, b.dropped(), "filter dropped to " + dst + why);
            // A fresh bucket admits the first BURST back to back, nothing after.
            Set<Integer> got = received.stream().filter(p -> p.startsWith(dst + "#"))
                    .map(p -> Integer.parseInt(p.substring(dst.length() + 1)))
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(IntStream.range(0, BURST).boxed().collect(Collectors.toCollection(TreeSet::new)), got,
                    "datagrams the receiver got for " + dst + why);
        }
        assertEquals(DESTINATIONS.size(), s.buckets().size(), "one bucket per destination: " + s.buckets() + why);
        assertEquals((long) BURST * DESTINATIONS.size(), s.passed(), "totals passed" + why);
        assertEquals((long) (SENT - BURST) * DESTINATIONS.size(), s.dropped(), "totals dropped" + why);
        assertEquals(0, s.notIp(), "totals not IP" + why);
        assertEquals(BURST * DESTINATIONS.size(), received.size(), "receiver got " + received + why);
        return r;
    }

    /**
     * Detaches through {@code detach}, then: pins gone, the socket unfiltered
     * (an exhausted destination gets through again), and nothing of the
     * filter left in the kernel: neither this process's fds nor the
     * program's and maps' ids.
     */
    private void detachAndCheckNothingLeft(Round r, java.util.concurrent.Callable<Void> detach,
                                           DatagramChannel sender, int port, Receiver receiver) throws Exception {
        // Every map, udprl_sockets too (bpfwatch's own, not in the program's map_ids).
        List<Integer> mapIds = new ArrayList<>();
        for (String map : FilterPins.MAPS) {
            mapIds.add(Bpftool.pinnedMapId(FilterPins.dir(name).resolve(map).toString()));
        }
        assertTrue(Bpftool.mapIdsOf(r.programId()).stream().allMatch(mapIds::contains),
                "the program's maps are the pinned ones: " + mapIds);

        detach.call();
        assertFalse(FilterPins.exists(name), "program pin removed");
        assertFalse(Files.exists(FilterPins.dir(name)), "pin directory removed");

        String dst = DESTINATIONS.get(0);
        sendTo(sender, dst, port, "after#0");
        sendTo(sender, dst, port, "after#1");
        assertEquals(List.of("after#0", "after#1"), receiver.drain(),
                "no filter left on the socket: its bucket for " + dst + " was empty");

        for (FilterProgram p : FilterProgram.values()) {
            assertEquals(0, Bpftool.countOwnPrograms(p.programName()), "this JVM holds no " + p.programName());
        }
        for (String map : FilterPins.MAPS) {
            assertEquals(0, Bpftool.countOwnMaps(map), "this JVM holds no map " + map);
        }
        // The kernel frees a program after an RCU grace period, not at its last reference.
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (Bpftool.programLoaded(r.programId()) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertFalse(Bpftool.programLoaded(r.programId()), "program " + r.programId() + " unloaded");
        for (int id : mapIds) {
            while (Bpftool.mapLoaded(id) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertFalse(Bpftool.mapLoaded(id), "map " + id + " freed");
        }
    }

    // ---- traffic ----

    @FunctionalInterface
    interface Receiver {
        List<String> drain() throws Exception;
    }

    private static DatagramChannel openReceiver() throws IOException {
        DatagramChannel ch = DatagramChannel.open();
        ch.bind(new InetSocketAddress("0.0.0.0", 0));
        ch.socket().setSoTimeout((int) QUIET_MILLIS);
        return ch;
    }

    /** Everything queued on the channel, until nothing arrives for {@link #QUIET_MILLIS}. */
    private static List<String> receiveAll(DatagramChannel ch) throws IOException {
        List<String> got = new ArrayList<>();
        byte[] buf = new byte[2048];
        while (true) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                ch.socket().receive(p);
            } catch (SocketTimeoutException quiet) {
                return got;
            }
            got.add(new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII));
        }
    }

    /**
     * The send loop once before the filter, so the round itself runs through
     * loaded, warm code: in the guest a cold first pass is what could stretch
     * a round towards the second in which a token comes back.
     */
    private static void warmUp(DatagramChannel sender, int port, Receiver receiver) throws Exception {
        send(sender, port, 3);
        assertEquals(3 * DESTINATIONS.size(), receiver.drain().size(), "unfiltered warm-up datagrams");
    }

    /** {@code count} datagrams to each destination, interleaved; payload "DST#SEQ". Returns how long it took. */
    private static long send(DatagramChannel sender, int port, int count) {
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            for (String dst : DESTINATIONS) {
                sendTo(sender, dst, port, dst + "#" + i);
            }
        }
        return millisSince(t0);
    }

    private static void sendTo(DatagramChannel sender, String dst, int port, String payload) {
        try {
            sender.send(ByteBuffer.wrap(payload.getBytes(StandardCharsets.US_ASCII)), new InetSocketAddress(dst, port));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    // ---- kernel and CLI ----

    /** udp_ratelimit where the kernel has BPF_CMPXCHG (5.12+), udprl_xadd before. */
    static FilterProgram expectedProgram() throws IOException {
        String[] v = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip().split("[.-]");
        int major = Integer.parseInt(v[0]);
        int minor = Integer.parseInt(v[1]);
        return major > 5 || (major == 5 && minor >= 12) ? FilterProgram.CAS : FilterProgram.XADD;
    }

    private static void record(String feature, FilterProgram program) {
        String counts = BURST + " of " + SENT + " passed per destination IP";
        if (program == FilterProgram.CAS) {
            KernelMatrix.works(feature, program.programName() + ", " + counts);
        } else {
            KernelMatrix.degraded(feature, program.programName() + " (no BPF compare-and-swap before 5.12): "
                    + "datagrams for one destination on different CPUs at the same instant can be admitted on one token; "
                    + counts);
        }
    }
}
