package dev.bpfwatch.metrics;

import dev.bpfwatch.config.LabelSlice;
import dev.bpfwatch.decode.Decoded;
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
        byte[] cacheKey = new byte[labelBytes];
        int at = 0;
        for (LabelSlice s : slices) {
            System.arraycopy(bytes, base + s.offset(), cacheKey, at, s.size());
            at += s.size();
        }
        List<String> cached = cache.get(cacheKey);
        if (cached != null) {
            return cached;
        }
        List<String> values = new ArrayList<>(slices.size());
        // A fallback (a cgroup created after the last look, say) is shown but never cached:
        // the next scrape asks again and gets the real name once the host has it.
        boolean provisional = false;
        at = 0;
        for (LabelSlice s : slices) {
            byte[] raw = Arrays.copyOfRange(cacheKey, at, at + s.size());
            at += s.size();
            Decoded out = s.decoders().isEmpty() ? new Decoded(raw, false) : decoders.decodeLabel(raw, s.decoders());
            provisional |= out.provisional();
            if (out.value() == null) {
                if (!provisional) {
                    cache.put(cacheKey, LabelCache.SKIP);
                }
                return LabelCache.SKIP;
            }
            values.add(new String(out.value(), StandardCharsets.UTF_8));
        }
        List<String> labels = List.copyOf(values);
        if (!provisional) {
            cache.put(cacheKey, labels);
        }
        return labels;
    }
}
