package dev.bpfwatch.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The flush rule of perf-event counts, on a clock the test moves. */
class EventTallyTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final EventTally tally = new EventTally(Duration.ofSeconds(10), now::get);

    @Test
    void countsUntilTheIntervalEndsThenStartsAgain() {
        List<String> a = List.of("a");
        List<String> b = List.of("b");
        tally.add(a);
        tally.add(a);
        tally.add(b);
        now.addAndGet(Duration.ofSeconds(10).toNanos() - 1);
        assertEquals(Map.of(a, 2.0, b, 1.0), tally.snapshot(), "one nanosecond short of the interval");
        now.incrementAndGet();
        assertEquals(Map.of(), tally.snapshot(), "flushed at the interval");
        tally.add(b);
        assertEquals(Map.of(b, 1.0), tally.snapshot());
    }

    @Test
    void lostEventsAreNeverFlushed() {
        tally.lost(5);
        now.addAndGet(Duration.ofHours(1).toNanos());
        tally.snapshot();
        tally.lost(2);
        assertEquals(7, tally.lost());
    }
}
