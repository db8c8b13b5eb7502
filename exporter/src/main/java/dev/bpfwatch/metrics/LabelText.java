package dev.bpfwatch.metrics;

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
 * <p>Bounded: two generations of at most half the capacity each; a key
 * found in the old one moves to the new one, and when the new one is full
 * the old one is dropped, so keys gone from the map leave within two
 * rotations. A map larger than the capacity is not cached at all (a scan of
 * it would only rotate keys through the cache): its keys are decoded every
 * scrape, which for the cheap decoders the fast path allows costs less than
 * the cache would.
 */
final class LabelText {
    /** Marks a key whose series is skipped (a decoder asked to drop it). */
    static final byte[] SKIP = new byte[0];

    private final LabelDecoder decoder;
    private final byte[][] names;
    private final int half;
    private Map<RawKey, byte[]> young = new HashMap<>();
    private Map<RawKey, byte[]> old = new HashMap<>();

    LabelText(LabelDecoder decoder, List<String> labelNames, int capacity) {
        this.decoder = decoder;
        this.names = labelNames.stream().map(n -> n.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
        this.half = Math.max(1, capacity / 2);
    }

    /** Whether a map of this many entries is cached (see the class comment). */
    boolean caches(int entries) {
        return entries <= 2 * half;
    }

    /**
     * @param cache false for maps larger than the cache: look up, never insert
     * @return the label text of the key at {@code base}, or {@link #SKIP}
     */
    byte[] text(byte[] bytes, int base, boolean cache) throws DecoderException {
        byte[] cacheKey = decoder.labelBytes(bytes, base);
        RawKey key = new RawKey(cacheKey);
        byte[] text = lookup(key);
        if (text != null) {
            return text;
        }
        List<String> values = decoder.decodeLabelBytes(cacheKey);
        text = values == LabelCache.SKIP ? SKIP : format(values);
        if (cache) {
            insert(key, text);
        }
        return text;
    }

    private synchronized byte[] lookup(RawKey key) {
        byte[] text = young.get(key);
        if (text == null && (text = old.remove(key)) != null) {
            insert(key, text);
        }
        return text;
    }

    private synchronized void insert(RawKey key, byte[] text) {
        if (young.size() >= half) {
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
