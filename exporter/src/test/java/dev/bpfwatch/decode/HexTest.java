package dev.bpfwatch.decode;

import static dev.bpfwatch.decode.DecoderTests.PLAIN;
import static dev.bpfwatch.decode.DecoderTests.assertDecodes;
import static dev.bpfwatch.decode.DecoderTests.b;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HexTest {
    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of(b(), ""),
                Arguments.of(b(0x00), "00"),
                Arguments.of(b(0x00, 0x0a), "000a"),
                Arguments.of(b(0xde, 0xad, 0xbe, 0xef), "deadbeef"),
                Arguments.of(b(0xAB, 0xCD), "abcd"));
    }

    @ParameterizedTest
    @MethodSource("table")
    void decodes(byte[] in, String out) throws DecoderException {
        assertDecodes(new Hex(), PLAIN, in, out);
    }
}
