package dev.bpfwatch.ratelimit;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A token bucket's settings as the filter reads them (struct udprl_config):
 * {@code ratePps} packets a second refill, {@code burst} packets at most
 * saved up. A rate of 0 means no limit (the filter only counts).
 */
public record RateLimit(long ratePps, long burst) {
    /** The program caps burst here so burst * interval cannot wrap; more would be silently cut. */
    public static final long MAX_BURST = 0xffffffffL;
    static final int SIZE = 16;

    /** Settings an operator gave: both positive, burst within what the program honours. */
    public static RateLimit of(long ratePps, long burst) {
        if (ratePps <= 0) {
            throw new IllegalArgumentException("rate must be a positive number of packets per second, got " + ratePps);
        }
        if (burst <= 0 || burst > MAX_BURST) {
            throw new IllegalArgumentException("burst must be between 1 and " + MAX_BURST + " packets, got " + burst);
        }
        return new RateLimit(ratePps, burst);
    }

    /**
     * The burst when none is given: one second's worth of the rate. Small
     * enough that a flood gets at most one second of traffic through at
     * once; large enough that a client's normal short bursts (a resolver's
     * parallel queries) pass whole at any rate worth setting.
     */
    public static long defaultBurst(long ratePps) {
        return Math.max(1, Math.min(ratePps, MAX_BURST));
    }

    /** "RATE:BURST", as --override takes it. */
    public static RateLimit parse(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException("expected RATE:BURST, got '" + text + "'");
        }
        try {
            return of(Long.parseLong(parts[0].strip()), Long.parseLong(parts[1].strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected RATE:BURST as whole numbers, got '" + text + "'");
        }
    }

    public boolean unlimited() {
        return ratePps == 0;
    }

    /** GCRA emission interval T in ns, with the program's integer division and floor of 1. */
    long intervalNs() {
        return Math.max(1, 1_000_000_000L / ratePps);
    }

    /** The burst the program actually uses: 0 counts as 1, more than {@link #MAX_BURST} as the cap. */
    long effectiveBurst() {
        return Math.min(Math.max(burst, 1), MAX_BURST);
    }

    byte[] encode() {
        return ByteBuffer.allocate(SIZE).order(ByteOrder.nativeOrder()).putLong(ratePps).putLong(burst).array();
    }

    static RateLimit decode(byte[] value) {
        ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.nativeOrder());
        return new RateLimit(b.getLong(0), b.getLong(8));
    }

    @Override
    public String toString() {
        return unlimited() ? "unlimited" : ratePps + " pps, burst " + burst;
    }
}
