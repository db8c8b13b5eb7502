package dev.bpfwatch.metrics;

import dev.bpfwatch.config.BoundConfig;
import dev.bpfwatch.config.BoundMetric;
import dev.bpfwatch.config.HistogramSpec;
import dev.bpfwatch.config.LabelSlice;
import dev.bpfwatch.config.MetricKind;
import dev.bpfwatch.decode.DecoderException;
import dev.bpfwatch.decode.Decoders;
import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.libbpf.PackedEntries;
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
    /**
     * Maps with at least this many series (entries, times CPUs where split
     * by CPU) take the exposition fast path ({@link MapFamily}) when their
     * series cannot collide; smaller ones stay on sample objects, where
     * they cost little.
     */
    public static final int FAST_PATH_MIN_SERIES = 1000;
    /** Decoders that map distinct fixed-size inputs to distinct text: series decoded by them cannot collide. */
    private static final java.util.Set<String> ONE_TO_ONE_DECODERS = java.util.Set.of("uint", "hex", "port");

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
    private final Map<BoundMetric, LabelText> labelTexts = new IdentityHashMap<>();
    private final int fastPathMinSeries;
    private final Map<BoundMetric, CounterFold> counterFolds = new IdentityHashMap<>();
    private final java.util.Set<String> tooLargeWarned = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Histograms' state: per label set, every bucket, the sum and the count carried as counters are. */
    private final Map<BoundMetric, CounterFold> histogramFolds = new IdentityHashMap<>();

    public ConfigCollector(BoundConfig config, String namespace, SampleSource source, Decoders decoders,
                           int maxSeries) {
        this(config, namespace, source, decoders, new CounterFolds(maxSeries), FAST_PATH_MIN_SERIES);
    }

    /** @param folds where counters keep their series-limit state: the agent's, so it outlives a reload */
    public ConfigCollector(BoundConfig config, String namespace, SampleSource source, Decoders decoders,
                           CounterFolds folds) {
        this(config, namespace, source, decoders, folds, FAST_PATH_MIN_SERIES);
    }

    /** @param fastPathMinSeries where {@link MapFamily} takes over; tests move it to compare both paths */
    public ConfigCollector(BoundConfig config, String namespace, SampleSource source, Decoders decoders,
                           int maxSeries, int fastPathMinSeries) {
        this(config, namespace, source, decoders, new CounterFolds(maxSeries), fastPathMinSeries);
    }

    private ConfigCollector(BoundConfig config, String namespace, SampleSource source, Decoders decoders,
                            CounterFolds folds, int fastPathMinSeries) {
        int maxSeries = folds.maxSeries();
        this.fastPathMinSeries = fastPathMinSeries;
        this.config = config;
        this.namespace = namespace;
        this.source = source;
        this.limit = new SeriesLimit(maxSeries);
        for (BoundMetric m : config.metrics()) {
            LabelDecoder decoder = new LabelDecoder(m.labels(), m.cpuDecoders(), decoders, LABEL_CACHE_SIZE);
            labelDecoders.put(m, decoder);
            boolean allUint = m.labels().stream().allMatch(s -> s.decoders().size() == 1
                    && s.decoders().get(0).name().equals("uint") && java.util.Set.of(1, 2, 4, 8).contains(s.size()));
            labelTexts.put(m, new LabelText(decoder, m.labels().stream().map(LabelSlice::name).toList(),
                    LABEL_CACHE_SIZE, allUint && !m.labels().isEmpty() ? m.labels() : null));
            if (m.spec().fromPerfEvents()) {
                tallies.put(m, new EventTally(m.spec().perfEvents().flushInterval(), System::nanoTime, maxSeries));
            }
            if (m.spec().kind() == MetricKind.COUNTER && !m.labelNames().isEmpty()) {
                counterFolds.put(m, folds.of(config.name(), m.spec().name(), m.labelNames(), m.source()));
            }
            if (m.spec().kind() == MetricKind.HISTOGRAM) {
                // Columns: one per bucket, then the sum, then the count (what ranks label sets).
                int width = m.spec().histogram().indexes().size() + 2;
                histogramFolds.put(m, folds.of(config.name() + "\0" + m.spec().name() + "\0"
                        + String.join(",", m.labelNames()) + "\0" + m.source() + "\0histogram", maxSeries, width,
                        width - 1));
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
            CounterFold counter = counterFolds.get(m);
            int cpus = m.splitByCpu() ? data.cpus() : 1;
            // A counter of a map whose keys leave is carried key by key (KeyCarry) on the fast
            // path, at any size: were small reads to take the sample path, the two paths' states
            // would disagree and a series could drop when the map crossed the threshold.
            boolean evicted = counter != null && data.keysLeave() && oneToOne(m, data);
            boolean carried = evicted && KeyCarry.fits(data.count(), data.packed().keySize(), cpus);
            if (evicted && !carried) {
                tooLargeToCarry(m, data, counter);
            }
            // Once carried, a counter stays on the fast path when its map shrinks below the
            // threshold: two states (carry and fold) taking turns would disagree.
            if (fastPath(m, data) || (carried && counter.carried())) {
                if (counter == null) {
                    return fastFamily(m, data);
                }
                // A counter keeps the fast path only while it fits whole and never folded: once it
                // folds, every scrape goes through its fold state (see CounterFold), or "other" could drop.
                if ((long) data.count() * cpus <= limit.max() && !counter.everFolded()) {
                    return carried ? carriedFamily(m, data, counter) : mapFamily(m, data);
                }
            }
            KeyCarry handOver = counter != null ? counter.endCarry() : null;
            double[] carriedValues = null;
            if (handOver != null && carried) {
                // The fold's first scrape starts from the carried values, so no series drops.
                carriedValues = MapFamily.mapValues(data, m.value(), m.splitByCpu());
                handOver.apply(data.packed(), carriedValues);
            }
            int entry = -1;
            for (BpfMap.Entry e : data.entries()) {
                entry++;
                // Checked before the labels are decoded, so the idle indexes of
                // an array cost no decoding.
                if (carriedValues == null && m.spec().skipZeros() && value(m, data, e.value()) == 0) {
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
                        series.merge(withCpu, carriedValues != null ? carriedValues[entry * data.cpus() + cpu]
                                : m.value().read(e.value(), cpu * data.valueStride()), Double::sum);
                    }
                } else {
                    // Rows whose decoded labels collide are summed, never emitted twice.
                    series.merge(labels, carriedValues != null ? carriedValues[entry] : value(m, data, e.value()),
                            Double::sum);
                }
            }
        }
        CounterFold counter = counterFolds.get(m);
        if (counter == null) {
            series = fold(m, series, v -> v, Double::sum);
        } else {
            series = counter.apply(series, m.labelNames().size());
            if (counter.foldedNow() > 0) {
                foldedSeries.computeIfAbsent(m.spec().name(), k -> new AtomicLong()).addAndGet(counter.foldedNow());
            }
        }
        return family(m, series);
    }

    /**
     * Each map-backed metric's entries as read now, in ebpf_exporter's /maps
     * form: a per-CPU map gives one row per CPU (its key with the CPU as a
     * u16 appended when the last label is {@code cpu}); a histogram's last
     * label is its bucket index. Entries that decode to no label set are left
     * out. Perf-event and iterator metrics have no map to show.
     */
    public Map<String, List<RawRow>> rawRows() {
        Map<String, List<RawRow>> out = new LinkedHashMap<>();
        Map<String, MapData> reads = new HashMap<>();
        for (BoundMetric m : config.metrics()) {
            if (m.spec().fromPerfEvents() || m.fromIterator()) {
                continue;
            }
            MapData data = read(m.source(), reads);
            List<RawRow> rows = new ArrayList<>();
            for (BpfMap.Entry e : data.entries()) {
                List<String> labels = labels(m, e.key(), 0);
                if (labels == null) {
                    continue;
                }
                if (m.spec().kind() == MetricKind.HISTOGRAM) {
                    labels = new ArrayList<>(labels);
                    labels.add(Long.toString(unsigned(e.key(), m.bucket())));
                }
                if (!data.perCpu()) {
                    rows.add(new RawRow(e.key(), labels, m.value().read(e.value(), 0)));
                    continue;
                }
                for (int cpu = 0; cpu < data.cpus(); cpu++) {
                    double v = m.value().read(e.value(), cpu * data.valueStride());
                    if (!m.splitByCpu()) {
                        rows.add(new RawRow(e.key(), labels, v));
                        continue;
                    }
                    String cpuLabel = cpuLabel(m, cpu);
                    if (cpuLabel == null) {
                        continue;
                    }
                    byte[] key = java.util.Arrays.copyOf(e.key(), e.key().length + 2);
                    ByteBuffer.wrap(key).order(ByteOrder.nativeOrder()).putShort(e.key().length, (short) cpu);
                    List<String> withCpu = new ArrayList<>(labels);
                    withCpu.add(cpuLabel);
                    rows.add(new RawRow(key, withCpu, v));
                }
            }
            out.put(m.spec().name(), rows);
        }
        return out;
    }

    /**
     * A histogram's buckets, sum and count per label set, each carried as a
     * counter (sticky series limit, what leaves the map remembered:
     * {@link CounterFold}), so no _bucket, _count or _sum series goes down
     * when keys are evicted or label sets fold into "other".
     */
    private MetricFamilySamples histogram(BoundMetric m, Map<String, MapData> reads) {
        MapData data = read(m.source(), reads);
        HistogramSpec h = m.spec().histogram();
        List<Long> indexes = h.indexes();
        Map<Long, Integer> columnOf = new HashMap<>();
        for (int i = 0; i < indexes.size(); i++) {
            columnOf.put(indexes.get(i), i);
        }
        int sumColumn = indexes.size();
        int countColumn = indexes.size() + 1;
        long sumKey = h.sumKey();
        Map<List<String>, double[]> byLabels = new LinkedHashMap<>();
        for (BpfMap.Entry e : data.entries()) {
            long bucket = unsigned(e.key(), m.bucket());
            Integer column = bucket == sumKey ? Integer.valueOf(sumColumn) : columnOf.get(bucket);
            if (column == null) {
                continue; // a key outside the configured buckets is never shown
            }
            List<String> labels = labels(m, e.key(), 0);
            if (labels == null) {
                continue;
            }
            double v = value(m, data, e.value());
            double[] row = byLabels.computeIfAbsent(labels, k -> new double[countColumn + 1]);
            row[column] += v;
            if (column != sumColumn) {
                row[countColumn] += v;
            }
        }
        CounterFold state = histogramFolds.get(m);
        Map<List<String>, double[]> carried = state.applyWide(byLabels, m.labelNames().size());
        if (!m.labelNames().isEmpty() && state.foldedNow() > 0) {
            foldedSeries.computeIfAbsent(m.spec().name(), k -> new AtomicLong()).addAndGet(state.foldedNow());
        }
        String name = namespace + "_" + m.spec().name();
        List<String> labelNames = m.labelNames();
        List<String> bucketLabelNames = new ArrayList<>(labelNames);
        bucketLabelNames.add("le");
        List<MetricFamilySamples.Sample> samples = new ArrayList<>();
        carried.forEach((labels, row) -> {
            // Kernels only write buckets that saw events; Prometheus needs every
            // bucket every time, cumulative, so fill the gaps from the config.
            double cumulative = 0;
            for (int i = 0; i < indexes.size(); i++) {
                cumulative += row[i];
                List<String> withLe = new ArrayList<>(labels);
                withLe.add(GoFloat.format(h.upperBound(indexes.get(i))));
                samples.add(new MetricFamilySamples.Sample(name + "_bucket", bucketLabelNames, withLe, cumulative));
            }
            List<String> inf = new ArrayList<>(labels);
            inf.add("+Inf");
            samples.add(new MetricFamilySamples.Sample(name + "_bucket", bucketLabelNames, inf, cumulative));
            samples.add(new MetricFamilySamples.Sample(name + "_count", labelNames, labels, cumulative));
            samples.add(new MetricFamilySamples.Sample(name + "_sum", labelNames, labels,
                    row[sumColumn] * h.multiplier()));
        });
        return new MetricFamilySamples(name, Type.HISTOGRAM, m.spec().help(), samples);
    }

    /**
     * Whether a map metric can skip sample objects: large, and no two of its
     * entries can decode to the same labels (every key byte sits in exactly
     * one label, each decoded one-to-one), so no rows need summing.
     */
    private boolean fastPath(BoundMetric m, MapData data) {
        int cpus = m.splitByCpu() ? data.cpus() : 1;
        return (long) data.count() * cpus >= fastPathMinSeries && oneToOne(m, data);
    }

    /** Every key byte sits in exactly one label, each decoded one-to-one: one series per key. */
    private static boolean oneToOne(BoundMetric m, MapData data) {
        if (m.labels().isEmpty()) {
            return false;
        }
        boolean[] covered = new boolean[data.packed().keySize()];
        for (LabelSlice s : m.labels()) {
            if (s.decoders().size() != 1 || !ONE_TO_ONE_DECODERS.contains(s.decoders().get(0).name())
                    || s.offset() + s.size() > covered.length) {
                return false;
            }
            for (int i = s.offset(); i < s.offset() + s.size(); i++) {
                if (covered[i]) {
                    return false;
                }
                covered[i] = true;
            }
        }
        for (boolean c : covered) {
            if (!c) {
                return false;
            }
        }
        return true;
    }

    private MetricFamilySamples fastFamily(BoundMetric m, MapData data) {
        int cpus = m.splitByCpu() ? data.cpus() : 1;
        if ((long) data.count() * cpus > limit.max()) {
            MetricFamilySamples folded = foldLarge(m, data);
            if (folded != null) {
                return folded;
            }
        }
        return mapFamily(m, data);
    }

    /**
     * An LRU map with more keys than the heap can carry (a 64 MB heap: about
     * 300,000 u64 keys): its counters are exported as read, an evicted key
     * that comes back starts again. Said once per metric; the carry is let go.
     */
    private void tooLargeToCarry(BoundMetric m, MapData data, CounterFold counter) {
        counter.endCarry();
        if (tooLargeWarned.add(m.spec().name())) {
            LOG.warning("config " + config.name() + ", metric " + m.spec().name() + ": " + data.count()
                    + " keys, more than this heap can carry key by key: exported as read, so a key the kernel "
                    + "evicts and makes again starts from 0 (raise the heap with BPFWATCH_JAVA_OPTS=-XX:MaxRAM=...)");
        }
    }

    /** The fast path for a counter whose keys can leave its map: every key's series carried ({@link KeyCarry}). */
    private MapFamily carriedFamily(BoundMetric m, MapData data, CounterFold counter) {
        int lines = m.splitByCpu() ? data.cpus() : 1;
        double[] values = MapFamily.mapValues(data, m.value(), m.splitByCpu());
        boolean fresh = !counter.carried();
        KeyCarry carry = counter.carry(data.packed().keySize(), lines);
        if (fresh && counter.hasOwn()) {
            seed(m, data, counter, carry);
        }
        carry.apply(data.packed(), values);
        return new MapFamily(namespace + "_" + m.spec().name(), Type.COUNTER, m.spec().help(), m.labelNames(), data,
                m.value(), m.splitByCpu(), m.spec().skipZeros(), labelTexts.get(m), labelDecoders.get(m),
                decoderErrors::addAndGet, values);
    }

    /**
     * A counter that the sample path exported until now (its map was
     * smaller) starts its carry from what that path showed, key by key, so
     * no series drops at the switch. Decodes every key once.
     */
    private void seed(BoundMetric m, MapData data, CounterFold counter, KeyCarry carry) {
        PackedEntries p = data.packed();
        LabelDecoder decoder = labelDecoders.get(m);
        for (int e = 0; e < p.count(); e++) {
            List<String> labels;
            try {
                labels = decoder.decode(p.keys(), p.keyOffset(e));
            } catch (DecoderException ex) {
                continue;
            }
            if (labels == LabelCache.SKIP) {
                continue;
            }
            for (int cpu = 0; cpu < (m.splitByCpu() ? data.cpus() : 1); cpu++) {
                List<String> series = labels;
                if (m.splitByCpu()) {
                    series = new ArrayList<>(labels);
                    series.add(cpuLabel(m, cpu));
                }
                double exported = counter.exported(series);
                if (exported >= 0) {
                    carry.seed(p, e, cpu, exported);
                }
            }
        }
    }

    private MapFamily mapFamily(BoundMetric m, MapData data) {
        Type type = m.spec().kind() == MetricKind.COUNTER ? Type.COUNTER : Type.GAUGE;
        return new MapFamily(namespace + "_" + m.spec().name(), type, m.spec().help(), m.labelNames(), data,
                m.value(), m.splitByCpu(), m.spec().skipZeros(), labelTexts.get(m), labelDecoders.get(m),
                decoderErrors::addAndGet);
    }

    /**
     * The series limit on a large map without a sample object per series:
     * values in one array, the kept series (largest first, as
     * {@link SeriesLimit} orders them) made into samples, the rest summed
     * into "other". Null when, after skipped entries, nothing needs folding.
     */
    private MetricFamilySamples foldLarge(BoundMetric m, MapData data) {
        PackedEntries p = data.packed();
        LabelText text = labelTexts.get(m);
        boolean cache = text.caches(p.count());
        int cpus = m.splitByCpu() ? data.cpus() : 1;
        int capacity = p.count() * cpus;
        double[] values = new double[capacity];
        int[] entryAt = new int[capacity];
        java.util.BitSet labelledOther = new java.util.BitSet();
        byte[] otherText = text.format(java.util.Collections.nCopies(m.labels().size(), SeriesLimit.OTHER));
        int n = 0;
        int errors = 0;
        for (int i = 0; i < p.count(); i++) {
            int at = p.valueOffset(i);
            double sum = value(m, data, p.values(), at);
            if (m.spec().skipZeros() && sum == 0) {
                continue;
            }
            byte[] labels;
            try {
                labels = text.text(p.keys(), p.keyOffset(i), cache);
            } catch (DecoderException e) {
                errors++;
                continue;
            }
            if (labels == LabelText.SKIP) {
                continue;
            }
            for (int cpu = 0; cpu < cpus; cpu++) {
                entryAt[n] = i;
                values[n] = m.splitByCpu() ? m.value().read(p.values(), at + cpu * data.valueStride()) : sum;
                // A split series carries a cpu number, never "other".
                if (!m.splitByCpu() && java.util.Arrays.equals(labels, otherText)) {
                    labelledOther.set(n);
                }
                n++;
            }
        }
        if (n <= limit.max()) {
            return null; // the MapFamily written next decodes again and counts the errors itself
        }
        decoderErrors.addAndGet(errors);
        int[] kept = SeriesLimit.largest(values, n, limit.max() - 1);
        LabelDecoder decoder = labelDecoders.get(m);
        Map<List<String>, Double> series = new LinkedHashMap<>();
        java.util.BitSet isKept = new java.util.BitSet(n);
        for (int s : kept) {
            if (labelledOther.get(s)) {
                continue;
            }
            isKept.set(s);
            int entry = entryAt[s];
            List<String> labels;
            try {
                labels = decoder.decode(p.keys(), p.keyOffset(entry));
            } catch (DecoderException e) {
                throw new IllegalStateException("label decoded once, failed the second time", e);
            }
            if (m.splitByCpu()) {
                int cpu = s - firstSeriesOf(entryAt, s);
                labels = new ArrayList<>(labels);
                labels.add(Integer.toString(cpu));
            }
            series.put(labels, values[s]);
        }
        // Summed largest first, as SeriesLimit sums them.
        double[] rest = new double[n - isKept.cardinality()];
        for (int s = 0, r = 0; s < n; s++) {
            if (!isKept.get(s)) {
                rest[r++] = values[s];
            }
        }
        java.util.Arrays.sort(rest);
        Double other = null;
        for (int r = rest.length - 1; r >= 0; r--) {
            other = other == null ? rest[r] : other + rest[r];
        }
        series.merge(java.util.Collections.nCopies(m.labelNames().size(), SeriesLimit.OTHER), other, Double::sum);
        foldedSeries.computeIfAbsent(m.spec().name(), k -> new AtomicLong()).addAndGet(rest.length);
        return family(m, series);
    }

    /** Series of one entry sit together (one per CPU): the first of the run that holds {@code s}. */
    private static int firstSeriesOf(int[] entryAt, int s) {
        int first = s;
        while (first > 0 && entryAt[first - 1] == entryAt[s]) {
            first--;
        }
        return first;
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
            lastEntries.put(n, d.count());
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

    private static double value(BoundMetric m, MapData data, byte[] values, int at) {
        if (!data.perCpu()) {
            return m.value().read(values, at);
        }
        double sum = 0;
        for (int cpu = 0; cpu < data.cpus(); cpu++) {
            sum += m.value().read(values, at + cpu * data.valueStride());
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

    /** A counter or gauge family of the metric's series (labels -> value). */
    private MetricFamilySamples family(BoundMetric m, Map<List<String>, Double> series) {
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
}
