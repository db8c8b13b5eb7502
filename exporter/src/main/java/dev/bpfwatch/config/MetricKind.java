package dev.bpfwatch.config;

/** What a map value means to Prometheus. */
public enum MetricKind {
    COUNTER, GAUGE, HISTOGRAM
}
