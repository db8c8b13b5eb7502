package dev.bpfwatch.metrics;

import dev.bpfwatch.config.LabelSlice;
import dev.bpfwatch.decode.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A metric's label pairs as exposition text ({@code a="x",b="y"}, escaped
 * as the Prometheus client escapes them), per raw key, for the fast path:
 * the decoders and the escaping run once per key, not once per scrape.
 *
 * <p>Bounded. Labels of at most 8 bytes (ids, ports, IPv4 addresses) live in
 * a {@link LongKeyTable}, emptied when a new key would pass the capacity.
 * Longer ones live in two generations of at most {@code capacity} keys
 * each; a key found in the old one moves to the new one, and when the new
 * one is full the old one is dropped. Either way keys gone from the map
 * leave, and a map of up to {@code capacity} keys is decoded once. A map
 * larger than the capacity is not cached at all (a scan of it would only
 * push keys through the cache and miss every time): its keys are decoded
 * every scrape, which for the cheap decoders the fast path allows costs less
 * than the cache would.
 */
final class LabelText {
    /** Marks a key whose series is skipped (a decoder asked to drop it). */
    static final byte[] SKIP = new byte[0];

    private final LabelDecoder decoder;
    private final byte[][] names;
    private final int capacity;
    /**
     * Label slices when every label is a plain {@code uint}: such text is
     * printed straight from the key, which costs less than any lookup.
     */
    private final List<LabelSlice> uintSlices;
    /** {@code name="} per label, the first without the comma. */
    private final byte[][] openings;
    /** Labels of at most 8 bytes (most keys: ids, ports, addresses): no key objects. */
    private final LongKeyTable small;
    private Map<RawKey, byte[]> young = new HashMap<>();
    private Map<RawKey, byte[]> old = new HashMap<>();

    LabelText(LabelDecoder decoder, List<String> labelNames, int capacity) {
        this(decoder, labelNames, capacity, null);
    }

    /** @param uintSlices the label slices when every one is decoded by {@code uint} alone, else null */
    LabelText(LabelDecoder decoder, List<String> labelNames, int capacity,
              List<LabelSlice> uintSlices) {
        this.decoder = decoder;
        this.uintSlices = uintSlices;
        this.openings = new byte[labelNames.size()][];
        for (int i = 0; i < labelNames.size(); i++) {
            this.openings[i] = ((i > 0 ? "," : "") + labelNames.get(i) + "=\"").getBytes(StandardCharsets.UTF_8);
        }
        this.names = labelNames.stream().map(n -> n.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
        this.capacity = Math.max(1, capacity);
        this.small = decoder.labelByteCount() <= 8 ? new LongKeyTable(this.capacity) : null;
    }

    /** Whether a map of this many entries is cached (see the class comment). */
    boolean caches(int entries) {
        return entries <= capacity;
    }

    /** Whether every label is a plain {@code uint}: then {@link #writeDirect} prints them, nothing is cached. */
    boolean direct() {
        return uintSlices != null;
    }

    /** Appends the label text of the key at {@code base} to {@code out}; only when {@link #direct()}. */
    void writeDirect(ExpositionBuffer out, byte[] bytes, int base) {
        for (int i = 0; i < uintSlices.size(); i++) {
            LabelSlice s = uintSlices.get(i);
            out.put(openings[i]);
            out.putUnsignedLong(littleEndian(bytes, base + s.offset(), s.size()));
            out.put((byte) '"');
        }
    }

    /** How many bytes {@link #writeDirect} writes for the key at {@code base}. */
    int directLength(byte[] bytes, int base) {
        int n = 0;
        for (int i = 0; i < uintSlices.size(); i++) {
            LabelSlice s = uintSlices.get(i);
            n += openings[i].length + ExpositionBuffer.unsignedLength(littleEndian(bytes, base + s.offset(), s.size())) + 1;
        }
        return n;
    }

    /** As the {@code uint} decoder reads its input: 1, 2, 4 or 8 bytes, little-endian, unsigned. */
    private static long littleEndian(byte[] bytes, int at, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = (v << 8) | (bytes[at + i] & 0xff);
        }
        return v;
    }

    /**
     * @param cache false for maps larger than the cache: look up, never insert
     * @return the label text of the key at {@code base}, or {@link #SKIP}
     */
    byte[] text(byte[] bytes, int base, boolean cache) throws DecoderException {
        if (small != null) {
            long key = decoder.labelBytesAsLong(bytes, base);
            byte[] text = small.get(key);
            if (text == null) {
                LabelDecoder.Labels labels = decoder.decodeUncached(decoder.labelBytes(bytes, base));
                text = text(labels);
                if (cache && !labels.provisional()) {
                    small.put(key, text);
                }
            }
            return text;
        }
        byte[] cacheKey = decoder.labelBytes(bytes, base);
        RawKey key = new RawKey(cacheKey);
        byte[] text = lookup(key);
        if (text != null) {
            return text;
        }
        LabelDecoder.Labels labels = decoder.decodeUncached(cacheKey);
        text = text(labels);
        if (cache && !labels.provisional()) { // a fallback is shown, never kept
            insert(key, text);
        }
        return text;
    }

    private byte[] text(LabelDecoder.Labels labels) {
        return labels.values() == LabelCache.SKIP ? SKIP : format(labels.values());
    }

    private synchronized byte[] lookup(RawKey key) {
        byte[] text = young.get(key);
        if (text == null && (text = old.remove(key)) != null) {
            insert(key, text);
        }
        return text;
    }

    private synchronized void insert(RawKey key, byte[] text) {
        if (young.size() >= capacity) {
            old = young;
            young = new HashMap<>();
        }
        young.put(key, text);
    }

    /** Label pairs as text, escaped: {@code a="x",b="y"}. */
    byte[] format(List<String> values) {
        ExpositionBuffer b = new ExpositionBuffer(32);
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                b.put((byte) ',');
            }
            b.put(names[i]);
            b.put((byte) '=');
            b.put((byte) '"');
            b.putEscapedLabelValue(values.get(i));
            b.put((byte) '"');
        }
        return b.toByteArray();
    }
}
