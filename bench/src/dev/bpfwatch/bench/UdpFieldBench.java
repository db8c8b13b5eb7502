package dev.bpfwatch.bench;

import dev.bpfwatch.ratelimit.FilterPins;
import dev.bpfwatch.ratelimit.FilterPlacement;
import dev.bpfwatch.ratelimit.PinnedFilter;
import dev.bpfwatch.ratelimit.UdpRateLimiter;
import dev.bpfwatch.ratelimit.UdpSocketWalker;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * 8. The UDP filter as operators run it (issue 13): a DNS-like echo server in
 * a network namespace of the benchmark's own, one socket on 0.0.0.0 that
 * answers on two addresses; one address flooded, a legitimate client asking
 * the other at a modest rate and counting answers, without and with a
 * `bpfwatch udp-limit` filter (launcher, shipped flags); then the server
 * restarted N times under `attach --follow` with `bpfwatch run` running,
 * timing how long each new socket goes unprotected.
 */
final class UdpFieldBench {
    private static final String NETNS = "bwbench-udpfield";
    private static final String NAME = "bench-field";
    private static final int PORT = 5353;
    private static final String FLOODED = "127.0.0.2";
    private static final String LEGIT = "127.0.0.1";
    private static final double FLOOD_SECONDS = 5;
    private static final int LEGIT_QPS = 200;
    private static final int RATE = 1000;
    private static final int BURST = 100;
    private static final int RESTARTS = 7;
    private static final Pattern SENT = Pattern.compile("sent (\\d+) ns (\\d+)");
    private static final Pattern ASKED = Pattern.compile("asked (\\d+) answered (\\d+)");

    /** The server: answers every datagram with its own bytes (a DNS server answers each query). */
    private static final String SERVER = String.join("\n",
            "import socket",
            "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
            "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
            "s.bind(('0.0.0.0', " + PORT + "))",
            "print('bound', flush=True)",
            "while True:",
            "    d, a = s.recvfrom(512)",
            "    s.sendto(d, a)");

    /** The legitimate client: paced queries with an id each, counting the ids answered. */
    private static final String CLIENT = String.join("\n",
            "import socket, time, sys",
            "c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
            "c.setblocking(False)",
            "rate, secs = " + LEGIT_QPS + ", " + FLOOD_SECONDS,
            "ans = set(); n = 0; t0 = time.monotonic()",
            "def drain():",
            "    while True:",
            "        try: ans.add(c.recv(64))",
            "        except BlockingIOError: return",
            "while time.monotonic() - t0 < secs:",
            "    c.sendto(b'L%08d' % n, ('" + LEGIT + "', " + PORT + ")); n += 1",
            "    while time.monotonic() < t0 + n / rate:",
            "        drain(); time.sleep(0.001)",
            "end = time.monotonic() + 1.0",
            "while time.monotonic() < end:",
            "    drain(); time.sleep(0.01)",
            "print('asked %d answered %d' % (n, len(ans)), flush=True)");

    private final Path build;
    private final Path jar;
    private final Path launcher;

    UdpFieldBench(Path build, Path jar) {
        this.build = build;
        this.jar = jar;
        this.launcher = build.getParent().getParent().resolve("bin/bpfwatch");
    }

