package dev.bpfwatch.libbpf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A whole map read into two arrays, keys back to back and values back to
 * back, as the kernel's batch lookup hands them out: two objects for the
 * map instead of three per entry, which is what lets a million-entry map be
 * read on a small heap. Entry {@code i}'s key starts at {@code i * keySize},
 * its value at {@code i * valueSize} (per-CPU maps: every CPU's slot).
 * The arrays may be longer than {@code count} entries.
 */
public record PackedEntries(byte[] keys, byte[] values, int count, int keySize, int valueSize) {
    public static final PackedEntries EMPTY = new PackedEntries(new byte[0], new byte[0], 0, 0, 0);

    /** Packs entries read one by one (the key-by-key path, and sources in tests). */
    public static PackedEntries of(List<BpfMap.Entry> entries) {
        if (entries.isEmpty()) {
            return EMPTY;
        }
        int k = entries.get(0).key().length;
        int v = entries.get(0).value().length;
        byte[] keys = new byte[entries.size() * k];
        byte[] values = new byte[entries.size() * v];
        for (int i = 0; i < entries.size(); i++) {
            System.arraycopy(entries.get(i).key(), 0, keys, i * k, k);
            System.arraycopy(entries.get(i).value(), 0, values, i * v, v);
        }
        return new PackedEntries(keys, values, entries.size(), k, v);
    }

    public int keyOffset(int i) {
        return i * keySize;
    }

    public int valueOffset(int i) {
        return i * valueSize;
    }

    /** One array pair per entry again, for code that wants {@link BpfMap.Entry} (small maps, histograms). */
    public List<BpfMap.Entry> entries() {
        List<BpfMap.Entry> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(new BpfMap.Entry(Arrays.copyOfRange(keys, keyOffset(i), keyOffset(i) + keySize),
                    Arrays.copyOfRange(values, valueOffset(i), valueOffset(i) + valueSize)));
        }
        return out;
    }
}
