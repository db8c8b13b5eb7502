package dev.bpfwatch.cli;

import dev.bpfwatch.ratelimit.Attachment;
import dev.bpfwatch.ratelimit.Bucket;
import dev.bpfwatch.ratelimit.FilterPins;
import dev.bpfwatch.ratelimit.FilterProgram;
import dev.bpfwatch.ratelimit.FilterSnapshot;
import dev.bpfwatch.ratelimit.PinnedFilter;
import dev.bpfwatch.ratelimit.Prefix;
import dev.bpfwatch.ratelimit.RateLimit;
import dev.bpfwatch.ratelimit.UdpRateLimiter;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show pinned filters: limits, where each is attached, totals and the busiest destinations.")
final class UdpLimitStatusCommand implements Callable<Integer> {
    enum Output { text, json }

    @Spec
    CommandSpec spec;

    @Option(names = "--name", description = "Only this filter.")
    String name;

    @Option(names = "--output", defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE}).")
    Output output;

    @Option(names = "--top", defaultValue = "20", description = "Destinations to list per filter (default: ${DEFAULT-VALUE}).")
    int top;

    @Mixin
    DebugOption debug;

    /** Filter name -> the program it runs (udp_ratelimit, or udprl_xadd on kernels before 5.12). */
    private Map<String, String> programs = Map.of();

    @Override
    public Integer call() {
        Map<String, String> found = new LinkedHashMap<>();
        List<FilterSnapshot> snapshots = UdpLimitErrors.run(() -> {
            List<String> names = name == null ? FilterPins.names() : List.of(FilterPins.checkName(name));
            List<FilterSnapshot> out = new ArrayList<>();
            for (String n : names) {
                try (PinnedFilter f = PinnedFilter.open(n)) {
                    out.add(f.snapshot());
                    found.put(n, f.program().info().name());
                }
            }
            return out;
        });
        programs = found;
        PrintWriter w = spec.commandLine().getOut();
        if (output == Output.json) {
            w.println(Json.write(Map.of("filters", snapshots.stream().map(this::toMap).toList())));
        } else if (snapshots.isEmpty()) {
            w.println("no UDP rate-limit filters pinned under " + FilterPins.ROOT);
        } else {
            snapshots.forEach(s -> text(w, s));
        }
        w.flush();
        return 0;
    }

    private void text(PrintWriter w, FilterSnapshot s) {
        w.printf("filter %s: %s per destination IP (%s)%n", s.name(), s.defaultLimit(), FilterPins.dir(s.name()));
        String program = programs.get(s.name());
        if (FilterProgram.ofProgramName(program).orElse(null) == FilterProgram.XADD) {
            w.printf("  program: %s, for kernels without BPF compare-and-swap: %s%n", program,
                    FilterProgram.XADD.cost());
        }
        if (s.attachments().isEmpty()) {
            w.println("  attached: nowhere");
        }
        for (Attachment a : s.attachments()) {
            w.printf("  attached: pid %d fd %d port %d%s%n", a.pid(), a.fd(), a.port(),
                    UdpRateLimiter.alive(a) ? "" : " (gone)");
        }
        for (Map.Entry<Prefix, RateLimit> o : s.overrides().entrySet()) {
            w.printf("  override: %s %s%n", o.getKey(), o.getValue());
        }
        w.printf("  totals: passed %d, dropped %d, not IP %d%n", s.passed(), s.dropped(), s.notIp());
        List<Bucket> buckets = s.bucketsByDrops();
        if (!buckets.isEmpty()) {
            w.printf("  %-40s %12s %12s %8s%n", "dst_ip", "passed", "dropped", "tokens");
        }
        for (Bucket b : buckets.subList(0, Math.min(top, buckets.size()))) {
            RateLimit limit = s.limitFor(b.address());
            w.printf("  %-40s %12d %12d %8s%n", b.dstIp(), b.passed(), b.dropped(),
                    limit.unlimited() ? "-" : Long.toString(b.tokens(limit, s.nowNs())));
        }
    }

    private Map<String, Object> toMap(FilterSnapshot s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        m.put("pinned", FilterPins.dir(s.name()).toString());
        m.put("rate_pps", s.defaultLimit().ratePps());
        m.put("burst", s.defaultLimit().burst());
        m.put("program", programs.get(s.name()));
        m.put("attachments", s.attachments().stream().map(a -> {
            Map<String, Object> am = new LinkedHashMap<>();
            am.put("pid", a.pid());
            am.put("fd", a.fd());
            am.put("port", a.port());
            am.put("inode", a.inode());
            am.put("alive", UdpRateLimiter.alive(a));
            return am;
        }).toList());
        m.put("overrides", s.overrides().entrySet().stream().map(e -> {
            Map<String, Object> om = new LinkedHashMap<>();
            om.put("prefix", e.getKey().toString());
            om.put("rate_pps", e.getValue().ratePps());
            om.put("burst", e.getValue().burst());
            return om;
        }).toList());
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("passed", s.passed());
        totals.put("dropped", s.dropped());
        totals.put("not_ip", s.notIp());
        m.put("totals", totals);
        List<Bucket> buckets = s.bucketsByDrops();
        m.put("destinations", buckets.subList(0, Math.min(top, buckets.size())).stream().map(b -> {
            Map<String, Object> bm = new LinkedHashMap<>();
            RateLimit limit = s.limitFor(b.address());
            bm.put("dst_ip", b.dstIp());
            bm.put("passed", b.passed());
            bm.put("dropped", b.dropped());
            bm.put("tokens", limit.unlimited() ? null : b.tokens(limit, s.nowNs()));
            return bm;
        }).toList());
        return m;
    }
}
