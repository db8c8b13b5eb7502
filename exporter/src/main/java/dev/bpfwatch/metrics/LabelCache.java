package dev.bpfwatch.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decoded labels per raw key, so decoders (ksym, cgroup walks) run once per
 * key, not once per scrape. Bounded, least recently used out first: keys
 * come and go in hash maps and must not grow the heap forever.
 */
final class LabelCache {
    /** Marks a key whose sample is skipped (a regexp did not match). */
    static final List<String> SKIP = List.of("\0skip");

    private final Map<RawKey, List<String>> entries;

    LabelCache(int capacity) {
        this.entries = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<RawKey, List<String>> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized List<String> get(byte[] key) {
        return entries.get(new RawKey(key));
    }

    synchronized void put(byte[] key, List<String> labels) {
        entries.put(new RawKey(key.clone()), labels);
    }

    synchronized int size() {
        return entries.size();
    }
}
