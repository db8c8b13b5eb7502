package dev.bpfwatch.config;

import java.util.List;

/** A config whose every metric was checked against its object; nothing is loaded yet. */
public record BoundConfig(ConfigSpec spec, List<BoundMetric> metrics) {
    public String name() {
        return spec.name();
    }
}
