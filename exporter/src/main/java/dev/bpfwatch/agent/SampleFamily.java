package dev.bpfwatch.agent;

import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples;
import java.util.ArrayList;
import java.util.List;

/**
 * A family whose exposed sample name is exactly the one given. simpleclient
 * writes every counter's samples with {@code _total}; a name another
 * exporter gave a counter without it (ebpf_exporter's run time, its dropped
 * perf events) is therefore exposed untyped, the only type whose sample
 * keeps its family's name.
 */
final class SampleFamily {
    private final String name;
    private final Collector.Type type;
    private final String help;
    private final List<String> labels;
    private final List<MetricFamilySamples.Sample> samples = new ArrayList<>();

    private SampleFamily(String name, Collector.Type type, String help, List<String> labels) {
        this.name = name;
        this.type = type;
        this.help = help;
        this.labels = labels;
    }

    /** A counter: its samples are NAME_total. */
    static SampleFamily counter(String name, String help, List<String> labels) {
        return new SampleFamily(name, Collector.Type.COUNTER, help, labels);
    }

    /** Samples named NAME exactly, typed untyped. */
    static SampleFamily untyped(String name, String help, List<String> labels) {
        return new SampleFamily(name, Collector.Type.UNKNOWN, help, labels);
    }

    /** A counter if the exact name ends in _total, else untyped: either way the samples are named {@code exact}. */
    static SampleFamily named(String exact, String help, List<String> labels) {
        return exact.endsWith("_total")
                ? counter(exact.substring(0, exact.length() - "_total".length()), help, labels)
                : untyped(exact, help, labels);
    }

    void add(List<String> values, double value) {
        String sample = type == Collector.Type.COUNTER ? name + "_total" : name;
        samples.add(new MetricFamilySamples.Sample(sample, labels, values, value));
    }

    MetricFamilySamples samples() {
        return new MetricFamilySamples(name, type, help, samples);
    }
}
