package dev.bpfwatch.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The exact series a counter's fold state gives for a sequence of map reads. */
class CounterFoldTest {
    private static Map<List<String>, Double> read(Object... keysAndValues) {
        Map<List<String>, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put(List.of((String) keysAndValues[i]), ((Number) keysAndValues[i + 1]).doubleValue());
        }
        return m;
    }

    @Test
    void theFirstLargestKeepTheirSeriesAndNeverReRank() {
        CounterFold f = new CounterFold(3);
        assertEquals(read("a", 10, "b", 5, "other", 1), f.apply(read("a", 10, "b", 5, "c", 1), 1));
        // c overtakes both: it stays in other, which rises by what c gained.
        assertEquals(read("a", 11, "b", 6, "other", 50), f.apply(read("a", 11, "b", 6, "c", 50), 1));
        assertEquals(1, f.foldedNow());
    }

    @Test
    void whatLeavesTheMapIsRemembered() {
        CounterFold f = new CounterFold(3);
        f.apply(read("a", 10, "b", 5, "c", 7, "d", 3), 1); // a, c own; b, d in other (8)
        // a evicted, d evicted: a's series stays at 10, other keeps d's 3.
        assertEquals(read("a", 10, "c", 7, "other", 8), f.apply(read("b", 5, "c", 7), 1));
        // a back with 2 (evicted and re-inserted): 10 + 2; d back with 1: 8 + 1.
        assertEquals(read("a", 12, "c", 7, "other", 9), f.apply(read("a", 2, "b", 5, "c", 7, "d", 1), 1));
        // b shrinks from 5 to 4 (one of the keys decoding to it left): other never goes down.
        assertEquals(read("a", 12, "c", 7, "other", 9), f.apply(read("a", 2, "b", 4, "c", 7, "d", 1), 1));
    }

    @Test
    void aMapThatFitsHasNoOther() {
        CounterFold f = new CounterFold(3);
        assertEquals(read("a", 1, "b", 2), f.apply(read("a", 1, "b", 2), 1));
    }

    @Test
    void aSavedStateGoesOnAsIfNothingHappened() throws Exception {
        CounterFold f = new CounterFold(3);
        f.apply(read("a", 10, "b", 5, "c", 7, "d", 3), 1);
        f.apply(read("b", 5, "c", 7), 1);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        f.write(new DataOutputStream(bytes));
        CounterFold g = CounterFold.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), true);
        // While stopped, b left the map (its 5 stays in other) and c went from 7 to 1: seen only as a
        // decrease, it keeps 7 (what it gains from here adds to that).
        assertEquals(read("a", 10, "c", 7, "other", 8), g.apply(read("c", 1), 1));
        assertEquals(read("a", 10, "c", 9, "other", 8), g.apply(read("c", 3), 1));
    }
}
