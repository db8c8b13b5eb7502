package dev.bpfwatch.bench;

import dev.bpfwatch.libbpf.BpfObject;
import dev.bpfwatch.libbpf.PinnedProgram;
import dev.bpfwatch.libbpf.ProgramInfo;
import dev.bpfwatch.libbpf.SocketFilter;
import dev.bpfwatch.libbpf.UdpSocket;
import dev.bpfwatch.ratelimit.ChannelFilter;
import dev.bpfwatch.ratelimit.FilterPins;
import dev.bpfwatch.ratelimit.FilterSnapshot;
import dev.bpfwatch.ratelimit.PinnedFilter;
import dev.bpfwatch.ratelimit.RateLimit;
import dev.bpfwatch.ratelimit.SocketRef;
import dev.bpfwatch.ratelimit.UdpSockets;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * 3. The UDP rate-limit filter: what a receiver gets through it against the
 * same receiver bare, under a sender that saturates loopback; its cost per
 * packet from BPF stats against an empty socket filter; and legitimate
 * loss under a flood.
 */
final class UdpFilterBench {
    private static final String NAME = "bench";
    private static final int ROUNDS = 7;
    private static final int COST_ROUNDS = 2;
    private static final double SECONDS = 3;
    private static final double FLOOD_SECONDS = 5;
    private static final int LEGIT_PPS = 200;
    private static final RateLimit NEVER_DROPS = RateLimit.of(1_000_000_000L, RateLimit.MAX_BURST);
    private static final RateLimit FLOOD_LIMIT = RateLimit.of(1_000, 100);

    private final Path build;
    private final List<Double> offered = new ArrayList<>();

    UdpFilterBench(Path build) {
        this.build = build;
    }

