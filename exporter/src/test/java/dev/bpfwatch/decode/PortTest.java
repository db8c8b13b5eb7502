package dev.bpfwatch.decode;

import static dev.bpfwatch.decode.DecoderTests.PLAIN;
import static dev.bpfwatch.decode.DecoderTests.assertDecodes;
import static dev.bpfwatch.decode.DecoderTests.assertInvalid;
import static dev.bpfwatch.decode.DecoderTests.assertRejects;
import static dev.bpfwatch.decode.DecoderTests.b;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PortTest {
    private final Port port = new Port();

    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of(b(0x00, 0x50), "80"),
                Arguments.of(b(0x1f, 0x90), "8080"),
                Arguments.of(b(0x01, 0xbb), "443"),
                Arguments.of(b(0x00, 0x00), "0"),
                Arguments.of(b(0xff, 0xff), "65535"));
    }

    @ParameterizedTest
    @MethodSource("table")
    void decodesNetworkOrder(byte[] in, String out) throws DecoderException {
        assertDecodes(port, PLAIN, in, out);
    }

    @Test
    void rejectsOtherSizes() {
        assertRejects(port, PLAIN, b());
        assertRejects(port, PLAIN, b(0x50));
        assertRejects(port, PLAIN, b(0, 0x50, 0, 0));
        assertInvalid(port, PLAIN, 4, "label size must be 2 bytes, not 4");
    }
}
