package dev.bpfwatch.bench;

import dev.bpfwatch.agent.BundledProgram;
import dev.bpfwatch.libbpf.BpfLink;
import dev.bpfwatch.libbpf.BpfObject;
import dev.bpfwatch.libbpf.BpfProgram;
import dev.bpfwatch.libbpf.NetworkNamespace;
import dev.bpfwatch.libbpf.ProgramInfo;
import dev.bpfwatch.sockets.Listener;
import dev.bpfwatch.sockets.ListenerScan;
import dev.bpfwatch.sockets.ListenerWalker;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * 4. The listen-drop scrape with 10,000 listeners in a namespace of our own:
 * iterator walk + process attribution, cold and warm, against `ss -tlnmp`
 * doing the same job in the same namespace; and the iterator's cost per
 * socket against an empty iter/tcp program.
 */
final class ListenScrapeBench {
    static final int LISTENERS = 10_000;
    private static final int COLD_RUNS = 5;
    private static final int WARM_RUNS = 10;
    private static final int SS_RUNS = 5;

    private final Path build;

    ListenScrapeBench(Path build) {
        this.build = build;
    }

    /** [cold ms, warm ms, ss ms]. */
    double[] run(Report.Section s) throws Exception {
        s.method("A network namespace made for the run (`ip netns add bpfwatch-bench-*`) holds one Python process "
                + "with " + LISTENERS + " TCP listeners on 127.0.0.1 (backlog 8); it and the namespace are removed "
                + "at the end.");
        s.method("**bpfwatch**: `ListenerScan.scan()`, what the listen-drops collector runs per scrape: the "
                + "`tcp_listeners` iter/tcp program walked in every network namespace in use on the host (not only "
                + "the bench's), each socket joined to its process by inode. **Cold**: a new `ListenerScan` each "
                + "time (empty owner and cgroup caches, so /proc/*/fd is walked), median of " + COLD_RUNS + ". "
                + "**Warm**: one `ListenerScan` scanned once, then timed " + WARM_RUNS + " times (median).");
        s.method("**Baseline**: `ip netns exec NS ss -tlnmp` (listeners, numeric, socket memory with drops, processes) "
                + "run " + SS_RUNS + " times after one warm-up (median, fork and exec included), output read to the "
                + "end; its line count is checked.");
        s.method("Iterator cost per socket: with BPF stats on, the bundled `tcp_listeners` iterator and an empty "
                + "`iter/tcp` program (`empty_iter_tcp`) each read 5 times inside the namespace; run_time_ns / "
                + "run_cnt (one run per socket visited).");
        String ns = "bpfwatch-bench-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
        Proc.run("ip", "netns", "add", ns);
        Process many = null;
        double[] out = new double[3];
        try {
            Proc.run("ip", "-n", ns, "link", "set", "lo", "up");
            String code = "import socket, time\n"
                    + "ss = []\n"
                    + "for i in range(" + LISTENERS + "):\n"
                    + "    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
                    + "    s.bind(('127.0.0.1', 0))\n"
                    + "    s.listen(8)\n"
                    + "    ss.append(s)\n"
                    + "print(len(ss), flush=True)\n"
                    + "time.sleep(3600)\n";
            many = new ProcessBuilder("ip", "netns", "exec", ns, "sh", "-c", "ulimit -n 20000 && exec python3 -c \"$0\"",
                    code).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader r = new BufferedReader(new InputStreamReader(many.getInputStream(), StandardCharsets.UTF_8));
            String first = r.readLine();
            if (!Integer.toString(LISTENERS).equals(first == null ? null : first.strip())) {
                throw new IllegalStateException("listener process said " + first);
            }
            Path nsFile = Path.of("/run/netns", ns);
            long inode = ((Number) Files.getAttribute(nsFile, "unix:ino")).longValue();

            int namespaces;
            int total;
            List<Long> cold = new ArrayList<>();
            List<Long> warm;
            try (ListenerWalker walker = ListenerWalker.load()) {
                int[] seen = new int[2];
                for (int i = 0; i < COLD_RUNS; i++) {
                    ListenerScan scan = new ListenerScan(walker);
                    long t0 = System.nanoTime();
                    List<Listener> ls = scan.scan();
                    cold.add(System.nanoTime() - t0);
                    check(ls, inode, seen);
                }
                ListenerScan scan = new ListenerScan(walker);
                check(scan.scan(), inode, seen);
                warm = Timing.repeat(0, WARM_RUNS, () -> check(scan.scan(), inode, seen));
                total = seen[1];
                namespaces = new dev.bpfwatch.sockets.NetnsFinder().find().size();
            }
            List<String> ssCmd = List.of("ip", "netns", "exec", ns, "ss", "-tlnmp");
            int lines = Proc.run(ssCmd, 120).split("\n").length;
            if (lines < LISTENERS + 1) {
                throw new IllegalStateException("ss -tlnmp printed " + lines + " lines");
            }
            List<Long> ss = Timing.repeat(0, SS_RUNS, () -> Proc.run(ssCmd, 120));
            out[0] = Timing.median(cold);
            out[1] = Timing.median(warm);
            out[2] = Timing.median(ss);
            s.row("scrape, warm (attribution cached)", Timing.msWithP90(warm), "`ss -tlnmp` " + Timing.msWithP90(ss),
                    Report.ratio(out[1], out[2]), "faster than ss (< 1x)", out[1] < out[2]);
            s.row("scrape, cold (caches empty)", Timing.msWithP90(cold), "`ss -tlnmp` " + Timing.ms(out[2]),
                    Report.ratio(out[0], out[2]), "", null);
            s.note(String.format("Each bpfwatch scan covered %d network namespaces and %,d listeners in all (the "
                    + "host's and other users' namespaces included); `ss` covers the bench namespace only.",
                    namespaces, total));

            iteratorCost(s, nsFile);
        } finally {
            if (many != null) {
                many.descendants().forEach(ProcessHandle::destroyForcibly);
                many.destroyForcibly();
                many.waitFor(10, TimeUnit.SECONDS);
            }
            try {
                Proc.run("ip", "netns", "del", ns);
            } catch (RuntimeException e) {
                System.err.println("bench: could not delete netns " + ns + ": " + e.getMessage());
            }
        }
        System.out.printf("listeners: cold %s, warm %s, ss %s%n", Timing.ms(out[0]), Timing.ms(out[1]),
                Timing.ms(out[2]));
        return out;
    }

