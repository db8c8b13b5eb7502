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
    private final EventTally tally = new EventTally(Duration.ofSeconds(10), now::get, 1000);

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

    @Test
    void theSeriesLimitAppliesWhileCounting() {
        EventTally limited = new EventTally(Duration.ofSeconds(10), now::get, 3);
        for (int i = 0; i < 10_000; i++) {
            limited.add(List.of("src" + i, "x"));
        }
        limited.add(List.of("src0", "x"));
        List<String> other = List.of("other", "other");
        // The first two sets keep their series; 9,998 later ones went to "other" as they came, not kept apart.
        assertEquals(Map.of(List.of("src0", "x"), 2.0, List.of("src1", "x"), 1.0, other, 9998.0), limited.snapshot());
        assertEquals(9998, limited.folded());
    }
}
