package dev.bpfwatch.config;

import java.util.List;

/**
 * One metric of a config.
 *
 * @param name        metric name without namespace; also the map's name unless {@code map} says otherwise
 * @param map         bpfwatch: the map to read, when several metrics share one (struct values)
 * @param valueField  bpfwatch: the field of a struct value (or iterator record) holding the number
 * @param iterator    bpfwatch: an iter/ program whose records feed this metric at scrape time
 * @param record      bpfwatch: the BTF struct an iterator program writes, one per record
 * @param histogram   bucket settings, for histograms only
 * @param skipZeros   bpfwatch: entries whose value is zero make no series (for array maps, where
 *                    every index exists from the start); off by default, as ebpf_exporter exports them
 * @param perfEvents  counters fed by a perf event array's events instead of map entries; null otherwise
 */
public record MetricSpec(MetricKind kind, String name, String help, String map, String valueField,
                         String iterator, String record, List<LabelSpec> labels, HistogramSpec histogram,
                         boolean skipZeros, PerfEvents perfEvents, int line) {

    /** Where the numbers come from: the map named like the metric unless told otherwise. */
    public String mapName() {
        return map != null ? map : name;
    }

    public boolean fromIterator() {
        return iterator != null;
    }

    public boolean fromPerfEvents() {
        return perfEvents != null;
    }
}