    /** [pps bare, pps filtered, ns/packet filter, ns/packet empty filter, legit loss under flood]. */
    double[] run(Report.Section s) throws Exception {
        s.method("Receiver: a Java thread in this process reading a DatagramChannel bound to 0.0.0.0 (SO_RCVBUF 4 MiB) "
                + "as fast as it can, counting datagrams. Sender: `bench/c/udp_flood` (sendmmsg, 64 datagrams of 64 "
                + "bytes per call, one core) to 127.0.0.1 for " + SECONDS + " s. Received pps = datagrams the "
                + "receiver read / sender's time.");
        s.method("Three receivers, alternated " + ROUNDS + " times (median): bare; the bundled `udp_ratelimit` filter "
                + "attached in-process with `ChannelFilter.attach(ch, \"bench\", RateLimit.of(1e9, 2^32-1))` "
                + "(a limit that never drops: every packet goes through the GCRA path); an empty socket filter "
                + "(`empty_filter`, returns skb->len) for the per-packet baseline. The percentages are the median "
                + "over rounds of each round's filtered (or empty-filter) rate over that round's bare rate; the "
                + "pps columns are medians of the rates themselves.");
        s.method("Throughput rounds run with kernel BPF stats off, as the agent runs by default. Per-packet cost: "
                + "run_time_ns / run_cnt of each filter over " + COST_ROUNDS + " further rounds each with BPF stats on.");
        s.method("Flood: the filter set to 1000 pps, burst 100 per destination IP; `udp_flood` floods 127.0.0.2 for "
                + FLOOD_SECONDS + " s while a paced Java sender sends " + LEGIT_PPS + " pps of legitimate datagrams "
                + "to 127.0.0.1 (same socket). Legitimate loss = sent - received after the receiver drains. The same "
                + "flood without the filter is shown for contrast.");
        FilterPins.remove(NAME);
        Path pinDir = Path.of("/sys/fs/bpf/bpfwatch-bench");
        Files.createDirectories(pinDir);
        Path emptyPin = pinDir.resolve("empty_filter");
        Files.deleteIfExists(emptyPin);
        double[] out = new double[7];
        try (BpfObject empty = BpfObject.open(build.resolve("bpf/bench_empty.bpf.o"));
             Receiver rx = new Receiver()) {
            empty.program("empty_kfree_skb").orElseThrow().setAutoload(false);
            empty.program("empty_iter_tcp").orElseThrow().setAutoload(false);
            empty.load();
            empty.program("empty_filter").orElseThrow().pin(emptyPin.toString());
            try (PinnedProgram emptyFilter = PinnedProgram.open(emptyPin)) {
                SocketRef ref = UdpSockets.ofProcess(ProcessHandle.current().pid(), rx.port()).get(0);
                ChannelFilter.attach(rx.channel, NAME, NEVER_DROPS);
                ChannelFilter.detach(rx.channel);
                List<Double> bare = new ArrayList<>();
                List<Double> filtered = new ArrayList<>();
                List<Double> emptied = new ArrayList<>();
                long fCnt = 0;
                long fNs = 0;
                long eCnt = 0;
                long eNs = 0;
                try (PinnedFilter filter = PinnedFilter.open(NAME)) {
                    long dropped0 = filter.snapshot().dropped();
                    // Throughput as deployed: BPF stats off (the agent turns them on
                    // only with --bpf.stats), since timing every run costs each
                    // filter two clock reads per packet.
                    for (int r = 0; r < ROUNDS; r++) {
                        bare.add(throughput(rx, rx.port()));

                        ChannelFilter.attach(rx.channel, NAME, NEVER_DROPS);
                        filtered.add(throughput(rx, rx.port()));
                        ChannelFilter.detach(rx.channel);

                        try (UdpSocket sock = UdpSocket.inThisProcess(ref.fd())) {
                            SocketFilter.attach(sock, emptyFilter);
                            emptied.add(throughput(rx, rx.port()));
                            SocketFilter.detach(sock);
                        }
                    }
                    // Per-packet cost: separate rounds with stats on.
                    try (dev.bpfwatch.libbpf.BpfStats stats = dev.bpfwatch.libbpf.BpfStats.enable()) {
                        for (int r = 0; r < COST_ROUNDS; r++) {
                            ChannelFilter.attach(rx.channel, NAME, NEVER_DROPS);
                            ProgramInfo f0 = fresh(filter.program().path());
                            throughput(rx, rx.port());
                            ProgramInfo f1 = fresh(filter.program().path());
                            ChannelFilter.detach(rx.channel);
                            fCnt += f1.runCount() - f0.runCount();
                            fNs += f1.runTimeNs() - f0.runTimeNs();

                            try (UdpSocket sock = UdpSocket.inThisProcess(ref.fd())) {
                                SocketFilter.attach(sock, emptyFilter);
                                ProgramInfo e0 = fresh(emptyPin);
                                throughput(rx, rx.port());
                                ProgramInfo e1 = fresh(emptyPin);
                                SocketFilter.detach(sock);
                                eCnt += e1.runCount() - e0.runCount();
                                eNs += e1.runTimeNs() - e0.runTimeNs();
                            }
                        }
                    }
                    long droppedNoLimit = filter.snapshot().dropped() - dropped0;
                    if (fCnt == 0 || eCnt == 0) {
                        throw new IllegalStateException("a filter did not run (BPF stats?): rate-limit runs " + fCnt + ", empty runs " + eCnt + ", pps " + bare + filtered + emptied);
                    }
                    out[0] = Timing.median(bare);
                    out[1] = Timing.median(filtered);
                    out[2] = (double) fNs / fCnt;
                    out[3] = (double) eNs / eCnt;
                    double emptyPps = Timing.median(emptied);
                    // Each round's filtered and empty runs are divided by that round's
                    // bare run, seconds apart: the median of those ratios cancels the
                    // machine's slow drift, which a ratio of two medians does not.
                    out[5] = medianRatio(filtered, bare);
                    out[6] = medianRatio(emptied, bare);
                    s.row("received pps through `udp_ratelimit` (nothing dropped)", pps(out[1]),
                            "no filter " + pps(out[0]), String.format("%.1f%%", 100 * out[5]), ">= 90%",
                            out[5] >= 0.9);
                    s.row("received pps through the empty filter", pps(emptyPps), "no filter " + pps(out[0]),
                            String.format("%.1f%%", 100 * out[6]), "", null);
                    s.row("`udp_ratelimit` cost per packet (BPF stats)", String.format("%.1f ns", out[2]),
                            String.format("empty filter %.1f ns", out[3]), Report.ratio(out[2], out[3]), "", null);
                    s.note(String.format("Sender's offered load in the throughput rounds: median %.2f M pps (the "
                            + "receiver reads what it can; the rest overflows its buffer).", Timing.median(offered) / 1e6));
                    s.note(String.format("Datagrams the filter dropped during the no-drop rounds: %d (must be 0).",
                            droppedNoLimit));
                    if (droppedNoLimit != 0) {
                        throw new IllegalStateException("the never-dropping limit dropped " + droppedNoLimit);
                    }

                    // Flood: filtered, then bare for contrast.
                    ChannelFilter.attach(rx.channel, NAME, FLOOD_LIMIT);
                    FilterSnapshot before = filter.snapshot();
                    long[] withFilter = flood(rx, rx.port());
                    FilterSnapshot after = filter.snapshot();
                    ChannelFilter.detach(rx.channel);
                    long[] without = flood(rx, rx.port());
                    out[4] = withFilter[0] - withFilter[1];
                    s.row("legitimate loss under a flood, with the filter", String.format("%d of %d", (long) out[4],
                            withFilter[0]), String.format("no filter: %d of %d", without[0] - without[1], without[0]),
                            "", "0", out[4] == 0);
                    s.note(String.format("Flood with the filter: %,d flood datagrams sent (%.2f M pps), the filter "
                                    + "dropped %,d and passed %,d; the receiver read %,d flood datagrams.",
                            withFilter[2], withFilter[2] / FLOOD_SECONDS / 1e6, after.dropped() - before.dropped(),
                            after.passed() - before.passed(), withFilter[3]));
                    s.note(String.format("Flood without the filter: %,d flood datagrams sent, the receiver read %,d.",
                            without[2], without[3]));
                }
            } finally {
                Files.deleteIfExists(emptyPin);
            }
        } finally {
            FilterPins.remove(NAME);
        }
        System.out.printf("udp: bare %.0f pps, filtered %.0f pps, filter %.1f ns/pkt, empty %.1f ns/pkt, loss %d%n",
                out[0], out[1], out[2], out[3], (long) out[4]);
        return out;
    }

