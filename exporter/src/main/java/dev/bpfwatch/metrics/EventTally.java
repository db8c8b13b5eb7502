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
 */
final class EventTally {
    private final long flushNanos;
    private final LongSupplier clock;
    private volatile Map<List<String>, LongAdder> counts = new ConcurrentHashMap<>();
    private volatile long flushedAt;
    private final LongAdder lost = new LongAdder();

    EventTally(Duration flushInterval, LongSupplier clock) {
        this.flushNanos = flushInterval.toNanos();
        this.clock = clock;
        this.flushedAt = clock.getAsLong();
    }

    void add(List<String> labels) {
        flushIfDue();
        counts.computeIfAbsent(labels, k -> new LongAdder()).increment();
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
