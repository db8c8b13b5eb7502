package dev.bpfwatch.metrics;

import dev.bpfwatch.config.LabelSlice;
import dev.bpfwatch.decode.DecoderException;
import dev.bpfwatch.decode.Decoders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Cuts a metric's labels out of a key (or record) and runs each through its decoder chain, with a cache. */
final class LabelDecoder {
    private final List<LabelSlice> slices;
    private final Decoders decoders;
    private final LabelCache cache;
    private final int labelBytes;

    LabelDecoder(List<LabelSlice> slices, Decoders decoders, int cacheSize) {
        this.slices = slices;
        this.decoders = decoders;
        this.cache = new LabelCache(cacheSize);
        this.labelBytes = slices.stream().mapToInt(LabelSlice::size).sum();
    }

    /**
     * @return the label values, or {@link LabelCache#SKIP} when a decoder
     *         asked to drop the sample
     */
    List<String> decode(byte[] bytes, int base) throws DecoderException {
        // Cache by the label bytes only: in iterator records the value sits
        // beside them and changes every scrape.
        byte[] cacheKey = labelBytes(bytes, base);
        List<String> cached = cache.get(cacheKey);
        if (cached != null) {
            return cached;
        }
        List<String> labels = decodeLabelBytes(cacheKey);
        cache.put(cacheKey, labels);
        return labels;
    }

    int labelByteCount() {
        return labelBytes;
    }

    /** {@link #labelBytes} as one number, for labels of at most 8 bytes in all: a cache key without an object. */
    long labelBytesAsLong(byte[] bytes, int base) {
        long out = 0;
        int shift = 0;
        for (LabelSlice s : slices) {
            for (int i = 0; i < s.size(); i++, shift += 8) {
                out |= (bytes[base + s.offset() + i] & 0xffL) << shift;
            }
        }
        return out;
    }

    /** The bytes every label is cut from, back to back: what decoded labels are cached by. */
    byte[] labelBytes(byte[] bytes, int base) {
        byte[] out = new byte[labelBytes];
        int at = 0;
        for (LabelSlice s : slices) {
            System.arraycopy(bytes, base + s.offset(), out, at, s.size());
            at += s.size();
        }
        return out;
    }

    /**
     * Decodes label bytes (from {@link #labelBytes}) without the cache: for
     * callers that cache something else per key (the exposition fast path).
     *
     * @return the label values, or {@link LabelCache#SKIP}
     */
    List<String> decodeLabelBytes(byte[] cacheKey) throws DecoderException {
        List<String> values = new ArrayList<>(slices.size());
        int at = 0;
        for (LabelSlice s : slices) {
            byte[] raw = Arrays.copyOfRange(cacheKey, at, at + s.size());
            at += s.size();
            byte[] out = s.decoders().isEmpty() ? raw : decoders.decodeChain(raw, s.decoders());
            if (out == null) {
                return LabelCache.SKIP;
            }
            values.add(new String(out, StandardCharsets.UTF_8));
        }
        return List.copyOf(values);
    }
}
