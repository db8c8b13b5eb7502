package dev.bpfwatch.config;

import dev.bpfwatch.decode.DecoderConfig;
import java.util.List;

/**
 * A metric checked against its object: which map (or iterator) feeds it,
 * where each label and the value sit, and how per-CPU values are handled.
 *
 * @param source       map name, or iterator program name when {@code fromIterator}
 * @param recordSize   bytes per iterator record, or the event bytes labels are cut from (0 for maps)
 * @param bucket       histograms: the key slice holding the bucket index
 * @param splitByCpu   per-CPU map whose last label is {@code cpu}: one series per CPU
 * @param cpuDecoders  the {@code cpu} label's decoders in ebpf_exporter's form (a 2-byte label
 *                     that gets the CPU number as a u16); empty: the number as it is
 */
public record BoundMetric(MetricSpec spec, String source, boolean fromIterator, int recordSize,
                          List<LabelSlice> labels, LabelSlice bucket, ValueSlice value, boolean splitByCpu,
                          List<DecoderConfig> cpuDecoders) {

    public BoundMetric(MetricSpec spec, String source, boolean fromIterator, int recordSize,
                       List<LabelSlice> labels, LabelSlice bucket, ValueSlice value, boolean splitByCpu) {
        this(spec, source, fromIterator, recordSize, labels, bucket, value, splitByCpu, List.of());
    }

    public BoundMetric {
        cpuDecoders = cpuDecoders == null ? List.of() : List.copyOf(cpuDecoders);
    }

    public List<String> labelNames() {
        List<String> names = new java.util.ArrayList<>(labels.stream().map(LabelSlice::name).toList());
        if (splitByCpu) {
            names.add("cpu");
        }
        return names;
    }
}
