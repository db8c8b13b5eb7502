package dev.bpfwatch.metrics;

import dev.bpfwatch.config.BoundConfig;
import dev.bpfwatch.config.BoundMetric;
import dev.bpfwatch.config.HistogramSpec;
import dev.bpfwatch.config.LabelSlice;
import dev.bpfwatch.config.MetricKind;
import dev.bpfwatch.decode.DecoderException;
import dev.bpfwatch.decode.Decoders;
import dev.bpfwatch.libbpf.BpfMap;
import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every metric of one config, read from its maps and iterators at scrape
 * time. A map shared by several metrics is read once per scrape. One bad
 * entry or map never fails the scrape: errors are counted and logged.
 */
public final class ConfigCollector extends Collector implements Collector.Describable {
    private static final Logger LOG = Logger.getLogger(ConfigCollector.class.getName());
    static final int LABEL_CACHE_SIZE = 100_000;

    private final BoundConfig config;
    private final String namespace;
    private final SampleSource source;
    // Keyed by identity: these are looked up once per map entry and per perf
    // event, and a record's own hashCode would hash the whole metric spec
    // (labels, decoder chains) each time. Filled in the constructor only.
    private final Map<BoundMetric, LabelDecoder> labelDecoders = new IdentityHashMap<>();
    private final AtomicLong decoderErrors = new AtomicLong();
    private final AtomicLong readErrors = new AtomicLong();
    private final Map<String, Integer> lastEntries = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile double lastScrapeSeconds;
    private final SeriesLimit limit;
    private final Map<String, AtomicLong> foldedSeries = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicLong collections = new AtomicLong();
    private final Map<BoundMetric, EventTally> tallies = new IdentityHashMap<>();

    public ConfigCollector(BoundConfig config, String namespace, SampleSource source, Decoders decoders,
                           int maxSeries) {
        this.config = config;
        this.namespace = namespace;
        this.source = source;
        this.limit = new SeriesLimit(maxSeries);
        for (BoundMetric m : config.metrics()) {
            labelDecoders.put(m, new LabelDecoder(m.labels(), m.cpuDecoders(), decoders, LABEL_CACHE_SIZE));
            if (m.spec().fromPerfEvents()) {
                tallies.put(m, new EventTally(m.spec().perfEvents().flushInterval(), System::nanoTime, maxSeries));
            }
        }
    }

    /** Metrics fed by perf events rather than read at scrape time. */
    public List<BoundMetric> perfEventMetrics() {
        return List.copyOf(tallies.keySet());
    }

    /** One event of a perf-event metric: its leading bytes name the series it adds one to. */
    public void onEvent(BoundMetric m, byte[] event) {
        if (event.length < m.recordSize()) {
            decoderErrors.incrementAndGet();
            LOG.fine(() -> "config " + config.name() + ", metric " + m.spec().name() + ": event of " + event.length
                    + " bytes, labels need " + m.recordSize());
            return;
        }
        List<String> labels = labels(m, event, 0);
        if (labels != null) {
            tallies.get(m).add(labels);
        }
    }

    /** Events the kernel could not write because the metric's rings were full. */
    public void onLost(BoundMetric m, long events) {
        tallies.get(m).lost(events);
    }

    /** Lost events per perf-event metric, since start. */
    public Map<String, Long> lostEvents() {
        Map<String, Long> out = new TreeMap<>();
        tallies.forEach((m, t) -> out.put(m.spec().name(), t.lost()));
        return out;
    }

    public String configName() {
        return config.name();
    }

    public List<BoundMetric> metrics() {
        return config.metrics();
    }

    public long decoderErrors() {
        return decoderErrors.get();
    }

    public long readErrors() {
        return readErrors.get();
    }

    public double lastScrapeSeconds() {
        return lastScrapeSeconds;
    }

