package dev.bpfwatch.agent;

import dev.bpfwatch.metrics.MapFamily;
import io.prometheus.client.Collector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Lock;

/**
 * Every module's collectors behind one registration, so a reload swaps the
 * whole set at once (a scrape sees the old set or the new, never half).
 * Scrapes that arrive while a collection runs wait for it and share its
 * result: fifty scrapers cost the kernel one read, not fifty. A collection
 * holds the agent's read lock, so a reload cannot close the set it reads.
 */
final class LiveCollectors extends Collector implements Collector.Describable {
    private volatile List<Collector> current = List.of();
    private CompletableFuture<List<MetricFamilySamples>> inFlight;
    /** Scrapes waiting for the collection in flight, besides the one running it. */
    private int joined;
    private final Lock reading;

    /** @param reading held over each collection; whoever closes modules holds its write side */
    LiveCollectors(Lock reading) {
        this.reading = reading;
    }

    void swap(List<Collector> collectors) {
        current = List.copyOf(collectors);
    }

    @Override
    public List<MetricFamilySamples> collect() {
        CompletableFuture<List<MetricFamilySamples>> shared;
        boolean mine = false;
        synchronized (this) {
            if (inFlight == null) {
                inFlight = new CompletableFuture<>();
                mine = true;
            } else {
                joined++;
            }
            shared = inFlight;
        }
        if (mine) {
            try {
                List<MetricFamilySamples> result = collectAll();
                int sharers;
                synchronized (this) {
                    sharers = joined + 1;
                    joined = 0;
                    inFlight = null; // later scrapes start a read of their own
                }
                holdReads(result, sharers);
                shared.complete(result);
            } catch (RuntimeException | Error e) {
                shared.completeExceptionally(e);
            } finally {
                synchronized (this) {
                    if (inFlight == shared) {
                        joined = 0;
                        inFlight = null;
                    }
                }
            }
        }
        return shared.join();
    }

    /**
     * Each scrape sharing the result holds the map reads it will write, so none goes back to its
     * map (to be overwritten by the next read) while a slower sharer still writes it.
     */
    private static void holdReads(List<MetricFamilySamples> result, int sharers) {
        for (MetricFamilySamples f : result) {
            if (f instanceof MapFamily m) {
                m.hold(sharers);
            }
        }
    }

    /** Scrapes waiting to share the collection in flight (tests line up sharers with it). */
    synchronized int waiting() {
        return joined;
    }

    private List<MetricFamilySamples> collectAll() {
        reading.lock();
        try {
            List<MetricFamilySamples> out = new ArrayList<>();
            for (Collector c : current) {
                out.addAll(c.collect());
            }
            return out;
        } finally {
            reading.unlock();
        }
    }

    /** Nothing at registration: describing would read every map at start-up. */
    @Override
    public List<MetricFamilySamples> describe() {
        return List.of();
    }
}
