package dev.bpfwatch.decode;

import static dev.bpfwatch.decode.DecoderTests.PLAIN;
import static dev.bpfwatch.decode.DecoderTests.assertDecodes;
import static dev.bpfwatch.decode.DecoderTests.s;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The first four rows are ebpf_exporter's own cases. */
class DnameTest {
    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of(s(""), "."),
                Arguments.of(s("\u0003com"), "com"),
                Arguments.of(s("\u0007example\u0003com"), "example.com"),
                // a label longer than what is left: the input comes back as it was
                Arguments.of(s("\u0005com"), "\u0005com"),
                Arguments.of(s("\u0003www\u0007example\u0003com"), "www.example.com"),
                // the root label (the terminating zero) becomes a trailing dot;
                // configs put 'string' first to cut it off
                Arguments.of(s("\u0003www\u0007example\u0003com\u0000"), "www.example.com."),
                Arguments.of(s("\u0000"), ""),
                Arguments.of(s("\u0001a\u0001b"), "a.b"));
    }

    @ParameterizedTest
    @MethodSource("table")
    void decodes(byte[] in, String out) throws DecoderException {
        assertDecodes(new Dname(), PLAIN, in, out);
    }
}
