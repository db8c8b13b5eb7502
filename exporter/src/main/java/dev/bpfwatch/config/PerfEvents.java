package dev.bpfwatch.config;

import java.time.Duration;

/**
 * A counter fed by a BPF_MAP_TYPE_PERF_EVENT_ARRAY (ebpf_exporter's
 * {@code perf_event_array: true}): every event the program outputs adds one
 * to the series its leading bytes decode to. All series are cleared every
 * {@code flushInterval} (ebpf_exporter's {@code flush_interval}, an hour when
 * unset), so label sets that stopped occurring do not stay forever.
 */
public record PerfEvents(Duration flushInterval) {
    public static final Duration DEFAULT_FLUSH = Duration.ofHours(1);
}
