package dev.bpfwatch.decode;

import static dev.bpfwatch.decode.DecoderTests.PLAIN;
import static dev.bpfwatch.decode.DecoderTests.assertDecodes;
import static dev.bpfwatch.decode.DecoderTests.assertInvalid;
import static dev.bpfwatch.decode.DecoderTests.assertRejects;
import static dev.bpfwatch.decode.DecoderTests.b;
import static dev.bpfwatch.decode.DecoderTests.s;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Names are those of Go's unix.ErrnoName on linux/amd64, which ebpf_exporter prints. */
class ErrnoTest {
    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of("1", "EPERM"),
                Arguments.of("2", "ENOENT"),
                Arguments.of("11", "EAGAIN"),
                Arguments.of("13", "EACCES"),
                Arguments.of("35", "EDEADLK"),
                Arguments.of("95", "ENOTSUP"),
                Arguments.of("104", "ECONNRESET"),
                Arguments.of("110", "ETIMEDOUT"),
                Arguments.of("133", "EHWPOISON"),
                Arguments.of("0", "unknown:0"),
                Arguments.of("41", "unknown:41"),
                Arguments.of("58", "unknown:58"),
                Arguments.of("134", "unknown:134"),
                Arguments.of("4294967298", "unknown:4294967298"),
                Arguments.of("18446744073709551615", "unknown:18446744073709551615"));
    }

    @ParameterizedTest
    @MethodSource("table")
    void names(String in, String out) throws DecoderException {
        assertDecodes(new Errno(), PLAIN, s(in), out);
    }

    @Test
    void takesTheTextOfUint() {
        assertRejects(new Errno(), PLAIN, b(2, 0, 0, 0));
        assertRejects(new Errno(), PLAIN, s(""));
        assertRejects(new Errno(), PLAIN, s("-2"));
        assertRejects(new Errno(), PLAIN, s("+2"));
        assertRejects(new Errno(), PLAIN, s("18446744073709551616"));
        assertInvalid(new Errno(), PLAIN, 4, "reads the decimal text of a number: put 'uint' before it");
    }
}
