package dev.bpfwatch.ratelimit;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * The filter's 16-byte address form: IPv6 as is, IPv4 v4-mapped
 * (::ffff:a.b.c.d), so one key type serves both families and dual-stack
 * sockets. Printed back, mapped addresses are plain IPv4, as operators know them.
 */
final class Addresses {
    private static final byte[] V4_MAPPED_PREFIX = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff};

    private Addresses() {
    }

    static byte[] mapped(InetAddress address) {
        byte[] raw = address.getAddress();
        if (raw.length == 16) {
            return raw;
        }
        byte[] out = new byte[16];
        System.arraycopy(V4_MAPPED_PREFIX, 0, out, 0, 12);
        System.arraycopy(raw, 0, out, 12, 4);
        return out;
    }

    static boolean isV4Mapped(byte[] addr16) {
        return Arrays.equals(addr16, 0, 12, V4_MAPPED_PREFIX, 0, 12);
    }

    /** Parses a literal address only: never a name lookup. */
    static InetAddress parseLiteral(String text) {
        if (!text.matches("[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException("not an IP address: '" + text + "'");
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: '" + text + "'");
        }
    }

    static String format(byte[] addr16) {
        try {
            if (isV4Mapped(addr16)) {
                return InetAddress.getByAddress(Arrays.copyOfRange(addr16, 12, 16)).getHostAddress();
            }
            InetAddress a = InetAddress.getByAddress(addr16);
            // Java maps ::ffff:a.b.c.d to Inet4Address itself; the check above already caught those.
            return a instanceof Inet4Address ? a.getHostAddress() : compress(a.getHostAddress());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("address of " + addr16.length + " bytes", e);
        }
    }

    /** Java prints IPv6 uncompressed (0:0:0:0:0:0:0:1); operators expect ::1. */
    private static String compress(String full) {
        String s = full.replaceAll("%.*$", "");
        String[] groups = s.split(":");
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < groups.length; ) {
            if (!groups[i].equals("0")) {
                i++;
                continue;
            }
            int j = i;
            while (j < groups.length && groups[j].equals("0")) {
                j++;
            }
            if (j - i > bestLen && j - i > 1) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        if (bestStart < 0) {
            return s;
        }
        String head = String.join(":", Arrays.copyOfRange(groups, 0, bestStart));
        String tail = String.join(":", Arrays.copyOfRange(groups, bestStart + bestLen, groups.length));
        return head + "::" + tail;
    }
}
