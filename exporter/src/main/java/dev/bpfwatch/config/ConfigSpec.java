package dev.bpfwatch.config;

import java.util.List;

/** A parsed, not yet bound, config: what NAME.yaml says. */
public record ConfigSpec(String name, String file, List<MetricSpec> metrics, List<String> kaddrs) {
}
