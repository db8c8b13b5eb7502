package dev.bpfwatch.config;

import java.util.List;

/** A config whose every metric and span was checked against its object; nothing is loaded yet. */
public record BoundConfig(ConfigSpec spec, List<BoundMetric> metrics, List<BoundSpan> spans) {
    public String name() {
        return spec.name();
    }
}
