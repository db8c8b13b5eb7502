package dev.bpfwatch.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SeriesLimitTest {
    @Test
    void largestStayTheRestAreSummedIntoOther() {
        Map<List<String>, Double> series = new LinkedHashMap<>();
        for (int i = 1; i <= 10; i++) {
            series.put(List.of("ip" + i, "udp"), (double) i);
        }
        SeriesLimit.Folded<Double> f = new SeriesLimit(4).apply(series, v -> v, Double::sum);
        assertEquals(7, f.folded());
        assertEquals(4, f.series().size());
        assertEquals(10.0, f.series().get(List.of("ip10", "udp")));
        assertEquals(8.0, f.series().get(List.of("ip8", "udp")));
        assertEquals(1.0 + 2 + 3 + 4 + 5 + 6 + 7, f.series().get(List.of("other", "other")));
        assertEquals(55.0, f.series().values().stream().mapToDouble(Double::doubleValue).sum(), "total kept");
    }

    @Test
    void underTheLimitNothingChanges() {
        Map<List<String>, Double> series = Map.of(List.of("a"), 1.0, List.of("b"), 2.0);
        SeriesLimit.Folded<Double> f = new SeriesLimit(2).apply(series, v -> v, Double::sum);
        assertEquals(0, f.folded());
        assertEquals(series, f.series());
    }

    @Test
    void aLimitBelowTwoIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SeriesLimit(1));
    }
}
