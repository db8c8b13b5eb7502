package dev.bpfwatch.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * `make bench`: runs every benchmark of issue 7 once, writes BENCHMARKS.md,
 * and exits 1 if something could not be measured (a missed target is not a
 * failure: it is printed beside its figure).
 *
 *   BenchMain --build=DIR --jar=JAR --launcher=bin/bpfwatch --out=FILE --soak-seconds=N --java-opts=OPTS [--only=1,3]
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String s : argv) {
            int eq = s.indexOf('=');
            a.put(s.substring(2, eq < 0 ? s.length() : eq), eq < 0 ? "" : s.substring(eq + 1));
        }
        Path build = Path.of(a.getOrDefault("build", "bench/build")).toAbsolutePath();
        Path jar = Path.of(a.getOrDefault("jar", "exporter/target/bpfwatch.jar")).toAbsolutePath();
        Path launcher = Path.of(a.getOrDefault("launcher", "bin/bpfwatch")).toAbsolutePath();
        Path out = Path.of(a.getOrDefault("out", "BENCHMARKS.md")).toAbsolutePath();
        int soak = Integer.parseInt(a.getOrDefault("soak-seconds", "600"));
        // The agent's flags live in the launcher only (bench/Makefile reads them from there): a
        // default kept here went stale once already.
        String javaOpts = a.get("java-opts");
        if (javaOpts == null || javaOpts.isBlank()) {
            System.err.println("bench: --java-opts is required (the launcher's AGENT_OPTS; make bench passes them)");
            System.exit(2);
        }
        Set<Integer> only = new TreeSet<>();
        if (a.containsKey("only")) {
            for (String s : a.get("only").split(",")) {
                only.add(Integer.parseInt(s.trim()));
            }
        }
        Logger.getLogger("").setLevel(Level.WARNING);
        Path work = build.resolve("work");
        Files.createDirectories(work);

        long t0 = System.nanoTime();
        Report report = new Report();
        String started = ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME);
        String load0 = Files.readString(Path.of("/proc/loadavg")).trim();
        report.header("Date: " + started);
        report.header("Machine: " + cpu() + ", " + Runtime.getRuntime().availableProcessors() + " CPUs, "
                + memGb() + " GB RAM, shared with other developers' builds and kernel tests (expect noise)");
        report.header("Kernel: " + Proc.run("uname", "-srvm").trim());
        report.header("Userland: " + firstLine("/etc/os-release", "PRETTY_NAME=").replace("\"", "") + ", JDK "
                + System.getProperty("java.runtime.version") + ", libbpf " + dpkgVersion("libbpf1"));
        report.header("Run with `make bench` (SOAK_SECONDS=" + soak + ", JAVA_OPTS=`" + javaOpts + "`); the bench "
                + "runner itself: `java -XX:+UseSerialGC` (default heap)");

        List<String> failed = new ArrayList<>();
        Report.Section s1 = report.section("Scrape cost against map size");
        Report.Section s2 = report.section("Cost per kernel event (BPF stats)");
        Report.Section s3 = report.section("UDP rate-limit filter");
        Report.Section s4 = report.section("Listen-drop scrape with 10,000 listeners");
        Report.Section s5 = report.section("Agent footprint");
        Report.Section s6 = report.section("xdpcap: hook cost and capture throughput");
        Report.Section s7 = report.section("Scrape at scale (100k and 1M series, shipped JVM flags)");
        Report.Section s8 = report.section("UDP filter in a network namespace: flood, legitimate answers, restarts");
        List<MapScrapeBench.Result> maps = null;
        double[] events = null;
        double[] udp = null;
        double[] listen = null;
        double[] foot = null;
        if (wanted(only, 1)) {
            try {
                maps = new MapScrapeBench(build, work).run(s1);
            } catch (Exception | Error e) {
                fail(s1, e, failed);
            }
        }
        if (wanted(only, 2)) {
            try {
                events = new EventCostBench(build).run(s2);
            } catch (Exception | Error e) {
                fail(s2, e, failed);
            }
        }
        if (wanted(only, 3)) {
            try {
                udp = new UdpFilterBench(build).run(s3);
            } catch (Exception | Error e) {
                fail(s3, e, failed);
            }
        }
        if (wanted(only, 4)) {
            try {
                listen = new ListenScrapeBench(build).run(s4);
            } catch (Exception | Error e) {
                fail(s4, e, failed);
            }
        }
        if (wanted(only, 5)) {
            try {
                foot = new FootprintBench(jar, launcher, work, javaOpts, soak).run(s5);
            } catch (Exception | Error e) {
                fail(s5, e, failed);
            }
        }
        if (wanted(only, 6)) {
            try {
                new XdpcapBench(build, work, jar, javaOpts).run(s6);
            } catch (Exception | Error e) {
                fail(s6, e, failed);
            }
        }
        if (wanted(only, 7)) {
            try {
                new ScrapeScaleBench(build, jar, javaOpts).run(s7);
            } catch (Exception | Error e) {
                fail(s7, e, failed);
            }
        }
        if (wanted(only, 8)) {
            try {
                new UdpFieldBench(build, jar).run(s8);
            } catch (Exception | Error e) {
                fail(s8, e, failed);
            }
        }
        List<Report.Section> sections = report.sections();
        for (int i = 0; i < sections.size(); i++) {
            Report.Section s = sections.get(i);
            if (s.rows.isEmpty() && s.error == null) {
                // A section left out on purpose is not a failure; one that was asked for and wrote nothing is.
                boolean asked = wanted(only, i + 1);
                s.error = asked ? "nothing measured" : "skipped (--only)";
                if (asked) {
                    failed.add(s.title + ": nothing measured");
                }
            }
        }
        String load1 = Files.readString(Path.of("/proc/loadavg")).trim();
        report.header(String.format("Load average at start: %s; at end: %s. Whole run: %.1f min.", load0, load1,
                (System.nanoTime() - t0) / 60e9));
        try {
            Files.deleteIfExists(Path.of("/sys/fs/bpf/bpfwatch-bench")); // the pins' directory, empty by now
        } catch (java.io.IOException e) {
            System.err.println("bench: /sys/fs/bpf/bpfwatch-bench left behind: " + e.getMessage());
        }
        Closing.write(report, maps, events, udp, listen, foot, soak);
        report.write(out);
        System.out.println("bench: wrote " + out);
        if (!failed.isEmpty()) {
            System.err.println("bench: could not measure: " + String.join("; ", failed));
            System.exit(1);
        }
        System.exit(0);
    }

    private static boolean wanted(Set<Integer> only, int n) {
        return only.isEmpty() || only.contains(n);
    }

    private static void fail(Report.Section s, Throwable e, List<String> failed) {
        e.printStackTrace();
        s.error = e.getClass().getSimpleName() + ": " + e.getMessage();
        failed.add(s.title + ": " + e.getMessage());
    }

    private static String cpu() {
        try {
            return firstLine("/proc/cpuinfo", "model name").replaceFirst("^model name\\s*:\\s*", "");
        } catch (RuntimeException e) {
            return "unknown CPU";
        }
    }

    private static long memGb() throws java.io.IOException {
        String l = firstLine("/proc/meminfo", "MemTotal:");
        return Math.round(Long.parseLong(l.replaceAll("\\D", "")) / 1024.0 / 1024.0);
    }

    private static String dpkgVersion(String pkg) {
        try {
            return Proc.run("dpkg-query", "-W", "-f=${Version}", pkg).trim();
        } catch (RuntimeException e) {
            return "unknown";
        }
    }

    private static String firstLine(String file, String prefix) {
        try {
            for (String l : Files.readAllLines(Path.of(file))) {
                if (l.startsWith(prefix)) {
                    return l.substring(l.startsWith(prefix) && prefix.endsWith("=") ? prefix.length() : 0);
                }
            }
        } catch (java.io.IOException e) {
            // fall through
        }
        return "unknown";
    }
}
