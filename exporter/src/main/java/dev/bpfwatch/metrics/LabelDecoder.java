package dev.bpfwatch.metrics;

import dev.bpfwatch.config.LabelSlice;
import dev.bpfwatch.decode.Decoded;
import dev.bpfwatch.decode.DecoderConfig;
import dev.bpfwatch.decode.DecoderException;
import dev.bpfwatch.decode.Decoders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Cuts a metric's labels out of a key (or record) and runs each through its decoder chain, with a cache. */
final class LabelDecoder {
    private final List<LabelSlice> slices;
    private final Decoders decoders;
    private final LabelCache cache;
    private final int labelBytes;
    private final List<DecoderConfig> cpuDecoders;
    /** Decoded cpu labels by CPU number: a handful, and fixed once decoded. */
    private final Map<Integer, String> cpuLabels = new ConcurrentHashMap<>();

    LabelDecoder(List<LabelSlice> slices, Decoders decoders, int cacheSize) {
        this(slices, List.of(), decoders, cacheSize);
    }

    /** @param cpuDecoders the cpu label's chain in ebpf_exporter's form (it reads the CPU as a u16); empty for none */
    LabelDecoder(List<LabelSlice> slices, List<DecoderConfig> cpuDecoders, Decoders decoders, int cacheSize) {
        this.cpuDecoders = cpuDecoders;
        this.slices = slices;
        this.decoders = decoders;
        this.cache = new LabelCache(cacheSize);
        this.labelBytes = slices.stream().mapToInt(LabelSlice::size).sum();
    }

    /**
     * The cpu label of a per-CPU value: the number, or what the cpu label's
     * decoders make of it as a little-endian u16 (ebpf_exporter's form).
     *
     * @return null when a decoder skips it
     */
    String cpu(int cpu) throws DecoderException {
        if (cpuDecoders.isEmpty()) {
            return Integer.toString(cpu);
        }
        String cached = cpuLabels.get(cpu);
        if (cached != null) {
            return cached;
        }
        byte[] raw = {(byte) cpu, (byte) (cpu >>> 8)};
        Decoded d = decoders.decodeLabel(raw, cpuDecoders);
        if (d.value() == null) {
            return null;
        }
        String label = new String(d.value(), StandardCharsets.UTF_8);
        if (!d.provisional()) {
            cpuLabels.put(cpu, label);
        }
        return label;
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
        Labels labels = decodeUncached(cacheKey);
        if (!labels.provisional()) {
            cache.put(cacheKey, labels.values());
        }
        return labels.values();
    }

    /**
     * Decoded label values, and whether a decoder gave a fallback (a cgroup
     * created after the last look, say): such labels are shown but never
     * cached, so the next scrape asks again and gets the real name once the
     * host has it.
     */
    record Labels(List<String> values, boolean provisional) {
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
     * Its values are {@link LabelCache#SKIP} when a decoder asked to drop the sample.
     */
    Labels decodeUncached(byte[] cacheKey) throws DecoderException {
        List<String> values = new ArrayList<>(slices.size());
        boolean provisional = false;
        int at = 0;
        for (LabelSlice s : slices) {
            byte[] raw = Arrays.copyOfRange(cacheKey, at, at + s.size());
            at += s.size();
            Decoded out = s.decoders().isEmpty() ? new Decoded(raw, false) : decoders.decodeLabel(raw, s.decoders());
            provisional |= out.provisional();
            if (out.value() == null) {
                return new Labels(LabelCache.SKIP, provisional);
            }
            values.add(new String(out.value(), StandardCharsets.UTF_8));
        }
        return new Labels(List.copyOf(values), provisional);
    }
}
