package dev.bpfwatch.metrics;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link CounterFold} of every counter metric, owned by the agent rather
 * than by a config's collector, so a reload that builds new collectors
 * carries on where the old ones stopped. A metric is found again by its
 * config, name, labels and source map: a reload that changes any of these
 * makes a new metric, with a fresh state.
 *
 * <p>Bound: one state per counter metric ever loaded in this run (configs
 * are a handful of files), each bounded as {@link CounterFold} says.
 */
public final class CounterFolds {
    private final Map<String, CounterFold> folds = new ConcurrentHashMap<>();
    private final int maxSeries;
    /** 3: each state may carry its per-key {@link KeyCarry}; 2 (read too) had none. */
    private static final int FORMAT = 3;

    public CounterFolds(int maxSeries) {
        this.maxSeries = maxSeries;
    }

    CounterFold of(String config, String metric, List<String> labelNames, String source) {
        return of(config + "\0" + metric + "\0" + String.join(",", labelNames) + "\0" + source, maxSeries, 1, 0);
    }

    /**
     * The state kept under {@code key} (a module's own naming), made fresh
     * when there is none or it was kept under another limit or shape (its
     * sticky set was sized for that).
     */
    public CounterFold of(String key, int max, int width, int rankBy) {
        return folds.compute(key, (k, old) -> old != null && old.max() == max && old.width() == width
                ? old : new CounterFold(max, width, rankBy));
    }

    /**
     * Every state, as bytes a restarted agent can {@link #restore}. Each
     * keeps its series limit: one found under another limit is replaced
     * when first asked for ({@link #of}).
     */
    public byte[] save() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(FORMAT);
            Map<String, CounterFold> copy = Map.copyOf(folds);
            out.writeInt(copy.size());
            for (Map.Entry<String, CounterFold> e : copy.entrySet()) {
                out.writeUTF(e.getKey());
                e.getValue().write(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    /**
     * Takes back the states of {@link #save}, before the first scrape.
     *
     * @return false when the bytes are of another format, and nothing was restored
     */
    public boolean restore(byte[] saved) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(saved));
        int format = in.readInt();
        if (format != FORMAT && format != 2) {
            return false;
        }
        Map<String, CounterFold> read = new java.util.HashMap<>();
        for (int i = in.readInt(); i > 0; i--) {
            String key = in.readUTF();
            read.put(key, CounterFold.read(in, format == FORMAT));
        }
        folds.putAll(read);
        return true;
    }

    public int maxSeries() {
        return maxSeries;
    }
}