    /** Series folded into "other" by the series limit, per metric, summed over scrapes. */
    public Map<String, Long> foldedSeries() {
        Map<String, Long> out = new TreeMap<>();
        foldedSeries.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** Times this config was actually read from the kernel (scrapes that came together share one). */
    public long collections() {
        return collections.get();
    }

    /** Entries seen in each map at the last scrape: map fill without another walk. */
    public Map<String, Integer> lastEntries() {
        return Map.copyOf(lastEntries);
    }

    @Override
    public List<MetricFamilySamples> collect() {
        long start = System.nanoTime();
        collections.incrementAndGet();
        Map<String, MapData> reads = new HashMap<>();
        List<MetricFamilySamples> out = new ArrayList<>();
        for (BoundMetric m : config.metrics()) {
            try {
                out.add(m.spec().kind() == MetricKind.HISTOGRAM ? histogram(m, reads) : plain(m, reads));
            } catch (RuntimeException e) {
                readErrors.incrementAndGet();
                LOG.log(Level.WARNING, "config " + config.name() + ", metric " + m.spec().name() + ": " + e.getMessage());
                out.add(emptyFamily(m));
            }
        }
        lastScrapeSeconds = (System.nanoTime() - start) / 1e9;
        return out;
    }

    @Override
    public List<MetricFamilySamples> describe() {
        return config.metrics().stream().map(this::emptyFamily).toList();
    }

    private MetricFamilySamples plain(BoundMetric m, Map<String, MapData> reads) {
        Map<List<String>, Double> series = new LinkedHashMap<>();
        if (m.spec().fromPerfEvents()) {
            series.putAll(tallies.get(m).snapshot());
        } else if (m.fromIterator()) {
            byte[] out = source.runIterator(m.source());
            for (int base = 0; base + m.recordSize() <= out.length; base += m.recordSize()) {
                List<String> labels = labels(m, out, base);
                if (labels != null) {
                    series.merge(labels, m.value().read(out, base), Double::sum);
                }
            }
        } else {
            MapData data = read(m.source(), reads);
            for (BpfMap.Entry e : data.entries()) {
                // Checked before the labels are decoded, so the idle indexes of
                // an array cost no decoding.
                if (m.spec().skipZeros() && value(m, data, e.value()) == 0) {
                    continue;
                }
                List<String> labels = labels(m, e.key(), 0);
                if (labels == null) {
                    continue;
                }
                if (m.splitByCpu()) {
                    for (int cpu = 0; cpu < data.cpus(); cpu++) {
                        String cpuLabel = cpuLabel(m, cpu);
                        if (cpuLabel == null) {
                            continue;
                        }
                        List<String> withCpu = new ArrayList<>(labels);
                        withCpu.add(cpuLabel);
                        series.merge(withCpu, m.value().read(e.value(), cpu * data.valueStride()), Double::sum);
                    }
                } else {
                    // Rows whose decoded labels collide are summed, never emitted twice.
                    series.merge(labels, value(m, data, e.value()), Double::sum);
                }
            }
        }
        series = fold(m, series, v -> v, Double::sum);
        String name = namespace + "_" + m.spec().name();
        if (m.spec().kind() == MetricKind.COUNTER) {
            CounterMetricFamily f = new CounterMetricFamily(name, m.spec().help(), m.labelNames());
            series.forEach(f::addMetric);
            return f;
        }
        GaugeMetricFamily f = new GaugeMetricFamily(name, m.spec().help(), m.labelNames());
        series.forEach(f::addMetric);
        return f;
    }

    private MetricFamilySamples histogram(BoundMetric m, Map<String, MapData> reads) {
        MapData data = read(m.source(), reads);
        HistogramSpec h = m.spec().histogram();
        Map<List<String>, Map<Long, Double>> byLabels = new LinkedHashMap<>();
        for (BpfMap.Entry e : data.entries()) {
            List<String> labels = labels(m, e.key(), 0);
            if (labels == null) {
                continue;
            }
            long bucket = unsigned(e.key(), m.bucket());
            byLabels.computeIfAbsent(labels, k -> new TreeMap<>())
                    .merge(bucket, value(m, data, e.value()), Double::sum);
        }
        byLabels = fold(m, byLabels, b -> b.values().stream().mapToDouble(Double::doubleValue).sum(), (a, b) -> {
            Map<Long, Double> merged = new TreeMap<>(a);
            b.forEach((k, v) -> merged.merge(k, v, Double::sum));
            return merged;
        });
        String name = namespace + "_" + m.spec().name();
        List<String> labelNames = m.labelNames();
        List<String> bucketLabelNames = new ArrayList<>(labelNames);
        bucketLabelNames.add("le");
        List<MetricFamilySamples.Sample> samples = new ArrayList<>();
        byLabels.forEach((labels, buckets) -> {
            // Kernels only write buckets that saw events; Prometheus needs every
            // bucket every time, cumulative, so fill the gaps from the config.
            double cumulative = 0;
            for (long i : h.indexes()) {
                cumulative += buckets.getOrDefault(i, 0.0);
                List<String> withLe = new ArrayList<>(labels);
                withLe.add(GoFloat.format(h.upperBound(i)));
                samples.add(new MetricFamilySamples.Sample(name + "_bucket", bucketLabelNames, withLe, cumulative));
            }
            List<String> inf = new ArrayList<>(labels);
            inf.add("+Inf");
            samples.add(new MetricFamilySamples.Sample(name + "_bucket", bucketLabelNames, inf, cumulative));
            samples.add(new MetricFamilySamples.Sample(name + "_count", labelNames, labels, cumulative));
            double sum = buckets.getOrDefault(h.sumKey(), 0.0) * h.multiplier();
            samples.add(new MetricFamilySamples.Sample(name + "_sum", labelNames, labels, sum));
        });
        return new MetricFamilySamples(name, Type.HISTOGRAM, m.spec().help(), samples);
    }

    private <V> Map<List<String>, V> fold(BoundMetric m, Map<List<String>, V> series,
                                          java.util.function.ToDoubleFunction<V> size,
                                          java.util.function.BinaryOperator<V> merge) {
        if (m.labelNames().isEmpty()) {
            return series;
        }
        SeriesLimit.Folded<V> f = limit.apply(series, size, merge);
        if (f.folded() > 0) {
            foldedSeries.computeIfAbsent(m.spec().name(), k -> new AtomicLong()).addAndGet(f.folded());
        }
        return f.series();
    }

    /** Decoded labels, or null to skip this entry (regexp miss or decoder error, counted). */
    private List<String> labels(BoundMetric m, byte[] bytes, int base) {
        try {
            List<String> labels = labelDecoders.get(m).decode(bytes, base);
            return labels == LabelCache.SKIP ? null : labels;
        } catch (DecoderException e) {
            decoderErrors.incrementAndGet();
            LOG.fine(() -> "config " + config.name() + ", metric " + m.spec().name() + ": " + e.getMessage());
            return null;
        }
    }

    /** The cpu label of one CPU's value, or null to skip it (decoder miss or error, counted). */
    private String cpuLabel(BoundMetric m, int cpu) {
        try {
            return labelDecoders.get(m).cpu(cpu);
        } catch (DecoderException e) {
            decoderErrors.incrementAndGet();
            LOG.fine(() -> "config " + config.name() + ", metric " + m.spec().name() + ", cpu " + cpu + ": "
                    + e.getMessage());
            return null;
        }
    }

    private MapData read(String mapName, Map<String, MapData> reads) {
        return reads.computeIfAbsent(mapName, n -> {
            MapData d = source.readMap(n);
            lastEntries.put(n, d.entries().size());
            return d;
        });
    }

    private static double value(BoundMetric m, MapData data, byte[] value) {
        if (!data.perCpu()) {
            return m.value().read(value, 0);
        }
        double sum = 0;
        for (int cpu = 0; cpu < data.cpus(); cpu++) {
            sum += m.value().read(value, cpu * data.valueStride());
        }
        return sum;
    }

    private static long unsigned(byte[] key, LabelSlice slice) {
        ByteBuffer b = ByteBuffer.wrap(key).order(ByteOrder.nativeOrder());
        switch (slice.size()) {
            case 1: return b.get(slice.offset()) & 0xffL;
            case 2: return b.getShort(slice.offset()) & 0xffffL;
            case 4: return b.getInt(slice.offset()) & 0xffffffffL;
            default: return b.getLong(slice.offset());
        }
    }

    private MetricFamilySamples emptyFamily(BoundMetric m) {
        String name = namespace + "_" + m.spec().name();
        switch (m.spec().kind()) {
            case COUNTER:
                return new CounterMetricFamily(name, m.spec().help(), m.labelNames());
            case GAUGE:
                return new GaugeMetricFamily(name, m.spec().help(), m.labelNames());
            default:
                return new MetricFamilySamples(name, Type.HISTOGRAM, m.spec().help(), List.of());
        }
    }
}
