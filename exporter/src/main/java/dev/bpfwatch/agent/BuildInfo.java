package dev.bpfwatch.agent;

import io.prometheus.client.Collector;
import io.prometheus.client.GaugeMetricFamily;
import java.util.List;

/**
 * NS_build_info 1, labelled as Prometheus exporters label it (the label set
 * of prometheus/common's version collector, so queries written for
 * ebpf_exporter's find it): {@code goversion} holds the JVM's version, and
 * {@code goos}/{@code goarch} the platform in Go's words (linux, amd64).
 */
final class BuildInfo extends Collector implements Collector.Describable {
    static final List<String> LABELS = List.of("branch", "goarch", "goos", "goversion", "revision", "tags",
            "version");

    private final GaugeMetricFamily family;

    BuildInfo(String namespace) {
        String version = BuildInfo.class.getPackage().getImplementationVersion();
        family = new GaugeMetricFamily(namespace + "_build_info",
                "A metric with a constant '1' value labeled by version, revision, branch, the Java version "
                        + "(goversion), os and arch the agent runs with.", LABELS);
        family.addMetric(List.of("unknown", goArch(System.getProperty("os.arch")),
                System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT),
                "java" + Runtime.version(), "unknown", "", version == null ? "dev" : version), 1);
    }

    static String goArch(String javaArch) {
        return switch (javaArch) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64" -> "arm64";
            case "x86", "i386", "i686" -> "386";
            default -> javaArch;
        };
    }

    @Override
    public List<MetricFamilySamples> collect() {
        return List.of(family);
    }

    @Override
    public List<MetricFamilySamples> describe() {
        return List.of(family);
    }
}
