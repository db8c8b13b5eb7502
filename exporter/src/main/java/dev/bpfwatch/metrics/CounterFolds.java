package dev.bpfwatch.metrics;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link CounterFold} of every counter metric, owned by the agent rather
 * than by a config's collector, so a reload that builds new collectors
 * carries on where the old ones stopped. A metric is found again by its
 * config, name, labels and source map: a reload that changes any of these
 * makes a new metric, with a fresh state.
 *
 * <p>Bound: one state per counter metric ever loaded in this run (configs
 * are a handful of files), each bounded as {@link CounterFold} says.
 */
public final class CounterFolds {
    private final Map<String, CounterFold> folds = new ConcurrentHashMap<>();
    private final int maxSeries;

    public CounterFolds(int maxSeries) {
        this.maxSeries = maxSeries;
    }

    CounterFold of(String config, String metric, List<String> labelNames, String source) {
        return folds.computeIfAbsent(config + "\0" + metric + "\0" + String.join(",", labelNames) + "\0" + source,
                k -> new CounterFold(maxSeries));
    }

    public int maxSeries() {
        return maxSeries;
    }
}
