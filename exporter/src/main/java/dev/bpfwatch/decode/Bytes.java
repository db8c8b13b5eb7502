package dev.bpfwatch.decode;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Reading numbers out of label bytes, shared by the decoders. */
final class Bytes {
    private static final int SHOWN = 32;

    private Bytes() {
    }

    /**
     * An unsigned integer of 1, 2, 4 or 8 bytes in host order. bpfwatch only
     * runs on little-endian hosts (x86_64, arm64), as BPF maps hold keys in
     * host order; signedness is the caller's business.
     */
    static long littleEndian(byte[] in) throws DecoderException {
        switch (in.length) {
            case 1, 2, 4, 8:
                long v = 0;
                for (int i = in.length - 1; i >= 0; i--) {
                    v = (v << 8) | (in[i] & 0xff);
                }
                return v;
            default:
                throw new DecoderException("expected 1, 2, 4 or 8 bytes, got " + in.length + ": " + show(in));
        }
    }

    /**
     * The unsigned decimal text that {@code uint} produced, for decoders that
     * come after it (errno, syscall, cgroup, enum), as in ebpf_exporter.
     */
    static long decimal(byte[] in) throws DecoderException {
        // Long.parseUnsignedLong accepts a leading '+'; uint never writes one.
        if (in.length == 0 || in.length > 20 || !allDigits(in)) {
            throw new DecoderException("expected the decimal text of a number (put 'uint' first), got " + show(in));
        }
        try {
            return Long.parseUnsignedLong(new String(in, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            throw new DecoderException("number out of range: " + show(in));
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Bytes for an error message: hex, cut short so one bad key cannot flood a log. */
    static String show(byte[] in) {
        if (in.length <= SHOWN) {
            return "0x" + HexFormat.of().formatHex(in);
        }
        return "0x" + HexFormat.of().formatHex(in, 0, SHOWN) + "... (" + in.length + " bytes)";
    }

    private static boolean allDigits(byte[] in) {
        for (byte b : in) {
            if (b < '0' || b > '9') {
                return false;
            }
        }
        return true;
    }
}
