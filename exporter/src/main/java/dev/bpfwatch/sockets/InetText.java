package dev.bpfwatch.sockets;

import java.net.Inet6Address;
import java.net.InetAddress;

/** Addresses as people write them: 127.0.0.1, ::1, fe80::1 (RFC 5952 shortest form, not Java's 0:0:0:0:0:0:0:1). */
public final class InetText {
    private InetText() {
    }

    public static String of(InetAddress a) {
        if (!(a instanceof Inet6Address)) {
            return a.getHostAddress();
        }
        byte[] b = a.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        // The longest run of two or more zero groups becomes "::" (the first one on a tie).
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }

    /** 127.0.0.1:80, [::1]:80 */
    public static String endpoint(InetAddress a, int port) {
        return (a instanceof Inet6Address ? "[" + of(a) + "]" : of(a)) + ":" + port;
    }
}
