package dev.bpfwatch.ratelimit;

import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Every pinned filter's state, read at each scrape. Per-address series are
 * limited to the top N addresses by drops, the rest summed as
 * dst_ip="other": a flood over many addresses must not flood Prometheus.
 */
public final class UdpRateLimitCollector extends Collector implements Collector.Describable {
    public static final int DEFAULT_TOP = 20;
    static final String OTHER = "other";

    private final String prefix;
    private final Supplier<List<FilterSnapshot>> source;
    private final Supplier<Optional<Map<Integer, Long>>> socketsByProgram;
    private final int top;

    public UdpRateLimitCollector(String namespace, Supplier<List<FilterSnapshot>> source, int top) {
        this(namespace, source, Optional::empty, top);
    }

    /**
     * @param socketsByProgram program id -> how many UDP sockets carry it
     *                         now, as the kernel says; empty when it cannot
     *                         tell (then attached_sockets is not exported)
     */
    public UdpRateLimitCollector(String namespace, Supplier<List<FilterSnapshot>> source,
                                 Supplier<Optional<Map<Integer, Long>>> socketsByProgram, int top) {
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
        List<Bucket> sorted = s.bucketsByDrops();
        long otherPassed = 0;
        long otherDropped = 0;
        for (int i = 0; i < sorted.size(); i++) {
            Bucket b = sorted.get(i);
            if (i >= top) {
                otherPassed += b.passed();
                otherDropped += b.dropped();
                continue;
            }
            f.packets.addMetric(List.of(filter, b.dstIp(), "pass"), b.passed());
            f.packets.addMetric(List.of(filter, b.dstIp(), "drop"), b.dropped());
            RateLimit limit = s.limitFor(b.address());
            if (!limit.unlimited()) {
                f.tokens.addMetric(List.of(filter, b.dstIp()), b.tokens(limit, s.nowNs()));
            }
        }
        if (sorted.size() > top) {
            f.packets.addMetric(List.of(filter, OTHER, "pass"), otherPassed);
            f.packets.addMetric(List.of(filter, OTHER, "drop"), otherDropped);
        }
        f.totals.addMetric(List.of(filter, "pass"), s.passed());
        f.totals.addMetric(List.of(filter, "drop"), s.dropped());
        f.totals.addMetric(List.of(filter, "not_ip"), s.notIp());
        f.rate.addMetric(List.of(filter), s.defaultLimit().ratePps());
        f.burst.addMetric(List.of(filter), s.defaultLimit().burst());
    }

    private final class Families {
        final CounterMetricFamily packets = new CounterMetricFamily(prefix + "packets",
                "Datagrams the filter passed or dropped, by destination IP (top addresses by drops; the rest as other).",
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
