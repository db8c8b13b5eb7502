package dev.bpfwatch.ratelimit;

import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import dev.bpfwatch.metrics.CounterFold;
import dev.bpfwatch.metrics.CounterFolds;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Every pinned filter's state, read at each scrape. Per-address series are
 * limited to N addresses, the rest summed as dst_ip="other": a flood over
 * many addresses must not flood Prometheus. Which N is sticky
 * ({@link CounterFold}): the first N seen (the most dropped first when more
 * come at once) keep their series, so the set never re-ranks and neither
 * "other" nor an address's series goes down when buckets are evicted from
 * the LRU map or addresses trade places.
 */
public final class UdpRateLimitCollector extends Collector implements Collector.Describable {
    public static final int DEFAULT_TOP = 20;
    static final String OTHER = "other";
    private static final int PASSED = 0;
    private static final int DROPPED = 1;

    private final String prefix;
    private final Supplier<List<FilterSnapshot>> source;
    private final Supplier<Optional<Map<Integer, Long>>> socketsByProgram;
    private final int top;
    private final Function<String, CounterFold> folds;

    public UdpRateLimitCollector(String namespace, Supplier<List<FilterSnapshot>> source, int top) {
        this(namespace, source, Optional::empty, top);
    }

    public UdpRateLimitCollector(String namespace, Supplier<List<FilterSnapshot>> source,
                                 Supplier<Optional<Map<Integer, Long>>> socketsByProgram, int top) {
        this(namespace, source, socketsByProgram, top, ownFolds(top));
    }

    /** Per filter name, the state of its per-address series; kept by this collector alone. */
    private static Function<String, CounterFold> ownFolds(int top) {
        Map<String, CounterFold> folds = new ConcurrentHashMap<>();
        return filter -> folds.computeIfAbsent(filter, f -> new CounterFold(top + 1, 2, DROPPED));
    }

    /** A filter's per-address state as the agent keeps it: across restarts too, saved under the pin path. */
    public static Function<String, CounterFold> agentFolds(CounterFolds folds, int top) {
        return filter -> folds.of("%udp_ratelimit\0" + filter, top + 1, 2, DROPPED);
    }

    /**
     * @param socketsByProgram program id -> how many UDP sockets carry it
     *                         now, as the kernel says; empty when it cannot
     *                         tell (then attached_sockets is not exported)
     */
    public UdpRateLimitCollector(String namespace, Supplier<List<FilterSnapshot>> source,
                                 Supplier<Optional<Map<Integer, Long>>> socketsByProgram, int top,
                                 Function<String, CounterFold> folds) {
        this.folds = folds;
        this.socketsByProgram = socketsByProgram;
        if (top < 0) {
            throw new IllegalArgumentException("top must be >= 0, got " + top);
        }
        this.prefix = namespace + "_udp_ratelimit_";
        this.source = source;
        this.top = top;
    }

    @Override
    public List<MetricFamilySamples> collect() {
        Families f = new Families();
        List<FilterSnapshot> snapshots = source.get();
        Optional<Map<Integer, Long>> sockets = snapshots.isEmpty() ? Optional.empty() : socketsByProgram.get();
        for (FilterSnapshot s : snapshots) {
            add(f, s);
            sockets.ifPresent(m -> f.attached.addMetric(List.of(s.name()), m.getOrDefault(s.programId(), 0L)));
        }
        return f.all();
    }

    /** Descriptions only, so registering never reads kernel maps. */
    @Override
    public List<MetricFamilySamples> describe() {
        return new Families().all();
    }

    private void add(Families f, FilterSnapshot s) {
        String filter = s.name();
        Map<List<String>, double[]> current = new LinkedHashMap<>();
        Map<String, Bucket> byIp = new HashMap<>();
        for (Bucket b : s.bucketsByDrops()) {
            current.merge(List.of(b.dstIp()), new double[] {b.passed(), b.dropped()},
                    (x, y) -> new double[] {x[PASSED] + y[PASSED], x[DROPPED] + y[DROPPED]});
            byIp.put(b.dstIp(), b);
        }
        folds.apply(filter).applyWide(current, 1).forEach((labels, counts) -> {
            String ip = labels.get(0);
            f.packets.addMetric(List.of(filter, ip, "pass"), counts[PASSED]);
            f.packets.addMetric(List.of(filter, ip, "drop"), counts[DROPPED]);
            Bucket b = byIp.get(ip);
            if (b != null && !ip.equals(OTHER)) {
                RateLimit limit = s.limitFor(b.address());
                if (!limit.unlimited()) {
                    f.tokens.addMetric(List.of(filter, ip), b.tokens(limit, s.nowNs()));
                }
            }
        });
        f.totals.addMetric(List.of(filter, "pass"), s.passed());
        f.totals.addMetric(List.of(filter, "drop"), s.dropped());
        f.totals.addMetric(List.of(filter, "not_ip"), s.notIp());
        f.rate.addMetric(List.of(filter), s.defaultLimit().ratePps());
        f.burst.addMetric(List.of(filter), s.defaultLimit().burst());
    }

    private final class Families {
        final CounterMetricFamily packets = new CounterMetricFamily(prefix + "packets",
                "Datagrams the filter passed or dropped, by destination IP (the first addresses seen, most dropped first; "
                        + "the rest as other).",
                List.of("filter", "dst_ip", "verdict"));
        final CounterMetricFamily totals = new CounterMetricFamily(prefix + "totals_packets",
                "Datagrams the filter saw, over all addresses; not_ip: neither IPv4 nor IPv6, passed unjudged.",
                List.of("filter", "verdict"));
        final GaugeMetricFamily tokens = new GaugeMetricFamily(prefix + "tokens",
                "Packets the destination's token bucket would pass back to back right now.",
                List.of("filter", "dst_ip"));
        final GaugeMetricFamily rate = new GaugeMetricFamily(prefix + "rate_pps",
                "Default limit in packets per second per destination IP (0: unlimited).", List.of("filter"));
        final GaugeMetricFamily burst = new GaugeMetricFamily(prefix + "burst",
                "Default burst in packets per destination IP.", List.of("filter"));
        final GaugeMetricFamily attached = new GaugeMetricFamily(prefix + "attached_sockets",
                "UDP sockets that carry the filter now, in every network namespace, as the kernel says "
                        + "(0: it protects nothing, e.g. its server restarted).", List.of("filter"));

        List<MetricFamilySamples> all() {
            return new ArrayList<>(List.of(packets, totals, tokens, rate, burst, attached));
        }
    }
}
