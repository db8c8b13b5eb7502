package dev.bpfwatch.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Bucket bounds for each of ebpf_exporter's bucket types. */
class HistogramSpecTest {
    @Test
    void exp2() {
        HistogramSpec h = new HistogramSpec(HistogramSpec.BucketType.EXP2, 0.001, 0, 3, List.of());
        assertEquals(List.of(0L, 1L, 2L, 3L), h.indexes());
        assertEquals(0.001, h.upperBound(0));
        assertEquals(0.008, h.upperBound(3));
    }

    @Test
    void exp2zeroHasABucketForZero() {
        HistogramSpec h = new HistogramSpec(HistogramSpec.BucketType.EXP2ZERO, 1, 0, 4, List.of());
        assertEquals(0.0, h.upperBound(0));
        assertEquals(1.0, h.upperBound(1));
        assertEquals(8.0, h.upperBound(4));
    }

    @Test
    void linear() {
        HistogramSpec h = new HistogramSpec(HistogramSpec.BucketType.LINEAR, 5, 1, 3, List.of());
        assertEquals(List.of(1L, 2L, 3L), h.indexes());
        assertEquals(15.0, h.upperBound(3));
    }

    @Test
    void fixedUsesTheListedKeys() {
        HistogramSpec h = new HistogramSpec(HistogramSpec.BucketType.FIXED, 0.5, 0, 0, List.of(1.0, 10.0, 100.0));
        assertEquals(List.of(1L, 10L, 100L), h.indexes());
        assertEquals(50.0, h.upperBound(100));
    }
}
