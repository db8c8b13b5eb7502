package dev.bpfwatch.decode;

/**
 * {@code inet_ip}: a 4- or 16-byte address in network order as text,
 * formatted exactly as Go's net.IP.String() does, so that series carry the
 * same label values as under ebpf_exporter: IPv4-mapped IPv6 addresses print
 * as dotted IPv4, groups drop leading zeros, and the first longest run of two
 * or more zero groups becomes "::". (Java's Inet6Address never compresses and
 * would differ.)
 */
public final class InetIp implements Decoder {

    @Override
    public byte[] decode(byte[] in, DecoderConfig config) throws DecoderException {
        if (in.length == 4) {
            return Bytes.utf8(dotted(in, 0));
        }
        if (in.length == 16) {
            return Bytes.utf8(isV4Mapped(in) ? dotted(in, 12) : v6(in));
        }
        throw new DecoderException("an IP address is 4 or 16 bytes, got " + in.length + ": " + Bytes.show(in));
    }

    @Override
    public void validate(DecoderConfig config, int inputSize) {
        Inputs.requireRaw(inputSize, 4, 16);
    }

    private static String dotted(byte[] a, int from) {
        return (a[from] & 0xff) + "." + (a[from + 1] & 0xff) + "." + (a[from + 2] & 0xff) + "." + (a[from + 3] & 0xff);
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return (a[10] & 0xff) == 0xff && (a[11] & 0xff) == 0xff;
    }

    private static String v6(byte[] a) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
        }
        // Longest run of zero groups; on a tie the first wins. A lone zero
        // group is not compressed (RFC 5952, and what Go does).
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }
}
