package dev.bpfwatch.metrics;

import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;
import io.prometheus.client.Collector.Type;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps counters that live in replaceable objects from going down: a reload
 * builds new collectors and loads new programs, whose own counts (scrape
 * reads, decoder errors, kernel run counts) start again from zero. A counter
 * sample lower than the last one of its series is taken for such a restart
 * of its source, and the last value is carried as a base from then on.
 *
 * <p>Saved under the pin path and restored by the next run (see
 * {@link #save}), this carries the agent's own counters over restarts too.
 *
 * <p>Bound: one entry per counter series seen (configs, metrics and programs
 * ever loaded under this pin path: a handful of files' worth).
 */
public final class ResetCarry {
    private final Map<String, double[]> carried = new HashMap<>();

    /** Every series' base and last value, for {@link #restore} by the next run. */
    public synchronized byte[] save() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(carried.size());
            for (Map.Entry<String, double[]> e : carried.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeDouble(e.getValue()[0]);
                out.writeDouble(e.getValue()[1]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    /** Takes back what {@link #save} wrote, before the first scrape. */
    public synchronized void restore(byte[] saved) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(saved));
        Map<String, double[]> read = new HashMap<>();
        for (int i = in.readInt(); i > 0; i--) {
            read.put(in.readUTF(), new double[] {in.readDouble(), in.readDouble()});
        }
        carried.putAll(read);
    }

    /** The families with every counter sample raised by what its series counted before a reset. */
    public synchronized List<MetricFamilySamples> apply(List<MetricFamilySamples> families) {
        List<MetricFamilySamples> out = new ArrayList<>(families.size());
        for (MetricFamilySamples f : families) {
            if (f.type != Type.COUNTER) {
                out.add(f);
                continue;
            }
            List<Sample> samples = new ArrayList<>(f.samples.size());
            for (Sample s : f.samples) {
                double[] baseAndLast = carried.computeIfAbsent(s.name + s.labelNames + s.labelValues,
                        k -> new double[2]);
                if (s.value < baseAndLast[1]) {
                    baseAndLast[0] += baseAndLast[1];
                }
                baseAndLast[1] = s.value;
                samples.add(new Sample(s.name, s.labelNames, s.labelValues, baseAndLast[0] + s.value, s.exemplar,
                        s.timestampMs));
            }
            out.add(new MetricFamilySamples(f.name, f.unit, f.type, f.help, samples));
        }
        return out;
    }
}
