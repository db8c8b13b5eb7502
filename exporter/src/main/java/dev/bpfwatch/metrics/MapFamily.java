package dev.bpfwatch.metrics;

import dev.bpfwatch.config.ValueSlice;
import dev.bpfwatch.decode.DecoderException;
import dev.bpfwatch.libbpf.PackedEntries;
import io.prometheus.client.Collector;
import io.prometheus.client.Collector.Type;
import io.prometheus.client.Predicate;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.AbstractSequentialList;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;

/**
 * A counter or gauge family of one large map, kept as the map was read (two
 * arrays) instead of a Sample object per series: the exposition fast path.
 * {@link #writeSamples} writes its sample lines straight from those arrays,
 * with each key's label text from a cache; the HTTP handler calls it, so a
 * million series cost a few kilobytes of buffer, not a few hundred bytes
 * each. Everything else that reads a registry (simpleclient's writers,
 * {@code getSampleValue}) sees ordinary samples, made one at a time as it
 * iterates.
 *
 * <p>Only for maps whose series cannot collide (every key byte belongs to a
 * label, decoded one-to-one) and that the series limit does not fold:
 * ConfigCollector decides.
 */
public final class MapFamily extends Collector.MetricFamilySamples {
    private static final int BUFFER = 64 * 1024;
    /**
     * simpleclient's constructor copies a counter's samples into a list of
     * its own (to rename them _total), which would make every series an
     * object after all; the lazy list is put in place after construction.
     */
    private static final SamplesField SAMPLES = new SamplesField();
    private static final byte[] CPU = ",cpu=\"".getBytes(StandardCharsets.US_ASCII);

    private final String sampleName;
    private final List<String> labelNames;
    private final MapData data;
    private final ValueSlice value;
    private final boolean splitByCpu;
    private final boolean skipZeros;
    private final LabelText text;
    private final LabelDecoder decoder;
    private final boolean cache;
    private final IntConsumer decoderErrors;
    private final AtomicBoolean errorsCounted = new AtomicBoolean();
    /** Counters of maps whose keys leave: the values to export ({@link KeyCarry}), entry by entry, CPU by CPU. */
    private final double[] carried;

    MapFamily(String name, Type type, String help, List<String> labelNames, MapData data, ValueSlice value,
              boolean splitByCpu, boolean skipZeros, LabelText text, LabelDecoder decoder,
              IntConsumer decoderErrors) {
        this(name, type, help, labelNames, data, value, splitByCpu, skipZeros, text, decoder, decoderErrors, null);
    }

    /** @param carried the values to export in place of the map's ({@link #carriedValues}), or null */
    MapFamily(String name, Type type, String help, List<String> labelNames, MapData data, ValueSlice value,
              boolean splitByCpu, boolean skipZeros, LabelText text, LabelDecoder decoder,
              IntConsumer decoderErrors, double[] carried) {
        super(name, type, help, List.of());
        // this.name, not name: simpleclient drops a counter's "_total" from the family name.
        this.sampleName = type == Type.COUNTER ? this.name + "_total" : this.name;
        this.labelNames = List.copyOf(labelNames);
        this.data = data;
        this.value = value;
        this.splitByCpu = splitByCpu;
        this.skipZeros = skipZeros;
        this.text = text;
        this.decoder = decoder;
        this.cache = text.caches(data.count());
        this.decoderErrors = decoderErrors;
        this.carried = carried;
        Series series = new Series();
        series.family = this;
        SAMPLES.set(this, series);
    }

    /**
     * Taken for each scrape that will write this family ({@code times} of them share one
     * collection); each lets go with {@link #release} once its response is written, and the
     * last one hands the map's arrays back for its next read.
     */
    public void hold(int times) {
        data.lease().hold(times);
    }

    /** This scrape wrote the family, or never will: see {@link #hold}. */
    public void release() {
        data.lease().release();
    }

    /** The family's name, type and help with no samples: what the exposition writers print as its header. */
    public Collector.MetricFamilySamples header() {
        return new Collector.MetricFamilySamples(name, unit, type, help, List.of());
    }

