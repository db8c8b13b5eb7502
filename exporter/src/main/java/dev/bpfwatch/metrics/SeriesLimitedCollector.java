package dev.bpfwatch.metrics;

import io.prometheus.client.Collector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * --metrics.max-series for collectors written in code (the built-in
 * modules: a series per listener, per socket port and drop reason, per
 * filter): their samples go through the same {@link SeriesLimit} as a
 * config's, after they are made. Those collectors produce a few hundred
 * series at most, so folding finished samples costs little.
 */
public final class SeriesLimitedCollector extends Collector implements Collector.Describable {
    private final Collector inner;
    private final SeriesLimit limit;
    private final Map<String, AtomicLong> foldedSeries = new ConcurrentHashMap<>();
    /** Per counter sample name, kept for this collector's life (the module's): membership stays put. */
    private final Map<String, CounterFold> counterFolds = new ConcurrentHashMap<>();

    public SeriesLimitedCollector(Collector inner, int maxSeries) {
        this.inner = inner;
        this.limit = new SeriesLimit(maxSeries);
    }

    @Override
    public List<MetricFamilySamples> collect() {
        List<MetricFamilySamples> out = new ArrayList<>();
        for (MetricFamilySamples family : inner.collect()) {
            out.add(fold(family));
        }
        return out;
    }

    private MetricFamilySamples fold(MetricFamilySamples family) {
        if (family.samples.size() <= limit.max()) {
            return family;
        }
        // One sample name at a time (a counter's _total, a histogram's parts would each be one).
        Map<String, List<MetricFamilySamples.Sample>> byName = new LinkedHashMap<>();
        family.samples.forEach(s -> byName.computeIfAbsent(s.name, k -> new ArrayList<>()).add(s));
        List<MetricFamilySamples.Sample> samples = new ArrayList<>();
        for (Map.Entry<String, List<MetricFamilySamples.Sample>> e : byName.entrySet()) {
            List<MetricFamilySamples.Sample> group = e.getValue();
            List<String> labelNames = group.get(0).labelNames;
            if (labelNames.isEmpty() || group.size() <= limit.max()) {
                samples.addAll(group);
                continue;
            }
            Map<List<String>, Double> series = new LinkedHashMap<>();
            group.forEach(s -> series.merge(s.labelValues, s.value, Double::sum));
            Map<List<String>, Double> kept;
            int folded;
            if (family.type == Type.COUNTER) {
                // Counters fold with sticky membership, as a config's do: re-ranking every scrape
                // moved series in and out of "other" and made it go down.
                CounterFold fold = counterFolds.computeIfAbsent(e.getKey(), k -> new CounterFold(limit.max()));
                kept = fold.apply(series, labelNames.size());
                folded = fold.foldedNow();
            } else {
                SeriesLimit.Folded<Double> f = limit.apply(series, v -> v, Double::sum);
                kept = f.series();
                folded = f.folded();
            }
            if (folded > 0) {
                foldedSeries.computeIfAbsent(family.name, k -> new AtomicLong()).addAndGet(folded);
            }
            kept.forEach((labels, v) -> samples.add(new MetricFamilySamples.Sample(e.getKey(), labelNames, labels, v)));
        }
        return new MetricFamilySamples(family.name, family.unit, family.type, family.help, samples);
    }

    /** Series folded into "other", per metric family, summed over scrapes (bpfwatch_series_dropped_total). */
    public Map<String, Long> foldedSeries() {
        Map<String, Long> out = new LinkedHashMap<>();
        foldedSeries.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    @Override
    public List<MetricFamilySamples> describe() {
        return inner instanceof Describable d ? d.describe() : List.of();
    }
}
