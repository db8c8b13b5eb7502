package dev.bpfwatch.config;

import java.util.List;

/**
 * One span of a {@code tracing:} config: every record of ring buffer
 * {@code ringbuf} is one span, its labels cut from the record's start as in
 * a perf-event counter. Labels with the names the peer reserves (trace_id,
 * parent_span_id, span_id, span_monotonic_timestamp_ns, span_duration_ns,
 * span_name) make the span itself; the rest become its attributes.
 *
 * @param name    the span's name unless a span_name label gives one (defaults to the ring buffer's name)
 * @param service the service.name of its resource, or null for the process-wide one
 */
public record SpanSpec(String name, String ringbuf, String service, List<LabelSpec> labels, int line) {
}
