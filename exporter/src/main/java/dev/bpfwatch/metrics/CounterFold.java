package dev.bpfwatch.metrics;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The series limit for one counter metric, kept so that no exported series
 * ever goes down (Prometheus' rate() reads any decrease as a reset).
 *
 * <p>Membership is sticky: a label set that got its own series keeps it, and
 * only while fewer than {@code max - 1} have one is a new label set given
 * one (the largest first); every other label set is summed into the
 * all-"other" series for as long as it stays in the map. So the top set
 * never re-ranks, and nothing moves out of "other".
 *
 * <p>What leaves a map is remembered: when a label set's value goes down
 * (an LRU map evicted its key, a program deleted it, or some of the keys
 * decoding to it left), the amount that went is added to a base that the
 * series (or "other") keeps carrying. This never counts more than the map
 * held: a key evicted and re-inserted between two scrapes shows only what it
 * gained beyond its old value.
 *
 * <p>Memory: at most {@code max - 1} label sets with their own series (kept
 * for the life of the state, gone from the map or not), plus the label sets
 * folded into "other" that were in the map at the last scrape (forgotten
 * once they leave it, their value in the base). The latter is bounded by
 * the map's own max_entries.
 *
 * <p>A label set may carry several counters that fold together (a
 * destination's passed and dropped datagrams): values are arrays of one
 * width, ranked by one of them.
 */
public final class CounterFold {
    private final int max;
    private final int width;
    private final int rankBy;
    private final Map<List<String>, Track> own = new LinkedHashMap<>();
    private Map<List<String>, double[]> foldedLast = new HashMap<>();
    private final double[] otherBase;
    private boolean otherShown;
    private int foldedNow;
    /** Per-key state of a counter exported key by key (the fast path, before any folding); null until then. */
    private KeyCarry carry;

    /** One label set with its own series: the values last read and what has left the map before them. */
    static final class Track {
        final double[] base;
        final double[] last;

        Track(double[] base, double[] last) {
            this.base = base;
            this.last = last;
        }
    }

    /** One counter per label set. */
    public CounterFold(int max) {
        this(max, 1, 0);
    }

    /**
     * @param max    series a counter may have, "other" included: {@code max - 1} label sets keep their own
     * @param width  counters per label set
     * @param rankBy which of them decides who gets an own series when there is room
     */
    public CounterFold(int max, int width, int rankBy) {
        if (max < 1 || width < 1 || rankBy < 0 || rankBy >= width) {
            throw new IllegalArgumentException("series limit " + max + ", width " + width + ", rank by " + rankBy);
        }
        this.max = max;
        this.width = width;
        this.rankBy = rankBy;
        this.otherBase = new double[width];
    }

    int max() {
        return max;
    }

    int width() {
        return width;
    }

    /**
     * The series to export for this scrape's values (labels -> value as the
     * map holds it now). Every series it returns is at least what it
     * returned for the same labels before.
     */
    public Map<List<String>, Double> apply(Map<List<String>, Double> current, int labelCount) {
        Map<List<String>, double[]> wide = new LinkedHashMap<>();
        current.forEach((labels, v) -> wide.put(labels, new double[] {v}));
        Map<List<String>, Double> out = new LinkedHashMap<>();
        applyWide(wide, labelCount).forEach((labels, v) -> out.put(labels, v[0]));
        return out;
    }

    /** As {@link #apply}, for label sets that carry {@code width} counters each. */
    public synchronized Map<List<String>, double[]> applyWide(Map<List<String>, double[]> current, int labelCount) {
        List<String> otherLabels = Collections.nCopies(labelCount, SeriesLimit.OTHER);
        double[] zero = new double[width];
        for (Map.Entry<List<String>, Track> e : own.entrySet()) {
            Track t = e.getValue();
            double[] now = current.getOrDefault(e.getKey(), zero);
            for (int i = 0; i < width; i++) {
                if (now[i] < t.last[i]) {
                    t.base[i] += t.last[i] - now[i];
                }
                t.last[i] = now[i];
            }
        }
        admit(current, otherLabels);
        Map<List<String>, double[]> folded = new HashMap<>();
        double[] otherNow = new double[width];
        for (Map.Entry<List<String>, double[]> e : current.entrySet()) {
            if (own.containsKey(e.getKey())) {
                continue;
            }
            double[] now = e.getValue().clone();
            double[] before = foldedLast.remove(e.getKey());
            for (int i = 0; i < width; i++) {
                if (before != null && now[i] < before[i]) {
                    otherBase[i] += before[i] - now[i];
                }
                otherNow[i] += now[i];
            }
            folded.put(e.getKey(), now);
        }
        for (double[] gone : foldedLast.values()) {
            for (int i = 0; i < width; i++) {
                otherBase[i] += gone[i]; // folded label sets that left the map: their counts stay in "other"
            }
        }
        foldedLast = folded;
        foldedNow = folded.size();
        Map<List<String>, double[]> out = new LinkedHashMap<>();
        own.forEach((labels, t) -> {
            double[] v = new double[width];
            boolean nonZero = false;
            for (int i = 0; i < width; i++) {
                v[i] = t.base[i] + t.last[i];
                nonZero |= v[i] > 0;
            }
            if (current.containsKey(labels) || nonZero) {
                out.put(labels, v);
            }
        });
        boolean otherNonZero = false;
        for (int i = 0; i < width; i++) {
            otherNow[i] += otherBase[i];
            otherNonZero |= otherBase[i] > 0;
        }
        if (otherShown || !folded.isEmpty() || otherNonZero) {
            otherShown = true;
            out.put(otherLabels, otherNow);
        }
        return out;
    }

    /**
     * Gives label sets new to this state their own series while there is
     * room, largest first. One that was folded at the last scrape stays
     * folded: its count is already in "other".
     */
    private void admit(Map<List<String>, double[]> current, List<String> otherLabels) {
        if (own.size() >= max - 1) {
            return;
        }
        List<Map.Entry<List<String>, double[]>> fresh = new ArrayList<>();
        for (Map.Entry<List<String>, double[]> e : current.entrySet()) {
            if (!own.containsKey(e.getKey()) && !foldedLast.containsKey(e.getKey())
                    && !e.getKey().equals(otherLabels)) {
                fresh.add(e);
            }
        }
        // max - 1, not max: a label set that comes later must find "other" inside the limit.
        int room = max - 1 - own.size();
        if (fresh.size() > room) {
            fresh.sort((a, b) -> Double.compare(b.getValue()[rankBy], a.getValue()[rankBy]));
        }
        for (int i = 0; i < fresh.size() && i < room; i++) {
            own.put(fresh.get(i).getKey(), new Track(new double[width], fresh.get(i).getValue().clone()));
        }
    }

    /**
     * The per-key state for exporting this counter key by key (the fast
     * path), made on first use, or anew when the key or series shape changed.
     */
    synchronized KeyCarry carry(int keySize, int seriesPerKey) {
        if (carry == null || carry.keySize() != keySize || carry.width() != seriesPerKey) {
            carry = new KeyCarry(keySize, seriesPerKey);
        }
        return carry;
    }

    /** Whether the counter was last exported key by key (the fast path). */
    synchronized boolean carried() {
        return carry != null;
    }

    /**
     * Ends key-by-key export: the fold takes over. Returns the carry, whose
     * values the fold's first scrape starts from (so no series drops; what
     * the keys gain during that one scrape is not counted).
     */
    synchronized KeyCarry endCarry() {
        KeyCarry c = carry;
        carry = null;
        return c;
    }

    /** What the label set's own series exported last (base + last), or -1 when it has none: seeds a new carry. */
    synchronized double exported(List<String> labels) {
        Track t = own.get(labels);
        return t == null ? -1 : t.base[0] + t.last[0];
    }

    /** Whether some label set has its own series here (the sample path ran before). */
    synchronized boolean hasOwn() {
        return !own.isEmpty();
    }

    /** Whether "other" was ever exported: then the fast path, which bypasses this state, is closed to it. */
    public synchronized boolean everFolded() {
        return otherShown;
    }

    /** Writes the whole state, for {@link #read} after a restart. */
    synchronized void write(DataOutputStream out) throws IOException {
        out.writeInt(max);
        out.writeInt(width);
        out.writeInt(rankBy);
        out.writeInt(own.size());
        for (Map.Entry<List<String>, Track> e : own.entrySet()) {
            writeLabels(out, e.getKey());
            writeValues(out, e.getValue().base);
            writeValues(out, e.getValue().last);
        }
        out.writeInt(foldedLast.size());
        for (Map.Entry<List<String>, double[]> e : foldedLast.entrySet()) {
            writeLabels(out, e.getKey());
            writeValues(out, e.getValue());
        }
        writeValues(out, otherBase);
        out.writeBoolean(otherShown);
        out.writeBoolean(carry != null);
        if (carry != null) {
            carry.write(out);
        }
    }

    /**
     * A state as {@link #write} left it: the next scrape goes on as if no
     * restart had happened between. {@code withCarry}: false for states saved
     * before per-key carries were kept.
     */
    static CounterFold read(DataInputStream in, boolean withCarry) throws IOException {
        CounterFold f = new CounterFold(in.readInt(), in.readInt(), in.readInt());
        for (int i = in.readInt(); i > 0; i--) {
            List<String> labels = readLabels(in);
            f.own.put(labels, new Track(f.readValues(in), f.readValues(in)));
        }
        for (int i = in.readInt(); i > 0; i--) {
            List<String> labels = readLabels(in);
            f.foldedLast.put(labels, f.readValues(in));
        }
        System.arraycopy(f.readValues(in), 0, f.otherBase, 0, f.width);
        f.otherShown = in.readBoolean();
        if (withCarry && in.readBoolean()) {
            f.carry = KeyCarry.read(in);
        }
        return f;
    }

    private static void writeValues(DataOutputStream out, double[] values) throws IOException {
        for (double v : values) {
            out.writeDouble(v);
        }
    }

    private double[] readValues(DataInputStream in) throws IOException {
        double[] v = new double[width];
        for (int i = 0; i < width; i++) {
            v[i] = in.readDouble();
        }
        return v;
    }

    private static void writeLabels(DataOutputStream out, List<String> labels) throws IOException {
        out.writeInt(labels.size());
        for (String l : labels) {
            out.writeUTF(l);
        }
    }

    private static List<String> readLabels(DataInputStream in) throws IOException {
        int n = in.readInt();
        List<String> labels = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            labels.add(in.readUTF());
        }
        return List.copyOf(labels);
    }

    /** Label sets summed into "other" at the last scrape. */
    public synchronized int foldedNow() {
        return foldedNow;
    }
}
