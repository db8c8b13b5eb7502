package dev.bpfwatch.cli;

import dev.bpfwatch.ratelimit.Attachment;
import dev.bpfwatch.ratelimit.Bucket;
import dev.bpfwatch.ratelimit.FilterNotFoundException;
import dev.bpfwatch.ratelimit.FilterPins;
import dev.bpfwatch.ratelimit.FilterPlacement;
import dev.bpfwatch.ratelimit.FilterPlacement.SocketState;
import dev.bpfwatch.ratelimit.FilterProgram;
import dev.bpfwatch.ratelimit.FilterSnapshot;
import dev.bpfwatch.ratelimit.PinnedFilter;
import dev.bpfwatch.ratelimit.Prefix;
import dev.bpfwatch.ratelimit.RateLimit;
import dev.bpfwatch.ratelimit.UdpRateLimiter;
import dev.bpfwatch.ratelimit.UdpSocketRecord;
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
        description = {"Show pinned filters: limits, where each is attached, totals and the busiest destinations.",
                "Each recorded socket is checked against the kernel (iter/udp, every network namespace): "
                        + "attached, gone (closed: its server exited or restarted), replaced (another filter "
                        + "on it) or detached. A filter that cannot be read is reported and the others still shown.",
                "Buckets are per destination address; an override applies to every address in its prefix, each "
                        + "with a bucket of its own. Drops by the filter count in the kernel's UdpInErrors "
                        + "(nstat), like any socket-filter drop: expect it to rise during a flood."})
final class UdpLimitStatusCommand implements Callable<Integer> {
    enum Output { text, json }

    @Spec
    CommandSpec spec;

    @Option(names = "--name", description = "Only this filter.")
    String name;

    @Option(names = {"-o", "--output"}, defaultValue = "text", paramLabel = "FORMAT",
            description = "text or json (default: ${DEFAULT-VALUE}).")
    Output output;

    @Option(names = "--top", defaultValue = "20", paramLabel = "N",
            description = "Destinations to list per filter; 0 lists all (default: ${DEFAULT-VALUE}).")
    int top;

    @Mixin
    FilterPinPathOption pins;

    @Mixin
    DebugOption debug;

    /** One filter as status shows it: its state, or why it could not be read. */
    private record Shown(String name, FilterSnapshot snapshot, String program, String error) {
    }

    @Override
    public Integer call() {
        pins.apply();
        if (top < 0) {
            throw new UserInputException("--top " + top + ": must be 0 (all) or more");
        }
        List<String> names = UdpLimitErrors.run(() -> {
            if (name == null) {
                return FilterPins.names();
            }
            FilterPins.checkName(name);
            if (!FilterPins.exists(name)) {
                throw new FilterNotFoundException(name);
            }
            return List.of(name);
        });
        List<Shown> shown = new ArrayList<>();
        for (String n : names) {
            try (PinnedFilter f = PinnedFilter.open(n)) {
                shown.add(new Shown(n, f.snapshot(), f.program().info().name(), null));
            } catch (RuntimeException e) {
                // Unpinned meanwhile, or a half-removed directory: say so, show the others.
                shown.add(new Shown(n, null, null, e.getMessage()));
            }
        }
        FilterPlacement placement = shown.isEmpty() ? FilterPlacement.of(Map.of()) : FilterPlacement.read();
        PrintWriter w = spec.commandLine().getOut();
        if (output == Output.json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("filters", shown.stream().map(s -> toMap(s, placement)).toList());
            placement.unavailable().ifPresent(why -> doc.put("kernel_view", why));
            w.println(Json.write(doc));
        } else if (shown.isEmpty()) {
            w.println("no UDP rate-limit filters pinned under " + FilterPins.root());
        } else {
            placement.unavailable().ifPresent(why -> w.println("socket states unknown: " + why));
            shown.forEach(s -> text(w, s, placement));
        }
        w.flush();
        return 0;
    }

