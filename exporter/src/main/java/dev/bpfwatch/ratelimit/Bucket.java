package dev.bpfwatch.ratelimit;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One destination address's token bucket (struct udprl_bucket): the GCRA
 * theoretical arrival time and what the filter passed and dropped for it.
 */
public record Bucket(byte[] address, long tatNs, long passed, long dropped) {
    static final int KEY_SIZE = 16;
    static final int VALUE_SIZE = 24;

    static Bucket decode(byte[] key, byte[] value) {
        ByteBuffer v = ByteBuffer.wrap(value).order(ByteOrder.nativeOrder());
        return new Bucket(key.clone(), v.getLong(0), v.getLong(8), v.getLong(16));
    }

    /** The destination as operators write it (IPv4 plain, IPv6 compressed). */
    public String dstIp() {
        return Addresses.format(address);
    }

    /**
     * Packets this bucket would admit back to back at {@code nowNs}
     * (CLOCK_MONOTONIC, the clock of bpf_ktime_get_ns). The program admits a
     * packet while max(tat, now) + T - now <= burst * T, so k packets fit
     * while max(tat, now) + k * T <= now + burst * T.
     */
    public long tokens(RateLimit limit, long nowNs) {
        long interval = limit.intervalNs();
        long burst = limit.effectiveBurst();
        long ahead = Math.max(tatNs, nowNs) - nowNs; // credit already spent, in ns
        long free = burst * interval - ahead;
        return Math.max(0, Math.min(burst, free / interval));
    }
}
