package dev.bpfwatch.metrics;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Who still writes from one map read. Scrapes that share a collection each
 * hold the read ({@link #hold}) until their response is written
 * ({@link #release}); when the last one lets go, the read's arrays go back
 * to the map for its next read. A read nobody held (a registry consumer
 * other than the agent's scrape handler, a test) is never handed back: a
 * release without a hold does nothing, so the worst a stray reader costs is
 * one allocation, never arrays overwritten under a writer.
 */
public final class ReadLease {
    /** For reads that go back nowhere. */
    public static final ReadLease NONE = new ReadLease(() -> { });

    private final AtomicInteger holders = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicBoolean handedBack = new java.util.concurrent.atomic.AtomicBoolean();
    private final Runnable handBack;

    /** @param handBack run once, when the last holder releases */
    public ReadLease(Runnable handBack) {
        this.handBack = handBack;
    }

    public void hold(int times) {
        if (this != NONE && times > 0 && !handedBack.get()) {
            holders.addAndGet(times);
        }
    }

    public void release() {
        int left = holders.getAndUpdate(n -> n > 0 ? n - 1 : n);
        if (left == 1 && handedBack.compareAndSet(false, true)) {
            handBack.run();
        }
    }

    int holders() {
        return holders.get();
    }
}