    private static void check(List<Listener> ls, long inode, int[] seen) {
        int mine = 0;
        for (Listener l : ls) {
            if (l.socket().netns() == inode && l.owner().found()) {
                mine++;
            }
        }
        if (mine != LISTENERS) {
            throw new IllegalStateException("scan attributed " + mine + " of the bench's " + LISTENERS + " listeners");
        }
        seen[0] = mine;
        seen[1] = ls.size();
    }

    private void iteratorCost(Report.Section s, Path nsFile) {
        try (dev.bpfwatch.libbpf.BpfStats stats = dev.bpfwatch.libbpf.BpfStats.enable();
             BundledProgram listeners = BundledProgram.loadAndAttach("tcp_listeners");
             BpfObject empty = BpfObject.open(build.resolve("bpf/bench_empty.bpf.o"))) {
            empty.program("empty_kfree_skb").orElseThrow().setAutoload(false);
            empty.program("empty_filter").orElseThrow().setAutoload(false);
            empty.load();
            BpfProgram real = listeners.object().program("dump_tcp_listeners").orElseThrow();
            BpfProgram none = empty.program("empty_iter_tcp").orElseThrow();
            try (BpfLink realLink = real.attachIterator(); BpfLink noneLink = none.attachIterator()) {
                ProgramInfo r0 = real.info();
                ProgramInfo e0 = none.info();
                for (int i = 0; i < 5; i++) {
                    NetworkNamespace.call(nsFile, realLink::readIterator);
                    NetworkNamespace.call(nsFile, noneLink::readIterator);
                }
                double realNs = EventCostBench.perEvent(r0, real.info());
                double emptyNs = EventCostBench.perEvent(e0, none.info());
                s.row("`tcp_listeners` iterator, ns per socket visited", String.format("%.1f ns", realNs),
                        String.format("empty iter/tcp %.1f ns", emptyNs), Report.ratio(realNs, emptyNs), "", null);
            }
        }
    }
}
