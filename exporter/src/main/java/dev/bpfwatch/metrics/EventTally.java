package dev.bpfwatch.metrics;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Counts of perf events by decoded label set, added to by the thread that
 * drains the rings and read by scrapes. Every {@code flushInterval} the
 * counts start again from nothing, so label sets that stopped occurring
 * leave the exposition (a counter reset, as Prometheus expects of restarts).
 * The series limit applies while counting, not only at scrape time: a label
 * set first seen when {@code maxSeries - 1} are already counted adds to the
 * all-"other" set instead, so memory between flushes stays bounded whatever
 * the events carry, and a set once counted keeps its own series until the
 * flush (no re-ranking that would move counts between series).
 */
final class EventTally {
    private final long flushNanos;
    private final LongSupplier clock;
    private volatile Map<List<String>, LongAdder> counts = new ConcurrentHashMap<>();
    private volatile long flushedAt;
    private final LongAdder lost = new LongAdder();
    private final LongAdder folded = new LongAdder();
    private final int maxSeries;

    EventTally(Duration flushInterval, LongSupplier clock, int maxSeries) {
        if (maxSeries < 2) {
            throw new IllegalArgumentException("series limit must be at least 2, is " + maxSeries);
        }
        this.flushNanos = flushInterval.toNanos();
        this.clock = clock;
        this.flushedAt = clock.getAsLong();
        this.maxSeries = maxSeries;
    }

    void add(List<String> labels) {
        flushIfDue();
        Map<List<String>, LongAdder> c = counts;
        LongAdder n = c.get(labels);
        if (n == null) {
            // Racing adders may pass the size check together: the bound is kept within the ring readers' count.
            if (c.size() >= maxSeries - 1 && !labels.stream().allMatch(SeriesLimit.OTHER::equals)) {
                folded.increment();
                labels = java.util.Collections.nCopies(labels.size(), SeriesLimit.OTHER);
            }
            n = c.computeIfAbsent(labels, k -> new LongAdder());
        }
        n.increment();
    }

    /** Events counted under "other" because the series limit was reached, since start. */
    long folded() {
        return folded.sum();
    }

    void lost(long events) {
        lost.add(events);
    }

    long lost() {
        return lost.sum();
    }

    Map<List<String>, Double> snapshot() {
        flushIfDue();
        Map<List<String>, Double> out = new HashMap<>();
        counts.forEach((labels, n) -> out.put(labels, (double) n.sum()));
        return out;
    }

    private void flushIfDue() {
        long now = clock.getAsLong();
        if (now - flushedAt >= flushNanos) {
            synchronized (this) {
                if (now - flushedAt >= flushNanos) {
                    counts = new ConcurrentHashMap<>();
                    flushedAt = now;
                }
            }
        }
    }
}
