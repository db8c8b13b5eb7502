package dev.bpfwatch.decode;

import static dev.bpfwatch.decode.DecoderTests.PLAIN;
import static dev.bpfwatch.decode.DecoderTests.assertDecodes;
import static dev.bpfwatch.decode.DecoderTests.assertInvalid;
import static dev.bpfwatch.decode.DecoderTests.assertRejects;
import static dev.bpfwatch.decode.DecoderTests.b;

import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Expected values are what Go's net.IP.String() prints for the same bytes. */
class InetIpTest {
    private final InetIp ip = new InetIp();

    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of(b(1, 2, 3, 4), "1.2.3.4"),
                Arguments.of(b(0, 0, 0, 0), "0.0.0.0"),
                Arguments.of(b(255, 255, 255, 255), "255.255.255.255"),
                Arguments.of(v6("2400cb000004102400000000a29efd8f"), "2400:cb00:4:1024::a29e:fd8f"),
                Arguments.of(v6("00000000000000000000000000000000"), "::"),
                Arguments.of(v6("00000000000000000000000000000001"), "::1"),
                Arguments.of(v6("00010000000000000000000000000000"), "1::"),
                Arguments.of(v6("fe800000000000000000000000000001"), "fe80::1"),
                // IPv4-mapped addresses print as IPv4, as dual-stack sockets report them
                Arguments.of(v6("00000000000000000000ffff01020304"), "1.2.3.4"),
                Arguments.of(v6("00000000000000000000ffff00000000"), "0.0.0.0"),
                // IPv4-compatible (deprecated) addresses stay IPv6
                Arguments.of(v6("00000000000000000000000001020304"), "::102:304"),
                // the longest zero run is compressed; on a tie, the first
                Arguments.of(v6("20010db8000000000001000000000001"), "2001:db8::1:0:0:1"),
                Arguments.of(v6("00010000000000020000000000030004"), "1::2:0:0:3:4"),
                Arguments.of(v6("00010000000000020000000000000003"), "1:0:0:2::3"),
                Arguments.of(v6("00010000000200000000000300000000"), "1:0:2::3:0:0"),
                // a lone zero group is not compressed
                Arguments.of(v6("00010000000100000001000000010000"), "1:0:1:0:1:0:1:0"),
                Arguments.of(v6("ffffffffffffffffffffffffffffffff"), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
                Arguments.of(v6("0abc0def000000000000000000000000"), "abc:def::"));
    }

    private static byte[] v6(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    @ParameterizedTest
    @MethodSource("table")
    void formatsLikeGo(byte[] in, String out) throws DecoderException {
        assertDecodes(ip, PLAIN, in, out);
    }

    @Test
    void rejectsOtherSizes() {
        assertRejects(ip, PLAIN, b());
        assertRejects(ip, PLAIN, b(1, 2, 3));
        assertRejects(ip, PLAIN, new byte[8]);
        assertInvalid(ip, PLAIN, 8, "label size must be one of 4, 16 bytes, not 8");
    }
}
