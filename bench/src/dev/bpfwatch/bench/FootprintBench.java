package dev.bpfwatch.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * 5. The agent as users run it (`bpfwatch run`: the launcher, its JVM flags and its class-data
 * archive; every bundled config and module): time from exec to the first successful scrape, the
 * first start of a jar (no archive yet) apart from later ones, and resident memory after scraping
 * it every second for the soak.
 */
final class FootprintBench {
    private static final int STARTS = 3;
    private static final long RSS_TARGET_KB = 150 * 1024;

    private final Path jar;
    private final Path launcher;
    private final Path work;
    private final String javaOpts;
    private final int soakSeconds;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    FootprintBench(Path jar, Path launcher, Path work, String javaOpts, int soakSeconds) {
        this.jar = jar;
        this.launcher = launcher;
        this.work = work;
        this.javaOpts = javaOpts;
        this.soakSeconds = soakSeconds;
    }

    /** [median start ms, rss kB at end, peak rss kB]. */
    double[] run(Report.Section s) throws Exception {
        s.method("The agent runs as its own process, as users start it: `BPFWATCH_JAR=exporter/target/bpfwatch.jar "
                + "BPFWATCH_JAVA_OPTS=\"" + javaOpts + "\" bin/bpfwatch run --web.listen-address=127.0.0.1:PORT` (the "
                + "embedded default: every bundled config and module; the launcher's shipped flags, then those of the "
                + "Makefile's JAVA_OPTS, the same by default).");
        s.method("**Start**: from process start (ProcessBuilder.start) to the first HTTP 200 on /metrics, polled every "
                + "10 ms. **First start of a jar**: with no class-data archive (as after an install or upgrade); that "
                + "run records the archive (after 2 s here instead of the default minute, then stopped). **Start**: "
                + STARTS + " fresh starts after it, which map that archive, median.");
        s.method("**Memory**: the last start is then scraped (GET /metrics, body read) once a second for " + soakSeconds
                + " s (`make bench SOAK_SECONDS=...`, default 600 = 10 min); VmRSS from /proc/PID/status at the end, "
                + "and VmHWM (peak).");
        Files.createDirectories(work);
        Path archive = Path.of(jar.toString().replaceAll("\\.jar$", "") + "-run.jsa");
        Files.deleteIfExists(archive);
        long firstStart = firstStartRecordingTheArchive(archive);
        List<Long> starts = new ArrayList<>();
        double[] out = new double[3];
        for (int i = 0; i < STARTS; i++) {
            boolean last = i == STARTS - 1;
            int port = freePort();
            Process p = start(port, work.resolve("agent-" + i + ".log"), "");
            try {
                long t0 = System.nanoTime();
                awaitFirstScrape(p, port);
                starts.add(System.nanoTime() - t0);
                if (last) {
                    soak(s, p, port, out);
                }
            } finally {
                stop(p);
            }
        }
        out[0] = Timing.median(starts) / 1e6;
        s.row("start to first successful scrape", Timing.msWithP90(starts), "", "", "<= 2 s",
                out[0] <= 2000);
        s.row("first start of a jar (no archive yet), to first scrape", String.format("%d ms", firstStart / 1_000_000),
                "", "", "", null);
        s.row(String.format("RSS after %d s of 1/s scrapes", soakSeconds), String.format("%.1f MB", out[1] / 1024),
                String.format("peak (VmHWM) %.1f MB", out[2] / 1024), "", "<= 150 MB", out[1] <= RSS_TARGET_KB);
        System.out.printf("footprint: start %.0f ms, rss %.1f MB, peak %.1f MB%n", out[0], out[1] / 1024,
                out[2] / 1024);
        return out;
    }

    /** The first start of this jar: timed to its first scrape, then kept up until it has written its archive. */
    private long firstStartRecordingTheArchive(Path archive) throws Exception {
        int port = freePort();
        Path log = work.resolve("agent-first.log");
        Process p = start(port, log, " -Dbpfwatch.cds.record.delay.seconds=2");
        try {
            long t0 = System.nanoTime();
            awaitFirstScrape(p, port);
            long took = System.nanoTime() - t0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(log).contains("class-data archive") && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            if (!Files.exists(archive)) {
                throw new IllegalStateException("the first start wrote no archive " + archive + ":\n" + Files.readString(log));
            }
            return took;
        } finally {
            stop(p);
        }
    }

    private Process start(int port, Path log, String extraOpts) throws IOException {
        // No pins: the bench must leave nothing behind (and pinning costs nothing measurable here).
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "run", "--web.listen-address=127.0.0.1:" + port,
                "--bpf.pin-path=").redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("BPFWATCH_JAR", jar.toString());
        pb.environment().put("BPFWATCH_JAVA_OPTS", javaOpts.trim() + extraOpts);
        return pb.start();
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(15, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
    }

    private void awaitFirstScrape(Process p, int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("agent exited with " + p.exitValue() + " before its first scrape");
            }
            if (scrape(port) > 0) {
                return;
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("no successful scrape within 60 s");
    }

    private void soak(Report.Section s, Process p, int port, double[] out) throws Exception {
        long start = System.nanoTime();
        long failed = 0;
        long scrapes = 0;
        List<String> trail = new ArrayList<>();
        for (int sec = 1; sec <= soakSeconds; sec++) {
            long due = start + TimeUnit.SECONDS.toNanos(sec);
            if (scrape(port) > 0) {
                scrapes++;
            } else {
                failed++;
            }
            if (sec % 60 == 0 || sec == soakSeconds) {
                trail.add(String.format("%ds %.0f MB", sec, status(p, "VmRSS") / 1024.0));
            }
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            if (!p.isAlive()) {
                throw new IllegalStateException("agent exited during the soak");
            }
        }
        out[1] = status(p, "VmRSS");
        out[2] = status(p, "VmHWM");
        s.note(String.format("%d scrapes in the soak, %d failed. RSS over time: %s.", scrapes, failed,
                String.join(", ", trail)));
        if (failed > 0) {
            throw new IllegalStateException(failed + " scrapes failed during the soak");
        }
    }

    /** Bytes of body of a 200 response, 0 otherwise. */
    private int scrape(int port) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body().length() : 0;
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static long status(Process p, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim());
            }
        }
        throw new IllegalStateException("no " + field + " for pid " + p.pid());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