    /**
     * Writes every sample line, as simpleclient's text 0.0.4 or OpenMetrics
     * writer would for the same samples, to {@code out}.
     */
    public void writeSamples(OutputStream out, boolean openMetrics) throws IOException {
        ExpositionBuffer b = new ExpositionBuffer(out, BUFFER);
        byte[] prefix = (sampleName + "{").getBytes(StandardCharsets.UTF_8);
        byte[] close = (openMetrics ? "} " : ",} ").getBytes(StandardCharsets.US_ASCII);
        PackedEntries p = data.packed();
        byte[] keys = p.keys();
        byte[] values = p.values();
        int errors = 0;
        try {
            for (int i = 0; i < p.count(); i++) {
                int valueAt = p.valueOffset(i);
                if (skipZeros && total(i, values, valueAt) == 0) {
                    continue;
                }
                byte[] labels = null;
                if (!text.direct()) {
                    try {
                        labels = text.text(keys, p.keyOffset(i), cache);
                    } catch (DecoderException e) {
                        errors++;
                        continue;
                    }
                    if (labels == LabelText.SKIP) {
                        continue;
                    }
                }
                int lines = splitByCpu ? data.cpus() : 1;
                for (int cpu = 0; cpu < lines; cpu++) {
                    b.put(prefix);
                    if (labels != null) {
                        b.put(labels);
                    } else {
                        text.writeDirect(b, keys, p.keyOffset(i));
                    }
                    if (splitByCpu) {
                        b.put(CPU);
                        b.putLong(cpu);
                        b.put((byte) '"');
                    }
                    b.put(close);
                    b.putValue(splitByCpu ? cpuValue(i, cpu, values, valueAt) : total(i, values, valueAt));
                    b.put((byte) '\n');
                }
            }
            b.drain();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        countErrorsOnce(errors);
    }

    /**
     * The exact number of bytes {@link #writeSamples} writes, or -1 where labels come from
     * decoders (their text is not known without decoding it). Counting is cheap next to
     * writing: it lets the HTTP handler send a Content-Length, which spares a large scrape
     * the JDK server's 4 KiB chunks (one socket write each: 1,500 a scrape at 100k series).
     */
    public long sampleBytes(boolean openMetrics) {
        if (!text.direct()) {
            return -1;
        }
        int prefix = (sampleName + "{").getBytes(StandardCharsets.UTF_8).length;
        int close = openMetrics ? 2 : 3;
        PackedEntries p = data.packed();
        long total = 0;
        for (int i = 0; i < p.count(); i++) {
            int valueAt = p.valueOffset(i);
            double sum = total(i, p.values(), valueAt);
            if (skipZeros && sum == 0) {
                continue;
            }
            int labels = text.directLength(p.keys(), p.keyOffset(i));
            if (!splitByCpu) {
                total += prefix + labels + close + ExpositionBuffer.valueLength(sum) + 1;
                continue;
            }
            for (int cpu = 0; cpu < data.cpus(); cpu++) {
                double v = cpuValue(i, cpu, p.values(), valueAt);
                total += prefix + labels + CPU.length + ExpositionBuffer.decimalLength(cpu) + 1 + close
                        + ExpositionBuffer.valueLength(v) + 1;
            }
        }
        return total;
    }

    /**
     * What entry i's values are, per CPU, as the map holds them: one per CPU
     * when split by CPU, else the sum. {@link KeyCarry} replaces these.
     */
    static double[] mapValues(MapData data, ValueSlice value, boolean splitByCpu) {
        PackedEntries p = data.packed();
        int lines = splitByCpu ? data.cpus() : 1;
        double[] out = new double[p.count() * lines];
        for (int i = 0; i < p.count(); i++) {
            int at = p.valueOffset(i);
            if (!splitByCpu) {
                double sum = 0;
                for (int cpu = 0; cpu < (data.perCpu() ? data.cpus() : 1); cpu++) {
                    sum += value.read(p.values(), at + cpu * data.valueStride());
                }
                out[i] = sum;
            } else {
                for (int cpu = 0; cpu < lines; cpu++) {
                    out[i * lines + cpu] = value.read(p.values(), at + cpu * data.valueStride());
                }
            }
        }
        return out;
    }

    private double total(int entry, byte[] values, int at) {
        if (carried == null) {
            return sum(values, at);
        }
        if (!splitByCpu) {
            return carried[entry];
        }
        double sum = 0;
        for (int cpu = 0; cpu < data.cpus(); cpu++) {
            sum += carried[entry * data.cpus() + cpu];
        }
        return sum;
    }

    private double cpuValue(int entry, int cpu, byte[] values, int at) {
        return carried != null ? carried[entry * data.cpus() + cpu] : value.read(values, at + cpu * data.valueStride());
    }

    /** The series' value: per-CPU maps summed over CPUs, as the sample path does. */
    private double sum(byte[] values, int at) {
        if (!data.perCpu()) {
            return value.read(values, at);
        }
        double sum = 0;
        for (int cpu = 0; cpu < data.cpus(); cpu++) {
            sum += value.read(values, at + cpu * data.valueStride());
        }
        return sum;
    }

    // Concurrent scrapes share one family (one read); its decoder errors count once.
    private void countErrorsOnce(int errors) {
        if (errorsCounted.compareAndSet(false, true) && errors > 0) {
            decoderErrors.accept(errors);
        }
    }

    /** All samples share one name: the family stays whole or goes (a name[] query). */
    @Override
    public Collector.MetricFamilySamples filter(Predicate<String> sampleNameFilter) {
        if (sampleNameFilter == null) {
            return this;
        }
        return sampleNameFilter.test(sampleName) && !samples.isEmpty() ? this : null;
    }

    private static final class SamplesField {
        private final java.lang.reflect.Field field;

        SamplesField() {
            try {
                field = Collector.MetricFamilySamples.class.getField("samples");
                field.setAccessible(true);
            } catch (NoSuchFieldException e) {
                throw new IllegalStateException("simpleclient without MetricFamilySamples.samples", e);
            }
        }

        void set(MapFamily family, List<Sample> samples) {
            try {
                field.set(family, samples);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("cannot set MetricFamilySamples.samples", e);
            }
        }
    }

    /** The samples, made one at a time while iterated (forward only). */
    private static final class Series extends AbstractSequentialList<Sample> {
        MapFamily family;
        private int size = -1;

        @Override
        public int size() {
            if (size < 0) {
                int n = 0;
                for (ListIterator<Sample> it = listIterator(0); it.hasNext(); it.next()) {
                    n++;
                }
                size = n;
            }
            return size;
        }

        @Override
        public boolean isEmpty() {
            return !listIterator(0).hasNext();
        }

        @Override
        public ListIterator<Sample> listIterator(int index) {
            SampleIterator it = new SampleIterator(family);
            for (int i = 0; i < index; i++) {
                it.next();
            }
            return it;
        }
    }

    private static final class SampleIterator implements ListIterator<Sample> {
        private final MapFamily f;
        private final PackedEntries p;
        private int entry = -1;
        private int cpu;
        private List<String> labels;
        private int index;
        private int errors;
        private Sample next;

        SampleIterator(MapFamily f) {
            this.f = f;
            this.p = f.data.packed();
            this.cpu = Integer.MAX_VALUE;
            advance();
        }

        private void advance() {
            int cpus = f.splitByCpu ? f.data.cpus() : 1;
            if (labels != null && cpu + 1 < cpus) {
                cpu++;
                next = sample();
                return;
            }
            while (++entry < p.count()) {
                int at = p.valueOffset(entry);
                if (f.skipZeros && f.total(entry, p.values(), at) == 0) {
                    continue;
                }
                try {
                    List<String> l = f.decoder.decode(p.keys(), p.keyOffset(entry));
                    if (l == LabelCache.SKIP) {
                        continue;
                    }
                    labels = l;
                } catch (DecoderException e) {
                    errors++;
                    continue;
                }
                cpu = 0;
                next = sample();
                return;
            }
            next = null;
            f.countErrorsOnce(errors);
        }

        private Sample sample() {
            int at = p.valueOffset(entry);
            if (!f.splitByCpu) {
                return new Sample(f.sampleName, f.labelNames, labels, f.total(entry, p.values(), at));
            }
            List<String> withCpu = new ArrayList<>(labels);
            withCpu.add(Integer.toString(cpu));
            return new Sample(f.sampleName, f.labelNames, withCpu, f.cpuValue(entry, cpu, p.values(), at));
        }

        @Override
        public boolean hasNext() {
            return next != null;
        }

        @Override
        public Sample next() {
            if (next == null) {
                throw new NoSuchElementException();
            }
            Sample s = next;
            index++;
            advance();
            return s;
        }

        @Override
        public int nextIndex() {
            return index;
        }

        @Override
        public boolean hasPrevious() {
            return false;
        }

        @Override
        public Sample previous() {
            throw new UnsupportedOperationException("forward only");
        }

        @Override
        public int previousIndex() {
            return index - 1;
        }

        @Override
        public void remove() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void set(Sample sample) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void add(Sample sample) {
            throw new UnsupportedOperationException();
        }
    }
}