    private static double medianRatio(List<Double> measured, List<Double> baseline) {
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < measured.size(); i++) {
            ratios.add(measured.get(i) / baseline.get(i));
        }
        return Timing.median(ratios);
    }

    /** PinnedProgram caches its info at open: reopen the pin to read the run counters now. */
    private static ProgramInfo fresh(Path pin) {
        try (PinnedProgram p = PinnedProgram.open(pin)) {
            return p.info();
        }
    }

    private static String pps(double v) {
        return String.format("%.2f M pps", v / 1e6);
    }

    private double throughput(Receiver rx, int port) {
        rx.awaitQuiet();
        long before = rx.total.get();
        String res = Proc.run(List.of(build.resolve("udp_flood").toString(), "127.0.0.1", Integer.toString(port),
                Double.toString(SECONDS)), 60);
        long got = rx.total.get() - before;
        long ns = Long.parseLong(res.trim().split(" ")[3]);
        offered.add(Long.parseLong(res.trim().split(" ")[1]) / (ns / 1e9));
        return got / (ns / 1e9);
    }

    /** [legit sent, legit received, flood sent, flood received]. */
    private long[] flood(Receiver rx, int port) throws Exception {
        rx.awaitQuiet();
        long f0 = rx.flood.get();
        long l0 = rx.legit.get();
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong legitSent = new AtomicLong();
        Thread legit = new Thread(() -> {
            try (DatagramChannel ch = DatagramChannel.open()) {
                InetSocketAddress to = new InetSocketAddress("127.0.0.1", port);
                ByteBuffer msg = ByteBuffer.allocate(64);
                msg.put(0, (byte) 'L');
                long start = System.nanoTime();
                long interval = TimeUnit.SECONDS.toNanos(1) / LEGIT_PPS;
                for (long i = 0; !done.get(); i++) {
                    long wait = start + i * interval - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    ch.send(msg.rewind(), to);
                    legitSent.incrementAndGet();
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "bench-legit");
        legit.start();
        String res;
        try {
            res = Proc.run(List.of(build.resolve("udp_flood").toString(), "127.0.0.2", Integer.toString(port),
                    Double.toString(FLOOD_SECONDS)), 60);
        } finally {
            done.set(true);
            legit.join();
        }
        rx.awaitQuiet();
        long floodSent = Long.parseLong(res.trim().split(" ")[1]);
        return new long[] {legitSent.get(), rx.legit.get() - l0, floodSent, rx.flood.get() - f0};
    }

    /** Reads as fast as it can; 'L' first byte is legitimate, anything else flood. */
    private static final class Receiver implements AutoCloseable {
        final DatagramChannel channel;
        final AtomicLong total = new AtomicLong();
        final AtomicLong flood = new AtomicLong();
        final AtomicLong legit = new AtomicLong();
        final AtomicLong last = new AtomicLong(System.nanoTime());
        private final Thread reader;

        Receiver() throws IOException {
            channel = DatagramChannel.open(java.net.StandardProtocolFamily.INET);
            channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            channel.bind(new InetSocketAddress("0.0.0.0", 0));
            reader = new Thread(this::loop, "bench-receiver");
            reader.setDaemon(true);
            reader.start();
        }

        int port() throws IOException {
            return ((InetSocketAddress) channel.getLocalAddress()).getPort();
        }

        private void loop() {
            ByteBuffer buf = ByteBuffer.allocateDirect(2048);
            try {
                while (true) {
                    buf.clear();
                    channel.receive(buf);
                    (buf.get(0) == 'L' ? legit : flood).incrementAndGet();
                    total.incrementAndGet();
                    last.set(System.nanoTime());
                }
            } catch (IOException closed) {
                // close() ends the loop
            }
        }

        void awaitQuiet() {
            long quiet = TimeUnit.MILLISECONDS.toNanos(300);
            while (System.nanoTime() - last.get() < quiet) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
