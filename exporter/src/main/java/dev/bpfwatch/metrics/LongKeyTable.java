package dev.bpfwatch.metrics;

import java.util.Arrays;

/**
 * Label text by label bytes of at most 8 bytes, read as one long: open
 * addressing in two flat arrays, so a lookup allocates nothing (a scrape of
 * 100,000 series makes no key objects). Bounded: when a new key would go past
 * the capacity the table is emptied, so keys that left the map cannot keep
 * it full; a map that fits is never emptied.
 */
final class LongKeyTable {
    private final int capacity;
    private final long[] keys;
    private final byte[][] values;
    private final int mask;
    private int size;

    LongKeyTable(int capacity) {
        this.capacity = capacity;
        int slots = Integer.highestOneBit(Math.max(2, capacity) * 2 - 1) << 1; // at most half full
        this.keys = new long[slots];
        this.values = new byte[slots][];
        this.mask = slots - 1;
    }

    synchronized byte[] get(long key) {
        for (int i = slot(key); values[i] != null; i = (i + 1) & mask) {
            if (keys[i] == key) {
                return values[i];
            }
        }
        return null;
    }

    synchronized void put(long key, byte[] value) {
        int i = slot(key);
        for (; values[i] != null; i = (i + 1) & mask) {
            if (keys[i] == key) {
                values[i] = value;
                return;
            }
        }
        if (size >= capacity) {
            Arrays.fill(values, null);
            size = 0;
            i = slot(key);
        }
        keys[i] = key;
        values[i] = value;
        size++;
    }

    synchronized int size() {
        return size;
    }

    private int slot(long key) {
        // The 64-bit finalizer of MurmurHash3: ids and ports differ in a few low bits.
        long h = key;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return (int) h & mask;
    }
}
