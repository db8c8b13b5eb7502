package dev.bpfwatch.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The built-in modules' series limit: a counter whose label sets change rank between scrapes
 * (the busy port moves) and leave (a listener closes, its socket's drops go with it) keeps
 * every series, "other" included, from going down. Re-ranking on each scrape and summing
 * only what is there now made "other" fall whenever a folded port went away.
 */
class SeriesLimitedCollectorTest {
    /** Per-port counts the inner collector shows; each scrape raises some of them. */
    private final Map<String, Double> counts = new HashMap<>();
    private double closed;
    private int opened;

    private final Collector inner = new Collector() {
        @Override
        public List<MetricFamilySamples> collect() {
            CounterMetricFamily f = new CounterMetricFamily("drops", "test drops", List.of("port"));
            counts.forEach((port, n) -> f.addMetric(List.of(port), n));
            return List.of(f);
        }
    };

    @Test
    void countersNeverGoDownWhenRanksChange() {
        for (int port = 0; port < 10; port++) {
            counts.put(Integer.toString(port), 0.0);
        }
        SeriesLimitedCollector limited = new SeriesLimitedCollector(inner, 3);
        Map<List<String>, Double> last = new HashMap<>();
        int decreases = 0;
        for (int scrape = 0; scrape < 200; scrape++) {
            // Ten ports; the busy one moves every ten scrapes; every 25th scrape the quietest
            // port closes (its series leaves, after the last scrape saw all it counted) and a
            // new one opens.
            if (scrape % 25 == 24) {
                String quietest = counts.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey();
                closed += counts.remove(quietest);
                counts.put(Integer.toString(100 + opened++), 0.0);
            }
            for (String port : List.copyOf(counts.keySet())) {
                double add = port.equals(Integer.toString(scrape / 10 % 10 + opened)) ? 100 : 1;
                counts.merge(port, add, Double::sum);
            }
            List<Collector.MetricFamilySamples> out = limited.collect();
            assertEquals(1, out.size());
            assertTrue(out.get(0).samples.size() <= 3, out.get(0).samples.size() + " series over the limit of 3");
            for (Collector.MetricFamilySamples.Sample s : out.get(0).samples) {
                Double before = last.put(s.labelValues, s.value);
                if (before != null && s.value < before) {
                    decreases++;
                }
            }
        }
        double total = closed + counts.values().stream().mapToDouble(Double::doubleValue).sum();
        double shown = last.values().stream().mapToDouble(Double::doubleValue).sum();
        assertEquals(0, decreases, "series that went down over 200 scrapes");
        assertEquals(total, shown, "every count is in some series");
    }
}
