package dev.bpfwatch.metrics;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import dev.bpfwatch.libbpf.PackedEntries;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Keeps the counters of a map whose keys can leave it (an LRU map evicting,
 * a program deleting) from going down, key by key, for the exposition fast
 * path, which exports every key as its own series. Per raw key it remembers
 * the value last read and a base of what left: a key missing at a scrape
 * moves its last value into its base; a key read lower than before (evicted
 * and made again between two scrapes) moves the difference. The series
 * exported is base + value now, so it never goes down; it counts less than
 * happened only when a key was evicted and grew past its old value within
 * one scrape interval.
 *
 * <p>State lives in flat primitive arrays (open addressing on the key
 * bytes): no object per key. Memory per slot: the key's bytes, two doubles
 * per series of the key (one, or one per CPU when split) and an int; the
 * table is kept 25-50% full, so a u64 key costs 56-112 bytes (56-112 MB for
 * a million keys), plus one double per series for each scrape's values.
 * A missing key's last value moves into its base when it is next seen (no
 * pass over the table per read). Keys gone from the map are kept (their
 * base carries on if they come back) until the table holds more
 * than {@code 4 x} the keys of the last read plus 1,024; then the gone ones
 * are forgotten, and one that comes back after that starts again from what
 * the map holds.
 */
final class KeyCarry {
    /** u64 keys (the common case) compare and hash as one long. */
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private final int keySize;
    private final int width;
    private byte[] keys;
    private double[] base;
    private double[] last;
    /** The read a slot's key was last seen in; 0 marks an empty slot. */
    private int[] seen;
    private int mask;
    private int size;
    /** The last read's number (1 before any): a key whose seen is older was missing since. */
    private int generation = 1;

    /**
     * Whether {@code keys} keys fit in a quarter of the heap at the table's
     * fullest (two slots per key). The shipped flags give a 64 MB heap: a
     * million u64 keys (56-112 MB) ran the agent out of memory.
     */
    static boolean fits(long keys, int keySize, int width) {
        long slot = keySize + 16L * width + 4;
        return keys * 2 * slot <= Runtime.getRuntime().maxMemory() / 4;
    }

    KeyCarry(int keySize, int width) {
        this.keySize = keySize;
        this.width = width;
        allocate(1024);
    }

    int keySize() {
        return keySize;
    }

    int width() {
        return width;
    }

    /** Keys remembered now, present or gone. */
    synchronized int size() {
        return size;
    }

    private void allocate(int slots) {
        keys = new byte[slots * keySize];
        base = new double[slots * width];
        last = new double[slots * width];
        seen = new int[slots];
        mask = slots - 1;
        size = 0;
    }

    /**
     * Carries one read: {@code values[e * width + i]} is series i of the
     * read's e-th key as the map holds it now, and is replaced by what to
     * export. Keys not in this read count as gone.
     */
    synchronized void apply(PackedEntries read, double[] values) {
        byte[] packedKeys = read.keys();
        int count = read.count();
        int previous = generation++;
        if ((long) (size + count) * 2 > seen.length) {
            grow(size + count);
        }
        for (int e = 0; e < count; e++) {
            int slot = find(packedKeys, read.keyOffset(e));
            boolean gone = false;
            if (seen[slot] == 0) {
                System.arraycopy(packedKeys, read.keyOffset(e), keys, slot * keySize, keySize);
                size++;
            } else {
                // Missing from the reads since it was last seen: its count stayed with the key.
                gone = seen[slot] != previous;
            }
            seen[slot] = generation;
            for (int i = 0; i < width; i++) {
                int at = slot * width + i;
                if (gone) {
                    base[at] += last[at];
                    last[at] = 0;
                }
                double now = values[e * width + i];
                if (now < last[at]) {
                    base[at] += last[at] - now;
                }
                last[at] = now;
                values[e * width + i] = base[at] + now;
            }
        }
        if (size > 4L * count + 1024) {
            forgetGone();
        }
    }

