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
 */
public final class CounterFold {
    private final int max;
    private final Map<List<String>, Track> own = new LinkedHashMap<>();
    private Map<List<String>, Double> foldedLast = new HashMap<>();
    private double otherBase;
    private boolean otherShown;
    private int foldedNow;

    /** One label set with its own series: the value last read and what has left the map before it. */
    static final class Track {
        double base;
        double last;

        Track(double base, double last) {
            this.base = base;
            this.last = last;
        }
    }

    public CounterFold(int max) {
        if (max < 2) {
            throw new IllegalArgumentException("series limit must be at least 2, is " + max);
        }
        this.max = max;
    }

    /**
     * The series to export for this scrape's values (labels -> value as the
     * map holds it now). Every series it returns is at least what it
     * returned for the same labels before.
     */
    public synchronized Map<List<String>, Double> apply(Map<List<String>, Double> current, int labelCount) {
        List<String> otherLabels = Collections.nCopies(labelCount, SeriesLimit.OTHER);
        for (Map.Entry<List<String>, Track> e : own.entrySet()) {
            Track t = e.getValue();
            double now = current.getOrDefault(e.getKey(), 0.0);
            if (now < t.last) {
                t.base += t.last - now;
            }
            t.last = now;
        }
        admit(current, otherLabels);
        Map<List<String>, Double> folded = new HashMap<>();
        double otherNow = 0;
        for (Map.Entry<List<String>, Double> e : current.entrySet()) {
            if (own.containsKey(e.getKey())) {
                continue;
            }
            double now = e.getValue();
            Double before = foldedLast.remove(e.getKey());
            if (before != null && now < before) {
                otherBase += before - now;
            }
            folded.put(e.getKey(), now);
            otherNow += now;
        }
        for (double gone : foldedLast.values()) {
            otherBase += gone; // folded label sets that left the map: their counts stay in "other"
        }
        foldedLast = folded;
        foldedNow = folded.size();
        Map<List<String>, Double> out = new LinkedHashMap<>();
        own.forEach((labels, t) -> {
            if (current.containsKey(labels) || t.base + t.last > 0) {
                out.put(labels, t.base + t.last);
            }
        });
        if (otherShown || !folded.isEmpty() || otherBase > 0) {
            otherShown = true;
            out.put(otherLabels, otherBase + otherNow);
        }
        return out;
    }

    /**
     * Gives label sets new to this state their own series while there is
     * room, largest first. One that was folded at the last scrape stays
     * folded: its count is already in "other".
     */
    private void admit(Map<List<String>, Double> current, List<String> otherLabels) {
        if (own.size() >= max - 1) {
            return;
        }
        List<Map.Entry<List<String>, Double>> fresh = new ArrayList<>();
        for (Map.Entry<List<String>, Double> e : current.entrySet()) {
            if (!own.containsKey(e.getKey()) && !foldedLast.containsKey(e.getKey())
                    && !e.getKey().equals(otherLabels)) {
                fresh.add(e);
            }
        }
        // max - 1, not max: a label set that comes later must find "other" inside the limit.
        int room = max - 1 - own.size();
        if (fresh.size() > room) {
            fresh.sort((a, b) -> Double.compare(b.getValue(), a.getValue()));
        }
        for (int i = 0; i < fresh.size() && i < room; i++) {
            own.put(fresh.get(i).getKey(), new Track(0, fresh.get(i).getValue()));
        }
    }

    /** Whether "other" was ever exported: then the fast path, which bypasses this state, is closed to it. */
    public synchronized boolean everFolded() {
        return otherShown;
    }

    /** Writes the whole state, for {@link #read} after a restart. */
    synchronized void write(DataOutputStream out) throws IOException {
        out.writeInt(own.size());
        for (Map.Entry<List<String>, Track> e : own.entrySet()) {
            writeLabels(out, e.getKey());
            out.writeDouble(e.getValue().base);
            out.writeDouble(e.getValue().last);
        }
        out.writeInt(foldedLast.size());
        for (Map.Entry<List<String>, Double> e : foldedLast.entrySet()) {
            writeLabels(out, e.getKey());
            out.writeDouble(e.getValue());
        }
        out.writeDouble(otherBase);
        out.writeBoolean(otherShown);
    }

    /** A state as {@link #write} left it: the next scrape goes on as if no restart had happened between. */
    static CounterFold read(DataInputStream in, int max) throws IOException {
        CounterFold f = new CounterFold(max);
        for (int i = in.readInt(); i > 0; i--) {
            List<String> labels = readLabels(in);
            f.own.put(labels, new Track(in.readDouble(), in.readDouble()));
        }
        for (int i = in.readInt(); i > 0; i--) {
            List<String> labels = readLabels(in);
            f.foldedLast.put(labels, in.readDouble());
        }
        f.otherBase = in.readDouble();
        f.otherShown = in.readBoolean();
        return f;
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
