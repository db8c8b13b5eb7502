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

    int max() {
        return max;
    }

    /**
     * The positions of the {@code keep} largest of {@code values[0..n)},
     * largest first, ties in position order: the series {@link #apply}
     * would keep, for a map held in arrays. Requires {@code keep < n}.
     */
    static int[] largest(double[] values, int n, int keep) {
        double[] sorted = java.util.Arrays.copyOf(values, n);
        java.util.Arrays.sort(sorted);
        double threshold = sorted[n - keep];
        int above = 0;
        for (int i = n - keep + 1; i < n; i++) {
            if (Double.compare(sorted[i], threshold) > 0) {
                above++;
            }
        }
        int equalSlots = keep - above;
        Integer[] kept = new Integer[keep];
        int k = 0;
        for (int i = 0; i < n && k < keep; i++) {
            int c = Double.compare(values[i], threshold);
            if (c > 0 || (c == 0 && equalSlots-- > 0)) {
                kept[k++] = i;
            }
        }
        java.util.Arrays.sort(kept, (a, b) -> {
            int c = Double.compare(values[b], values[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        int[] out = new int[keep];
        for (int i = 0; i < keep; i++) {
            out[i] = kept[i];
        }
        return out;
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
