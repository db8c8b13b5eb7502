package dev.bpfwatch.decode;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Lets an expensive refresh (walking the cgroup tree, re-reading kallsyms)
 * run at most once per interval. A map full of ids that no longer exist
 * would otherwise trigger one refresh per key on every scrape.
 */
final class Throttle {
    static final Duration DEFAULT = Duration.ofSeconds(1);

    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private long last;
    private boolean ran;

    Throttle(Duration interval, LongSupplier nanoClock) {
        this.intervalNanos = interval.toNanos();
        this.nanoClock = nanoClock;
    }

    static Throttle perSecond() {
        return new Throttle(DEFAULT, System::nanoTime);
    }

    /** The throttle's clock, for callers that date what they read by it. */
    long now() {
        return nanoClock.getAsLong();
    }

    /** True (and the clock restarts) if the caller may refresh now. */
    synchronized boolean tryAcquire() {
        long now = nanoClock.getAsLong();
        if (ran && now - last < intervalNanos) {
            return false;
        }
        ran = true;
        last = now;
        return true;
    }
}
