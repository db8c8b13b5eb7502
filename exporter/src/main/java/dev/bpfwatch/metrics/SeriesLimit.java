package dev.bpfwatch.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BinaryOperator;
import java.util.function.ToDoubleFunction;

/**
 * The cardinality guard: a metric keeps at most {@code max} series. The
 * largest stay; the rest are summed into one series whose every label is
 * "other", so totals stay right while Prometheus is spared a label explosion
 * (a map keyed by random source addresses, say).
 */
final class SeriesLimit {
    static final String OTHER = "other";

    private final int max;

    SeriesLimit(int max) {
        if (max < 2) {
            throw new IllegalArgumentException("series limit must be at least 2, is " + max);
        }
        this.max = max;
    }

    /** Result of folding: the series to export and how many were folded away. */
    record Folded<V>(Map<List<String>, V> series, int folded) {
    }

    <V> Folded<V> apply(Map<List<String>, V> series, ToDoubleFunction<V> size, BinaryOperator<V> merge) {
        if (series.size() <= max) {
            return new Folded<>(series, 0);
        }
        List<Map.Entry<List<String>, V>> entries = new ArrayList<>(series.entrySet());
        entries.sort((a, b) -> Double.compare(size.applyAsDouble(b.getValue()), size.applyAsDouble(a.getValue())));
        Map<List<String>, V> kept = new LinkedHashMap<>();
        List<String> otherLabels = Collections.nCopies(entries.get(0).getKey().size(), OTHER);
        V other = null;
        int folded = 0;
        for (int i = 0; i < entries.size(); i++) {
            Map.Entry<List<String>, V> e = entries.get(i);
            if (i < max - 1 && !e.getKey().equals(otherLabels)) {
                kept.put(e.getKey(), e.getValue());
            } else {
                other = other == null ? e.getValue() : merge.apply(other, e.getValue());
                folded++;
            }
        }
        kept.merge(otherLabels, other, merge);
        return new Folded<>(kept, folded);
    }
}
