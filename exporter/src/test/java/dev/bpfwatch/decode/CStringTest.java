package dev.bpfwatch.decode;

import static dev.bpfwatch.decode.DecoderTests.PLAIN;
import static dev.bpfwatch.decode.DecoderTests.assertDecodes;
import static dev.bpfwatch.decode.DecoderTests.b;
import static dev.bpfwatch.decode.DecoderTests.s;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CStringTest {
    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of(b(), ""),
                Arguments.of(s("systemd-journal"), "systemd-journal"),
                Arguments.of(s("bash\0\0\0\0\0\0\0\0\0\0\0"), "bash"),
                Arguments.of(s("foo\0bar"), "foo"),
                Arguments.of(s("\0foo"), ""),
                Arguments.of(s("kworker/u8:2"), "kworker/u8:2"),
                Arguments.of(s("naïve\0"), "naïve"));
    }

    @ParameterizedTest
    @MethodSource("table")
    void decodes(byte[] in, String out) throws DecoderException {
        assertDecodes(new CString(), PLAIN, in, out);
    }
}
