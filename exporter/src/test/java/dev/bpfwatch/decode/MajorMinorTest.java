package dev.bpfwatch.decode;

import static dev.bpfwatch.decode.DecoderTests.PLAIN;
import static dev.bpfwatch.decode.DecoderTests.assertDecodes;
import static dev.bpfwatch.decode.DecoderTests.assertInvalid;
import static dev.bpfwatch.decode.DecoderTests.assertRejects;
import static dev.bpfwatch.decode.DecoderTests.b;
import static dev.bpfwatch.decode.DecoderTests.resource;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Device numbers in new_encode_dev() layout; names from decode/partitions. */
class MajorMinorTest {
    private final MajorMinor majorMinor = new MajorMinor(resource("partitions"));

    static Stream<Arguments> table() {
        return Stream.of(
                // ebpf_exporter's own cases
                Arguments.of(b(0x00, 0x08, 0x00, 0x00), "sda"),
                Arguments.of(b(0x10, 0x08, 0x00, 0x00), "sdb"),
                Arguments.of(b(0x10, 0x88, 0x00, 0x00), "unknown:136:16"),
                Arguments.of(b(0x01, 0x08, 0x00, 0x00), "sda1"),
                // major 259 spills into the third byte
                Arguments.of(b(0x00, 0x03, 0x01, 0x00), "nvme0n1"),
                Arguments.of(b(0x01, 0x03, 0x01, 0x00), "nvme0n1p1"),
                // minor 256: its high bits sit above the major
                Arguments.of(b(0x00, 0x08, 0x10, 0x00), "sdq"),
                // 8 bytes: the first 4 count, as in ebpf_exporter
                Arguments.of(b(0x10, 0x08, 0x00, 0x00, 0, 0, 0, 0), "sdb"),
                Arguments.of(b(0, 0, 0, 0), "unknown:0:0"));
    }

    @ParameterizedTest
    @MethodSource("table")
    void names(byte[] in, String out) throws DecoderException {
        assertDecodes(majorMinor, PLAIN, in, out);
    }

    @Test
    void sizes() {
        assertRejects(majorMinor, PLAIN, b(0, 8));
        assertRejects(majorMinor, PLAIN, b());
        assertDoesNotThrow(() -> majorMinor.validate(PLAIN, 8));
        assertInvalid(majorMinor, PLAIN, 2, "label size must be one of 4, 8 bytes, not 2");
    }
}
