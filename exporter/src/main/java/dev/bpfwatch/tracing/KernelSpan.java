package dev.bpfwatch.tracing;

import java.util.Map;

/**
 * One span as a BPF program reported it, decoded: ids as lowercase hex (the
 * form OpenTelemetry takes them in), times as nanoseconds since the epoch.
 *
 * @param service      the span's service.name, or null for the process-wide one
 * @param parentSpanId the parent's id, or null for a root span
 * @param attributes   every label that is not part of the span itself, in config order
 */
public record KernelSpan(String name, String service, String traceId, String spanId, String parentSpanId,
                         long startEpochNanos, long endEpochNanos, Map<String, String> attributes) {
}
