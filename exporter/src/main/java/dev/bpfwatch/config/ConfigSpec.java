package dev.bpfwatch.config;

import java.util.List;

/**
 * A parsed, not yet bound, config: what NAME.yaml says.
 *
 * @param cgroupIds ebpf_exporter's cgroup_id_map, or null
 * @param spans     its {@code tracing:} spans; empty for a metrics-only config
 */
public record ConfigSpec(String name, String file, List<MetricSpec> metrics, List<String> kaddrs,
                         CgroupIdMapSpec cgroupIds, List<SpanSpec> spans) {
}
