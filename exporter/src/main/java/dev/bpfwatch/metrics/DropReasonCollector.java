package dev.bpfwatch.metrics;

import dev.bpfwatch.btf.DropReasons;
import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * bpfwatch_kfree_skb_drops_total{reason}: dropped packets by the kernel's
 * drop reason, named from BTF. The source hands raw reason numbers and
 * counts, so tests can feed it without a kernel.
 */
public final class DropReasonCollector extends Collector implements Collector.Describable {
    private final String name;
    private final Supplier<Map<Long, Long>> countsByReason;
    private final DropReasons reasons;

    public DropReasonCollector(String namespace, Supplier<Map<Long, Long>> countsByReason, DropReasons reasons) {
        this.name = namespace + "_kfree_skb_drops";
        this.countsByReason = countsByReason;
        this.reasons = reasons;
    }

    @Override
    public List<MetricFamilySamples> collect() {
        CounterMetricFamily family = new CounterMetricFamily(name,
                "Packets the kernel freed as dropped (kfree_skb), by drop reason.", List.of("reason"));
        // Two numbers can share a name on odd kernels (aliases): sum them, never emit a series twice.
        Map<String, Long> byName = new TreeMap<>();
        countsByReason.get().forEach((reason, count) -> byName.merge(reasons.name(reason), count, Long::sum));
        byName.forEach((reason, count) -> family.addMetric(List.of(reason), count));
        return List.of(family);
    }

    @Override
    public List<MetricFamilySamples> describe() {
        return List.of(new CounterMetricFamily(name,
                "Packets the kernel freed as dropped (kfree_skb), by drop reason.", List.of("reason")));
    }
}