    private List<Bucket> shownBuckets(FilterSnapshot s) {
        List<Bucket> buckets = s.bucketsByDrops();
        return top == 0 ? buckets : buckets.subList(0, Math.min(top, buckets.size()));
    }

    private void text(PrintWriter w, Shown shown, FilterPlacement placement) {
        if (shown.snapshot() == null) {
            w.printf("filter %s: cannot be read: %s%n", shown.name(), shown.error());
            return;
        }
        FilterSnapshot s = shown.snapshot();
        w.printf("filter %s: %s per destination IP (%s)%n", s.name(), s.defaultLimit(), FilterPins.dir(s.name()));
        if (FilterProgram.ofProgramName(shown.program()).orElse(null) == FilterProgram.XADD) {
            w.printf("  program: %s, for kernels without BPF compare-and-swap: %s%n", shown.program(),
                    FilterProgram.XADD.cost());
        }
        if (s.attachments().isEmpty()) {
            w.println("  attached: nowhere");
        }
        for (Attachment a : s.attachments()) {
            SocketState state = placement.stateOf(a, s.programId());
            String holder = state == SocketState.UNKNOWN && !UdpRateLimiter.alive(a) ? " (process gone)" : "";
            w.printf("  socket: pid %d fd %d port %d inode %d: %s%s%s%n", a.pid(), a.fd(), a.port(), a.inode(),
                    state.text(), holder, a.follow() ? " (port followed: `run` attaches to new sockets on it)" : "");
        }
        if (placement.unavailable().isEmpty()) {
            List<UdpSocketRecord> carrying = placement.carrying(s.programId());
            w.printf("  kernel: %d socket(s) carry this filter now%s%n", carrying.size(),
                    carrying.isEmpty() ? " (it protects nothing)" : "");
        }
        for (Map.Entry<Prefix, RateLimit> o : s.overrides().entrySet()) {
            w.printf("  override: %s %s (each address in it has its own bucket)%n", o.getKey(), o.getValue());
        }
        w.printf("  totals: passed %d, dropped %d, not IP %d%n", s.passed(), s.dropped(), s.notIp());
        List<Bucket> buckets = shownBuckets(s);
        if (!buckets.isEmpty()) {
            w.printf("  %-40s %12s %12s %8s%n", "dst_ip", "passed", "dropped", "tokens");
        }
        for (Bucket b : buckets) {
            RateLimit limit = s.limitFor(b.address());
            w.printf("  %-40s %12d %12d %8s%n", b.dstIp(), b.passed(), b.dropped(),
                    limit.unlimited() ? "-" : Long.toString(b.tokens(limit, s.nowNs())));
        }
    }

    private Map<String, Object> toMap(Shown shown, FilterPlacement placement) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", shown.name());
        m.put("pinned", FilterPins.dir(shown.name()).toString());
        FilterSnapshot s = shown.snapshot();
        if (s == null) {
            m.put("error", shown.error());
            return m;
        }
        m.put("rate_pps", s.defaultLimit().ratePps());
        m.put("burst", s.defaultLimit().burst());
        m.put("program", shown.program());
        m.put("program_id", s.programId());
        m.put("attachments", s.attachments().stream().map(a -> {
            Map<String, Object> am = new LinkedHashMap<>();
            SocketState state = placement.stateOf(a, s.programId());
            am.put("pid", a.pid());
            am.put("fd", a.fd());
            am.put("port", a.port());
            am.put("inode", a.inode());
            am.put("follow", a.follow());
            am.put("state", state.name().toLowerCase());
            am.put("alive", state == SocketState.UNKNOWN ? UdpRateLimiter.alive(a) : state != SocketState.GONE);
            return am;
        }).toList());
        if (placement.unavailable().isEmpty()) {
            m.put("attached_sockets", placement.carrying(s.programId()).size());
        }
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
        m.put("destinations", shownBuckets(s).stream().map(b -> {
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
