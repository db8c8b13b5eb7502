package dev.bpfwatch.decode;

import static dev.bpfwatch.decode.DecoderTests.PLAIN;
import static dev.bpfwatch.decode.DecoderTests.assertDecodes;
import static dev.bpfwatch.decode.DecoderTests.assertInvalid;
import static dev.bpfwatch.decode.DecoderTests.assertRejects;
import static dev.bpfwatch.decode.DecoderTests.resource;
import static dev.bpfwatch.decode.DecoderTests.u64;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import dev.bpfwatch.decode.DecoderTests.ManualClock;
import java.io.ByteArrayOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class KstackTest {
    private final Kstack kstack = new Kstack(new KernelSymbols(resource("kallsyms"), new ManualClock().throttle()));

    private static byte[] stack(long... frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (long f : frames) {
            out.writeBytes(u64(f));
        }
        return out.toByteArray();
    }

    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of(stack(0xffffffff81002010L, 0xffffffff81001005L, 0xffffffffc0a00004L),
                        "helper_static\ndo_one_initcall\nmod_func"),
                // bpf_get_stack zero-fills the rest of the buffer: the first zero ends the stack
                Arguments.of(stack(0xffffffff81001005L, 0, 0xffffffff81002010L, 0),
                        "do_one_initcall"),
                Arguments.of(stack(0xffffffff81001005L, 0x42L, 0xffffffffc0a00104L),
                        "do_one_initcall\n??\nmod_other"),
                Arguments.of(stack(0, 0, 0, 0), ""),
                Arguments.of(stack(), ""));
    }

    @ParameterizedTest
    @MethodSource("table")
    void symbolises(byte[] in, String out) throws DecoderException {
        assertDecodes(kstack, PLAIN, in, out);
    }

    @Test
    void sizes() {
        assertRejects(kstack, PLAIN, new byte[12]);
        assertDoesNotThrow(() -> kstack.validate(PLAIN, 127 * 8));
        assertInvalid(kstack, PLAIN, 12, "label size must be a multiple of 8 bytes (one address per frame), not 12");
        assertInvalid(kstack, PLAIN, -1, "reads the raw key bytes, so it must be the first decoder of the label");
    }
}
