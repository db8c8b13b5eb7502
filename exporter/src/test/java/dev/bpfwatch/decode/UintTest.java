package dev.bpfwatch.decode;

import static dev.bpfwatch.decode.DecoderTests.PLAIN;
import static dev.bpfwatch.decode.DecoderTests.assertDecodes;
import static dev.bpfwatch.decode.DecoderTests.assertInvalid;
import static dev.bpfwatch.decode.DecoderTests.assertRejects;
import static dev.bpfwatch.decode.DecoderTests.b;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class UintTest {
    private final Uint uint = new Uint();

    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of(b(0), "0"),
                Arguments.of(b(0xff), "255"),
                Arguments.of(b(0x01, 0x00), "1"),
                Arguments.of(b(0x34, 0x12), "4660"),
                Arguments.of(b(0x06, 0x00, 0x00, 0xa3), "2734686214"),
                Arguments.of(b(0xff, 0xff, 0xff, 0xff), "4294967295"),
                Arguments.of(b(0x01, 0, 0, 0, 0, 0, 0, 0), "1"),
                Arguments.of(b(0, 0, 0, 0, 0x01, 0, 0, 0), "4294967296"),
                // u64 is unsigned, as ebpf_exporter prints it
                Arguments.of(b(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), "18446744073709551615"));
    }

    @ParameterizedTest
    @MethodSource("table")
    void decodes(byte[] in, String out) throws DecoderException {
        assertDecodes(uint, PLAIN, in, out);
    }

    @Test
    void rejectsOtherSizes() {
        for (int size : new int[] {0, 3, 5, 7, 16}) {
            assertRejects(uint, PLAIN, new byte[size]);
        }
    }

    @Test
    void validatesLabelSize() {
        for (int size : new int[] {1, 2, 4, 8}) {
            assertDoesNotThrow(() -> uint.validate(PLAIN, size));
        }
        assertInvalid(uint, PLAIN, 3, "label size must be one of 1, 2, 4, 8 bytes, not 3");
        assertInvalid(uint, PLAIN, -1, "reads the raw key bytes, so it must be the first decoder of the label");
    }
}
