package dev.bpfwatch.tracing;

import dev.bpfwatch.config.BoundSpan;
import dev.bpfwatch.config.LabelSlice;
import dev.bpfwatch.decode.Decoded;
import dev.bpfwatch.decode.DecoderException;
import dev.bpfwatch.decode.Decoders;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * Turns one ring buffer record into a {@link KernelSpan}: labels are cut and
 * decoded as a metric's are, then the labels with the reserved names
 * (ebpf_exporter's) make the span: trace_id, parent_span_id, span_id,
 * span_monotonic_timestamp_ns (CLOCK_MONOTONIC, what bpf_ktime_get_ns
 * gives), span_duration_ns and span_name. A zero span_id gets a random one
 * and a zero parent_span_id makes a root span; a zero trace_id is an error,
 * since it would join the span to no trace at all. Without a trace_id label
 * every span starts a trace of its own; without a timestamp it starts now.
 */
public final class SpanDecoder {
    /** The attribute every span carries: the config it came from. */
    public static final String CONFIG_ATTRIBUTE = "bpfwatch.config";

    private static final String ZERO_SPAN = "0".repeat(16);
    private static final String ZERO_TRACE = "0".repeat(32);

    private final BoundSpan span;
    private final String configName;
    private final Decoders decoders;
    private final LongSupplier monotonicNanos;
    private final LongSupplier epochNanos;

    public SpanDecoder(BoundSpan span, String configName, Decoders decoders) {
        this(span, configName, decoders, System::nanoTime, SpanDecoder::now);
    }

    /**
     * @param monotonicNanos CLOCK_MONOTONIC, as the kernel's bpf_ktime_get_ns reads it (System.nanoTime on Linux)
     */
    SpanDecoder(BoundSpan span, String configName, Decoders decoders, LongSupplier monotonicNanos,
                LongSupplier epochNanos) {
        this.span = span;
        this.configName = configName;
        this.decoders = decoders;
        this.monotonicNanos = monotonicNanos;
        this.epochNanos = epochNanos;
    }

    private static long now() {
        java.time.Instant i = java.time.Instant.now();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    public String spanName() {
        return span.spec().name();
    }

    /** @return empty when a decoder asked to skip the record (a regexp that does not match, say) */
    public Optional<KernelSpan> decode(byte[] record) throws DecoderException, SpanFormatException {
        if (record.length < span.recordBytes()) {
            throw new SpanFormatException("span " + spanName() + ": record of " + record.length
                    + " bytes, its labels need " + span.recordBytes());
        }
        String name = span.spec().name();
        String traceId = null;
        String spanId = null;
        String parentId = null;
        Long start = null;
        long duration = 0;
        Map<String, String> attributes = new LinkedHashMap<>();
        for (LabelSlice s : span.slices()) {
            byte[] raw = Arrays.copyOfRange(record, s.offset(), s.offset() + s.size());
            String value;
            if (s.decoders().isEmpty()) {
                value = HexFormat.of().formatHex(raw);
            } else {
                Decoded d = decoders.decodeLabel(raw, s.decoders());
                if (d.value() == null) {
                    return Optional.empty();
                }
                value = new String(d.value(), StandardCharsets.UTF_8);
            }
            switch (s.name()) {
                case "trace_id" -> {
                    traceId = hexId(s.name(), value, 32);
                    if (traceId.equals(ZERO_TRACE)) {
                        throw new SpanFormatException("span " + spanName() + ": trace_id is zero");
                    }
                }
                case "span_id" -> spanId = hexId(s.name(), value, 16);
                case "parent_span_id" -> parentId = hexId(s.name(), value, 16);
                case "span_monotonic_timestamp_ns" -> start = toEpoch(unsigned(s.name(), value));
                case "span_duration_ns" -> duration = unsigned(s.name(), value);
                case "span_name" -> name = value;
                default -> attributes.put(s.name(), value);
            }
        }
        attributes.put(CONFIG_ATTRIBUTE, configName);
        long startNanos = start == null ? epochNanos.getAsLong() : start;
        if (traceId == null) {
            traceId = randomHex(2);
        }
        if (spanId == null || spanId.equals(ZERO_SPAN)) {
            spanId = randomHex(1);
        }
        if (ZERO_SPAN.equals(parentId)) {
            parentId = null;
        }
        return Optional.of(new KernelSpan(name, span.spec().service(), traceId, spanId, parentId, startNanos,
                startNanos + duration, attributes));
    }

    /** A CLOCK_MONOTONIC time as wall-clock time, by the two clocks' distance now (as the peer does). */
    private long toEpoch(long monotonic) {
        return epochNanos.getAsLong() + (monotonic - monotonicNanos.getAsLong());
    }

    private String hexId(String label, String value, int digits) throws SpanFormatException {
        if (value.length() != digits || !value.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            throw new SpanFormatException("span " + spanName() + ": " + label + " '" + value + "' is not "
                    + digits + " lowercase hex digits (decode it with hex)");
        }
        return value;
    }

    private long unsigned(String label, String value) throws SpanFormatException {
        try {
            return Long.parseUnsignedLong(value);
        } catch (NumberFormatException e) {
            throw new SpanFormatException("span " + spanName() + ": " + label + " '" + value
                    + "' is not an unsigned integer (decode it with uint)");
        }
    }

    private static String randomHex(int longs) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < longs; i++) {
            long v;
            do {
                v = ThreadLocalRandom.current().nextLong();
            } while (v == 0);
            out.append(HexFormat.of().toHexDigits(v));
        }
        return out.toString();
    }
}