    /**
     * Starts series i of the read's e-th key from {@code exported}, what the
     * sample path showed for it before: the next {@link #apply} goes on from
     * there (a lower map value is taken as a key that went and came back).
     */
    synchronized void seed(PackedEntries read, int e, int i, double exported) {
        if ((long) (size + 1) * 2 > seen.length) {
            grow(size + 1);
        }
        int slot = find(read.keys(), read.keyOffset(e));
        if (seen[slot] == 0) {
            System.arraycopy(read.keys(), read.keyOffset(e), keys, slot * keySize, keySize);
            seen[slot] = generation; // as if in the last read
            size++;
        }
        base[slot * width + i] = 0;
        last[slot * width + i] = exported;
    }

    private int find(byte[] k, int offset) {
        if (keySize == 8) {
            long key = (long) LONG.get(k, offset);
            int slot = mix(key) & mask;
            while (seen[slot] != 0 && (long) LONG.get(keys, slot * 8) != key) {
                slot = (slot + 1) & mask;
            }
            return slot;
        }
        int slot = hash(k, offset) & mask;
        while (seen[slot] != 0 && !Arrays.equals(keys, slot * keySize, slot * keySize + keySize, k, offset,
                offset + keySize)) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private int hash(byte[] k, int offset) {
        long h = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < keySize; i++) {
            h = (h ^ (k[offset + i] & 0xff)) * 0xff51afd7ed558ccdL;
        }
        return mix(h);
    }

    /** The 64-bit finalizer of MurmurHash3: ids differ in a few low bits. */
    private static int mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return (int) h;
    }

    /** Room for {@code keys} at most half full, the remembered keys moved over. */
    private void grow(int wanted) {
        int slots = seen.length;
        while ((long) wanted * 2 > slots) {
            slots <<= 1;
        }
        rehash(slots, false);
    }

    private void forgetGone() {
        rehash(seen.length, true);
    }

    private void rehash(int slots, boolean presentOnly) {
        byte[] oldKeys = keys;
        double[] oldBase = base;
        double[] oldLast = last;
        int[] oldSeen = seen;
        allocate(slots);
        for (int s = 0; s < oldSeen.length; s++) {
            if (oldSeen[s] == 0 || (presentOnly && oldSeen[s] != generation)) {
                continue;
            }
            int slot = find(oldKeys, s * keySize);
            System.arraycopy(oldKeys, s * keySize, keys, slot * keySize, keySize);
            System.arraycopy(oldBase, s * width, base, slot * width, width);
            System.arraycopy(oldLast, s * width, last, slot * width, width);
            seen[slot] = oldSeen[s];
            size++;
        }
    }

    /** The whole state, for {@link #read} after a restart. */
    synchronized void write(DataOutputStream out) throws IOException {
        out.writeInt(keySize);
        out.writeInt(width);
        out.writeInt(size);
        for (int slot = 0; slot < seen.length; slot++) {
            if (seen[slot] == 0) {
                continue;
            }
            out.write(keys, slot * keySize, keySize);
            boolean gone = seen[slot] != generation;
            for (int i = 0; i < width; i++) {
                double b = base[slot * width + i];
                double l = last[slot * width + i];
                out.writeDouble(gone ? b + l : b); // a key missing at the last read: its count is all base
                out.writeDouble(gone ? 0 : l);
            }
        }
    }

    static KeyCarry read(DataInputStream in) throws IOException {
        KeyCarry c = new KeyCarry(in.readInt(), in.readInt());
        int n = in.readInt();
        c.generation = 1;
        c.grow(n);
        byte[] key = new byte[c.keySize];
        for (int k = 0; k < n; k++) {
            in.readFully(key);
            int slot = c.find(key, 0);
            System.arraycopy(key, 0, c.keys, slot * c.keySize, c.keySize);
            for (int i = 0; i < c.width; i++) {
                c.base[slot * c.width + i] = in.readDouble();
                c.last[slot * c.width + i] = in.readDouble();
            }
            c.seen[slot] = 1;
            c.size++;
        }
        return c;
    }
}
