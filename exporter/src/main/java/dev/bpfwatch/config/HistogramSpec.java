package dev.bpfwatch.config;

import java.util.List;

/**
 * ebpf_exporter's histogram buckets: the last label of the key is the bucket
 * index; {@code exp2} buckets are 2^i, {@code exp2zero} adds a bucket for 0,
 * {@code linear} are i, {@code fixed} are the listed keys; all times the
 * multiplier. The key after the last bucket, if present, holds the sum:
 * bucket_max + 1, or for {@code fixed} the last listed key + 1 (as
 * ebpf_exporter reads it).
 */
public record HistogramSpec(BucketType bucketType, double multiplier, int bucketMin, int bucketMax,
                            List<Double> bucketKeys) {
    /** Buckets one histogram may have: each is a series per label set (Prometheus' own use a few dozen). */
    public static final int MAX_BUCKETS = 4096;

    public enum BucketType {
        EXP2, EXP2ZERO, LINEAR, FIXED;

        static BucketType parse(String s) {
            return valueOf(s.toUpperCase());
        }
    }

    /** The upper bound ("le") of bucket index {@code i}. */
    public double upperBound(long i) {
        switch (bucketType) {
            case EXP2:
                return Math.scalb(1.0, (int) i) * multiplier;
            case EXP2ZERO:
                return i == 0 ? 0 : Math.scalb(1.0, (int) i - 1) * multiplier;
            case LINEAR:
            case FIXED:
            default:
                return i * multiplier;
        }
    }

    /** The key whose count is the sum of the observed values (times the multiplier). */
    public long sumKey() {
        if (bucketType == BucketType.FIXED) {
            return bucketKeys.get(bucketKeys.size() - 1).longValue() + 1;
        }
        return bucketMax + 1L;
    }

    /** Bucket indexes in order, as the key carries them. */
    public List<Long> indexes() {
        if (bucketType == BucketType.FIXED) {
            return bucketKeys.stream().map(Double::longValue).toList();
        }
        List<Long> out = new java.util.ArrayList<>();
        for (long i = bucketMin; i <= bucketMax; i++) {
            out.add(i);
        }
        return out;
    }
}