    void run(Report.Section s) throws Exception {
        s.method("A network namespace of the run's own (`" + NETNS + "`, lo up) holds everything: a Python server, "
                + "one UDP socket bound to 0.0.0.0:" + PORT + " answering each datagram with its bytes (DNS-like); "
                + "`bench/c/udp_flood` (sendmmsg, 64-byte datagrams, one core) floods " + FLOODED + " for "
                + FLOOD_SECONDS + " s while a Python client sends " + LEGIT_QPS + " queries/s with an id each to "
                + LEGIT + " and counts the ids answered (1 s allowed after the last). Answered fraction = ids "
                + "answered / queries sent.");
        s.method("With the filter: `bin/bpfwatch udp-limit attach --port " + PORT + " --rate " + RATE + " --burst "
                + BURST + " --name " + NAME + " --follow` (the launcher, shipped JVM flags; no --pid: it finds the "
                + "socket in the namespace). Per-destination counts from the filter's pinned maps.");
        s.method("Restart to protected: `bin/bpfwatch run` (launcher, embedded default config) runs; the server is "
                + "killed and started again " + RESTARTS + " times; the time is from the new server printing that "
                + "its socket is bound to the kernel showing that socket carrying the filter (the bundled iter/udp "
                + "walker, polled every 5 ms); `run` looks for such sockets every second.");
        Proc.run("sh", "-c", "ip netns del " + NETNS + " 2>/dev/null; ip netns add " + NETNS
                + " && ip -n " + NETNS + " link set lo up");
        FilterPins.remove(NAME);
        Process server = null;
        Process agent = null;
        try {
            server = server();
            double[] without = round();
            Proc.run(launcher.toString(), "udp-limit", "attach", "--port", Integer.toString(PORT), "--rate",
                    Integer.toString(RATE), "--burst", Integer.toString(BURST), "--name", NAME, "--follow");
            long passed0;
            long dropped0;
            try (PinnedFilter f = PinnedFilter.open(NAME)) {
                passed0 = f.snapshot().passed();
                dropped0 = f.snapshot().dropped();
            }
            double[] with = round();
            long floodPassed;
            long floodDropped;
            long legitPassed;
            try (PinnedFilter f = PinnedFilter.open(NAME)) {
                var snap = f.snapshot();
                floodPassed = snap.bucket(FLOODED).passed();
                floodDropped = snap.bucket(FLOODED).dropped();
                legitPassed = snap.bucket(LEGIT).passed();
                if (snap.passed() - passed0 == 0 && snap.dropped() - dropped0 == 0) {
                    throw new IllegalStateException("the filter saw nothing");
                }
            }
            s.row("legitimate queries answered under a flood, with the filter",
                    String.format("%.1f%% (%d of %d)", 100 * with[3] / with[2], (long) with[3], (long) with[2]),
                    String.format("no filter %.1f%% (%d of %d)", 100 * without[3] / without[2], (long) without[3],
                            (long) without[2]), "", "100%", with[3] == with[2]);
            s.row("flood offered (udp_flood, one core)", String.format("%.2f M pps", with[0] / with[1] / 1e6),
                    String.format("no filter %.2f M pps", without[0] / without[1] / 1e6), "", "", null);
            s.note(String.format("With the filter the flooded address got %,d datagrams through and %,d dropped "
                    + "(rate %d pps, burst %d over %.1f s); the legitimate address %,d through.",
                    floodPassed, floodDropped, RATE, BURST, with[1], legitPassed));
            s.note(String.format("Datagrams dropped from full per-CPU input backlogs (`/proc/net/softnet_stat`, "
                    + "whole host) during the flood: %,d with the filter, %,d without. Those drops happen before any "
                    + "socket filter runs, so a legitimate query lost there is lost with the filter too.",
                    (long) with[4], (long) without[4]));

            int webPort;
            try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
                webPort = free.getLocalPort();
            }
            agent = new ProcessBuilder(launcher.toString(), "run", "--web.listen-address=127.0.0.1:" + webPort)
                    .redirectErrorStream(true).redirectOutput(Redirect.DISCARD).start();
            awaitServing(agent, webPort);
            List<Double> ms = restarts(server, agent);
            server = null;
            List<Double> sorted = new ArrayList<>(ms);
            sorted.sort(null);
            double median = Timing.median(ms);
            s.row("restart to protected with `--follow` (" + RESTARTS + " restarts)",
                    String.format("median %.0f ms, max %.0f ms", median, sorted.get(sorted.size() - 1)),
                    "follow interval 1000 ms", "", "", null);
            s.note("Each restart, ms: " + ms.stream().map(d -> String.format("%.0f", d)).toList() + ".");
            System.out.printf("udp field: answered %.0f/%.0f without, %.0f/%.0f with; flood %.2f M pps; restart %s%n",
                    without[3], without[2], with[3], with[2], with[0] / with[1] / 1e6, ms);
        } finally {
            if (agent != null) {
                agent.destroy();
                agent.waitFor(30, TimeUnit.SECONDS);
            }
            if (FilterPins.exists(NAME)) {
                UdpRateLimiter.detach(NAME, null, false);
            }
            Proc.run("sh", "-c", "ip netns pids " + NETNS + " | xargs -r kill -9; ip netns del " + NETNS
                    + " 2>/dev/null; true");
        }
    }

    /** Waits until `bpfwatch run` serves /metrics with the filter in it (its modules, the follower too, are up). */
    private static void awaitServing(Process agent, int port) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpRequest get = java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!agent.isAlive()) {
                throw new IllegalStateException("bpfwatch run exited " + agent.exitValue());
            }
            try {
                String body = http.send(get, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                if (body.contains("bpfwatch_udp_ratelimit_attached_sockets{filter=\"" + NAME + "\"")) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("bpfwatch run did not serve /metrics in 60 s");
    }

    /** The server in the namespace, once it says its socket is bound. */
    private static Process server() throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "exec", NETNS, "python3", "-c", SERVER)
                .redirectError(Redirect.INHERIT).start();
        String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (!"bound".equals(line)) {
            throw new IllegalStateException("the server did not start (exit " + p.waitFor() + ")");
        }
        return p;
    }

    /** Packets the kernel dropped from full per-CPU input backlogs (softnet_stat column 2), before any socket filter. */
    private static long backlogDrops() throws java.io.IOException {
        long sum = 0;
        for (String line : Files.readAllLines(Path.of("/proc/net/softnet_stat"))) {
            sum += Long.parseLong(line.trim().split("\\s+")[1], 16);
        }
        return sum;
    }

    /** [flood sent, flood seconds, legit asked, legit answered, backlog drops]. */
    private double[] round() throws Exception {
        long backlog0 = backlogDrops();
        Process client = new ProcessBuilder("ip", "netns", "exec", NETNS, "python3", "-c", CLIENT)
                .redirectError(Redirect.INHERIT).start();
        String flood = Proc.run(List.of("ip", "netns", "exec", NETNS, build.resolve("udp_flood").toString(), FLOODED,
                Integer.toString(PORT), Double.toString(FLOOD_SECONDS)), 60);
        String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        client.waitFor(30, TimeUnit.SECONDS);
        Matcher f = SENT.matcher(flood);
        Matcher c = ASKED.matcher(out);
        if (!f.find() || !c.find()) {
            throw new IllegalStateException("flood said: " + flood + "; client said: " + out);
        }
        Thread.sleep(500); // the server's queue drains before the next round
        return new double[] {Long.parseLong(f.group(1)), Long.parseLong(f.group(2)) / 1e9,
                Long.parseLong(c.group(1)), Long.parseLong(c.group(2)), backlogDrops() - backlog0};
    }

    /** Kills and restarts the server RESTARTS times; ms from each new socket bound to it carrying the filter. */
    private static List<Double> restarts(Process first, Process agent) throws Exception {
        List<Double> ms = new ArrayList<>();
        long netns = ((Number) Files.getAttribute(Path.of("/run/netns", NETNS), "unix:ino")).longValue();
        Process server = first;
        try (UdpSocketWalker walker = UdpSocketWalker.load(); PinnedFilter f = PinnedFilter.open(NAME)) {
            int programId = f.program().info().id();
            for (int i = 0; i < RESTARTS; i++) {
                server.destroyForcibly();
                server.waitFor(10, TimeUnit.SECONDS);
                if (!agent.isAlive()) {
                    throw new IllegalStateException("bpfwatch run exited " + agent.exitValue());
                }
                server = server();
                long bound = System.nanoTime();
                long deadline = bound + TimeUnit.SECONDS.toNanos(30);
                boolean carried = false;
                while (System.nanoTime() < deadline) {
                    carried = FilterPlacement.of(walker.walkHost()).carrying(programId).stream()
                            .anyMatch(r -> r.port() == PORT && r.netns() == netns);
                    if (carried) {
                        break;
                    }
                    Thread.sleep(5);
                }
                if (!carried) {
                    throw new IllegalStateException("restart " + (i + 1) + ": the new socket never got the filter");
                }
                ms.add((System.nanoTime() - bound) / 1e6);
                Thread.sleep(300 + 137L * i); // restarts land at different points of the follow interval
            }
        } finally {
            server.destroyForcibly();
        }
        return ms;
    }
}
