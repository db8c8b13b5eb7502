package dev.bpfwatch.metrics;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Exposition bytes, written as the Prometheus client (simpleclient 0.16)
 * writes them: label values escaped the same way, numbers formatted as
 * {@code Collector.doubleToGoString} does. Either grows (label text) or,
 * given a stream, drains into it whenever full (a scrape's body).
 */
final class ExpositionBuffer {
    private static final long NEGATIVE_ZERO = Double.doubleToRawLongBits(-0.0);
    private static final long TEN_TO_THE_19 = Long.parseUnsignedLong("10000000000000000000");
    private static final long[] POWERS_OF_TEN = new long[19];

    static {
        POWERS_OF_TEN[0] = 1;
        for (int i = 1; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = POWERS_OF_TEN[i - 1] * 10;
        }
    }

    private final OutputStream out;
    private byte[] buf;
    private int pos;

    ExpositionBuffer(int initial) {
        this.out = null;
        this.buf = new byte[initial];
    }

    ExpositionBuffer(OutputStream out, int size) {
        this.out = out;
        this.buf = new byte[size];
    }

    void put(byte b) {
        ensure(1);
        buf[pos++] = b;
    }

    void put(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
    }

    /** Backslash, double quote and newline escaped, as simpleclient's writeEscapedLabelValue. */
    void putEscapedLabelValue(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        ensure(utf8.length * 2);
        for (byte c : utf8) {
            switch (c) {
                case '\\' -> {
                    buf[pos++] = '\\';
                    buf[pos++] = '\\';
                }
                case '"' -> {
                    buf[pos++] = '\\';
                    buf[pos++] = '"';
                }
                case '\n' -> {
                    buf[pos++] = '\\';
                    buf[pos++] = 'n';
                }
                default -> buf[pos++] = c;
            }
        }
    }

    /** {@code Collector.doubleToGoString}: "+Inf", "-Inf", else Double.toString. */
    void putValue(double d) {
        // Double.toString writes whole numbers below 10^7 as "N.0": the common
        // case (counters), written without a String.
        if (d == (long) d && Math.abs(d) < 1e7 && Double.doubleToRawLongBits(d) != NEGATIVE_ZERO) {
            putLong((long) d);
            ensure(2);
            buf[pos++] = '.';
            buf[pos++] = '0';
            return;
        }
        String s = d == Double.POSITIVE_INFINITY ? "+Inf" : d == Double.NEGATIVE_INFINITY ? "-Inf" : Double.toString(d);
        ensure(s.length());
        for (int i = 0; i < s.length(); i++) {
            buf[pos++] = (byte) s.charAt(i);
        }
    }

    /**
     * As Long.toUnsignedString, without its String: keys above 2^63 (hashes, addresses
     * read as u64) are common, and a String and builder per label left a 100k-series scrape
     * megabytes of garbage, paid for in collections on the agent's small heap.
     */
    void putUnsignedLong(long v) {
        if (v >= 0) {
            putLong(v);
            return;
        }
        // As Long.toUnsignedString does: all but the last digit fit a signed long.
        long quotient = (v >>> 1) / 5;
        putLong(quotient);
        put((byte) ('0' + (v - quotient * 10)));
    }

    void putLong(long v) {
        ensure(20);
        if (v < 0) {
            buf[pos++] = '-';
            v = -v; // callers pass |v| < 10^7
        }
        // As Long.getChars: the length first, then two digits per division from the end.
        int end = pos + decimalLength(v);
        int at = end;
        while (v >= 100) {
            long q = v / 100;
            int r = (int) (v - q * 100);
            buf[--at] = (byte) ('0' + r % 10);
            buf[--at] = (byte) ('0' + r / 10);
            v = q;
        }
        buf[--at] = (byte) ('0' + v % 10);
        if (v >= 10) {
            buf[--at] = (byte) ('0' + v / 10);
        }
        pos = end;
    }

    /**
     * How many bytes {@link #putValue} writes for {@code d}. Whole numbers below 10^7 (most
     * counters) are counted without a String; others as Double.toString prints them.
     */
    static int valueLength(double d) {
        if (d == (long) d && Math.abs(d) < 1e7 && Double.doubleToRawLongBits(d) != NEGATIVE_ZERO) {
            long v = (long) d;
            return (v < 0 ? 1 : 0) + decimalLength(Math.abs(v)) + 2;
        }
        return d == Double.POSITIVE_INFINITY || d == Double.NEGATIVE_INFINITY ? 4 : Double.toString(d).length();
    }

    /** How many bytes {@link #putUnsignedLong} writes for {@code v}. */
    static int unsignedLength(long v) {
        if (v >= 0) {
            return decimalLength(v);
        }
        // 2^63 and up: 19 digits below 10^19, 20 from there.
        return Long.compareUnsigned(v, TEN_TO_THE_19) < 0 ? 19 : 20;
    }

    /** Digits of {@code v >= 0}: from its bit length (times log10(2), as 1233 / 4096), then one comparison. */
    static int decimalLength(long v) {
        if (v == 0) {
            return 1;
        }
        int t = ((64 - Long.numberOfLeadingZeros(v)) * 1233) >>> 12;
        return v >= POWERS_OF_TEN[t] ? t + 1 : t;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, pos);
    }

    /** Writes what is buffered to the stream (streaming buffers only). */
    void drain() throws java.io.UncheckedIOException {
        try {
            out.write(buf, 0, pos);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        pos = 0;
    }

    private void ensure(int n) {
        if (pos + n <= buf.length) {
            return;
        }
        if (out != null && n <= buf.length) {
            drain();
            return;
        }
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
    }
}
