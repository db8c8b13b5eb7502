package dev.bpfwatch.config;

import java.util.List;

/**
 * A span checked against its object: the ring buffer exists, and labels
 * (by size, from the record's start) have known decoders that fit them.
 *
 * @param recordBytes the bytes the labels cover (sizes plus padding): a shorter record is a decode error
 */
public record BoundSpan(SpanSpec spec, List<LabelSlice> slices, int recordBytes) {
}
