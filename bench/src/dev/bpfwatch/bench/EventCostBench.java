package dev.bpfwatch.bench;

import dev.bpfwatch.agent.BundledProgram;
import dev.bpfwatch.libbpf.BpfLink;
import dev.bpfwatch.libbpf.BpfObject;
import dev.bpfwatch.libbpf.BpfProgram;
import dev.bpfwatch.libbpf.ProgramInfo;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * 2. Cost per kernel event of the bundled kfree_skb programs next to an
 * empty program on the same hook, all attached at once and fed the same
 * drops: UDP datagrams to a closed port on 127.0.0.1 (NO_SOCKET).
 * Run with kernel BPF stats on.
 */
final class EventCostBench {
    private static final int ROUNDS = 3;
    private static final double SECONDS = 2;

    private final Path build;

    EventCostBench(Path build) {
        this.build = build;
    }

    /** Median ns/event of [kfree_skb_drops, socket_drops, empty]. */
    double[] run(Report.Section s) throws Exception {
        s.method("Kernel BPF stats are switched on for the run (BPF_ENABLE_STATS fd, `BpfStats.enable()`); "
                + "each program's run_cnt and run_time_ns come from bpf_prog_info before and after a round.");
        s.method("The bundled `kfree_skb_drops` and `socket_drops` (both `tp_btf/kfree_skb`) and the empty program "
                + "`empty_kfree_skb` (`bench/bpf/bench_empty.bpf.c`, returns 0) are attached together, so every "
                + "event runs all three. Load: `bench/c/udp_flood` sends 64-byte UDP datagrams with sendmmsg to "
                + "a closed port on 127.0.0.1 for " + SECONDS + " s; each is freed as NO_SOCKET (one event).");
        s.method("ns/event = delta run_time_ns / delta run_cnt per round; the figure is the median of " + ROUNDS
                + " rounds, and the ratio is to the empty program's ns/event in the same rounds.");
        Path obj = build.resolve("bpf/bench_empty.bpf.o");
        List<double[]> rounds = new ArrayList<>();
        long events = 0;
        try (dev.bpfwatch.libbpf.BpfStats stats = dev.bpfwatch.libbpf.BpfStats.enable();
             BundledProgram drops = BundledProgram.loadAndAttach("kfree_skb_drops");
             BundledProgram socketDrops = BundledProgram.loadAndAttach("socket_drops");
             BpfObject empty = BpfObject.open(obj)) {
            empty.program("empty_filter").orElseThrow().setAutoload(false);
            empty.program("empty_iter_tcp").orElseThrow().setAutoload(false);
            empty.load();
            BpfProgram emptyProg = empty.program("empty_kfree_skb").orElseThrow();
            BpfProgram dropsProg = kfreeSkb(drops.object());
            BpfProgram sockProg = kfreeSkb(socketDrops.object());
            try (BpfLink link = emptyProg.attach()) {
                int port = closedPort();
                for (int r = 0; r < ROUNDS; r++) {
                    ProgramInfo d0 = dropsProg.info();
                    ProgramInfo s0 = sockProg.info();
                    ProgramInfo e0 = emptyProg.info();
                    Proc.run(List.of(build.resolve("udp_flood").toString(), "127.0.0.1", Integer.toString(port),
                            Double.toString(SECONDS)), 60);
                    ProgramInfo d1 = dropsProg.info();
                    ProgramInfo s1 = sockProg.info();
                    ProgramInfo e1 = emptyProg.info();
                    events += d1.runCount() - d0.runCount();
                    rounds.add(new double[] {perEvent(d0, d1), perEvent(s0, s1), perEvent(e0, e1)});
                }
                if (link.attached() && events == 0) {
                    throw new IllegalStateException("no kfree_skb events seen");
                }
            }
        }
        double[] med = new double[3];
        for (int i = 0; i < 3; i++) {
            List<Double> xs = new ArrayList<>();
            for (double[] r : rounds) {
                xs.add(r[i]);
            }
            med[i] = Timing.median(xs);
        }
        double emptyNs = med[2];
        s.row("`kfree_skb_drops` (tp_btf/kfree_skb), ns/event", String.format("%.1f ns", med[0]),
                String.format("empty program %.1f ns", emptyNs), Report.ratio(med[0], emptyNs), "<= 2x",
                med[0] <= 2 * emptyNs);
        s.row("`socket_drops` (tp_btf/kfree_skb), ns/event", String.format("%.1f ns", med[1]),
                String.format("empty program %.1f ns", emptyNs), Report.ratio(med[1], emptyNs), "", null);
        s.note(String.format("%,d kfree_skb events per program over %d rounds (%.1f M events/s of load).", events,
                ROUNDS, events / (ROUNDS * SECONDS) / 1e6));
        s.note("The other bundled programs are measured where their load is: `udp_ratelimit` per packet in "
                + "section 3, `tcp_listeners` per listening socket visited in section 4.");
        System.out.printf("events: kfree_skb_drops %.1f ns, socket_drops %.1f ns, empty %.1f ns%n", med[0], med[1],
                emptyNs);
        return med;
    }

    static double perEvent(ProgramInfo before, ProgramInfo after) {
        long n = after.runCount() - before.runCount();
        if (n <= 0) {
            throw new IllegalStateException("program " + after.name() + " did not run (is BPF stats on?)");
        }
        return (double) (after.runTimeNs() - before.runTimeNs()) / n;
    }

    private static BpfProgram kfreeSkb(BpfObject o) {
        return o.programs().stream().filter(p -> p.section().startsWith("tp_btf/kfree_skb")).findFirst()
                .orElseThrow(() -> new IllegalStateException(o.name() + " has no tp_btf/kfree_skb program"));
    }

    private static int closedPort() throws java.io.IOException {
        try (DatagramSocket d = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            return d.getLocalPort();
        }
    }
}
