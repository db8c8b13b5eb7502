package dev.bpfwatch.agent;

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
            }
            shared = inFlight;
        }
        if (mine) {
            try {
                shared.complete(collectAll());
            } catch (RuntimeException | Error e) {
                shared.completeExceptionally(e);
            } finally {
                synchronized (this) {
                    inFlight = null;
                }
            }
        }
        return shared.join();
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
