package dev.bpfwatch.tracing;

import dev.bpfwatch.config.BoundSpan;
import dev.bpfwatch.decode.DecoderException;
import dev.bpfwatch.decode.Decoders;
import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The spans of one config: turns each ring buffer record into a span for
 * the sink, and counts per span what was sent, what its decoders could not
 * make a span of, and what the sink dropped. A bad record never stops the
 * reader: it is counted and logged (once per span) and the next one read.
 */
public final class ConfigSpans extends Collector {
    private static final Logger LOG = Logger.getLogger(ConfigSpans.class.getName());

    private final String configName;
    private final String namespace;
    private final Map<String, Counts> bySpan = new LinkedHashMap<>();
    private final Map<String, Consumer<byte[]>> byRingbuf = new LinkedHashMap<>();
    /** Whether the ring buffers' reader still reads; set once it started. */
    private volatile java.util.function.BooleanSupplier reading;

    private static final class Counts {
        final LongAdder sent = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LongAdder dropped = new LongAdder();
        volatile boolean errorLogged;
    }

    public ConfigSpans(String configName, String namespace, List<BoundSpan> spans, Decoders decoders, SpanSink sink) {
        this.configName = configName;
        this.namespace = namespace;
        for (BoundSpan s : spans) {
            SpanDecoder decoder = new SpanDecoder(s, configName, decoders);
            Counts counts = new Counts();
            bySpan.put(s.spec().name(), counts);
            byRingbuf.put(s.spec().ringbuf(), record -> accept(decoder, counts, sink, record));
        }
    }

    /** The consumer of each ring buffer's records, by map name. */
    public Map<String, Consumer<byte[]>> readers() {
        return byRingbuf;
    }

    /** The reader of {@link #readers()}, whose state the reader_up gauge shows. */
    public void readBy(java.util.function.BooleanSupplier reading) {
        this.reading = reading;
    }

    private void accept(SpanDecoder decoder, Counts counts, SpanSink sink, byte[] record) {
        Optional<KernelSpan> span;
        try {
            span = decoder.decode(record);
        } catch (DecoderException | SpanFormatException e) {
            counts.errors.increment();
            if (!counts.errorLogged) {
                counts.errorLogged = true;
                LOG.warning("config " + configName + ": " + e.getMessage() + " (further errors of this span are "
                        + "only counted)");
            }
            return;
        }
        if (span.isEmpty()) {
            return;
        }
        if (sink.send(span.get())) {
            counts.sent.increment();
        } else {
            counts.dropped.increment();
        }
    }

    @Override
    public List<MetricFamilySamples> collect() {
        List<String> labels = List.of("config", "span");
        CounterMetricFamily sent = new CounterMetricFamily(namespace + "_spans",
                "Spans read from ring buffers and queued for OTLP export.", labels);
        CounterMetricFamily errors = new CounterMetricFamily(namespace + "_span_decode_errors",
                "Ring buffer records that could not be made a span (too short, ids or times not decoded as such).",
                labels);
        CounterMetricFamily dropped = new CounterMetricFamily(namespace + "_spans_dropped",
                "Spans dropped before export: the export queue was full, or trace export is off.", labels);
        bySpan.forEach((span, c) -> {
            List<String> values = List.of(configName, span);
            sent.addMetric(values, c.sent.sum());
            errors.addMetric(values, c.errors.sum());
            dropped.addMetric(values, c.dropped.sum());
        });
        List<MetricFamilySamples> out = new ArrayList<>(List.of(sent, errors, dropped));
        java.util.function.BooleanSupplier r = reading;
        if (r != null) {
            io.prometheus.client.GaugeMetricFamily up = new io.prometheus.client.GaugeMetricFamily(
                    namespace + "_span_reader_up",
                    "1 while the config's ring buffer reader runs, 0 once it stopped on an error (a WARNING says why).",
                    List.of("config"));
            up.addMetric(List.of(configName), r.getAsBoolean() ? 1 : 0);
            out.add(up);
        }
        return out;
    }
}
