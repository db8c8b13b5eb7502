package dev.bpfwatch.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * 7. Scrape at scale (issue 14): runs bench/scrape-scale.sh, which does the
 * measuring (agent in its own JVM, C floors, RSS), and turns its
 * "ROW|what|figure|baseline|ratio|target|met" lines into table rows.
 */
final class ScrapeScaleBench {
    private final Path build;
    private final Path jar;
    private final String javaOpts;

    ScrapeScaleBench(Path build, Path jar, String javaOpts) {
        this.build = build;
        this.jar = jar;
        this.javaOpts = javaOpts;
    }

    void run(Report.Section s) {
        s.method("`bench/scrape-scale.sh` (also `make -C bench scrape-scale`): a hash map of u64 counters with one "
                + "`uint` label (`bench/bpf/bench_map.bpf.c`, as in section 1) at 100k and 1M entries, served by the "
                + "agent in its own JVM (`java " + javaOpts + " -jar bpfwatch.jar run`, series limit above the map "
                + "size), filled through its pin by `bench/c/scrape_floor.c`.");
        s.method("**C floor**: `scrape_floor` batch-reads the pinned map (bpf_map_lookup_batch, 4096 a call) and writes "
                + "the same exposition (text 0.0.4, OpenMetrics, or text through zlib level 6 with a gzip wrapper, "
                + "as java.util.zip does) to /dev/null; **C batch read**: the read alone. **Agent full scrape**: "
                + "GET /metrics with curl (Accept text/plain, OpenMetrics, or Accept-Encoding: gzip), body read to "
                + "/dev/null; **read alone**: `BpfMap.readPacked()` on the pin in a JVM with the same flags "
                + "(`ReadOnlyTiming`). Medians of 5 runs after 3 warm-ups, the C floor and the agent taking turns one "
                + "run each, so that drift on the machine falls on both (the read alone: one JVM of its own, 8 "
                + "warm-ups, then one read per turn; each C read is a process that reads once before the timed read).");
        s.method("**RSS**: VmRSS of the agent after scrapes (gzip) once a second for 10 minutes at 100k, 1 minute "
                + "at 1M (after the timed ones); then the agent with the default config and 50 concurrent curl loops "
                + "(gzip) for 60 s, read as the loops end.");
        String out = Proc.run(List.of("env", "JAR=" + jar, "BUILD=" + build, "JAVA_OPTS=" + javaOpts,
                build.getParent().resolve("scrape-scale.sh").toString()), 3600);
        for (String line : out.split("\n")) {
            if (line.startsWith("NOTE|")) {
                s.note(line.substring(5));
                continue;
            }
            if (!line.startsWith("ROW|")) {
                continue;
            }
            String[] f = line.split("\\|", -1);
            s.row(f[1], f[2], f[3], f[4], f[5], f[6].isEmpty() ? null : f[6].equals("met"));
        }
        System.out.print(out);
    }
}
