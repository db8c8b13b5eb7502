package dev.bpfwatch.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/** Helpers for the decoder tables. */
final class DecoderTests {
    static final DecoderConfig PLAIN = DecoderConfig.named("test");

    private DecoderTests() {
    }

    /** Bytes from ints, so tables can write 0xff without casts. */
    static byte[] b(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    static byte[] s(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** An 8-byte little-endian integer, as a BPF map key holds a u64. */
    static byte[] u64(long v) {
        byte[] out = new byte[8];
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (v >>> (8 * i));
        }
        return out;
    }

    static void assertDecodes(Decoder d, DecoderConfig c, byte[] in, String expected) throws DecoderException {
        byte[] out = d.decode(in, c);
        assertArrayEquals(s(expected), out, () -> "decoding " + Bytes.show(in) + " gave "
                + (out == null ? "null" : "'" + new String(out, StandardCharsets.UTF_8) + "'"));
    }

    static void assertRejects(Decoder d, DecoderConfig c, byte[] in) {
        assertThrows(DecoderException.class, () -> d.decode(in, c), () -> "decoding " + Bytes.show(in));
    }

    static void assertInvalid(Decoder d, DecoderConfig c, int inputSize, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.validate(c, inputSize));
        assertEquals(message, e.getMessage());
    }

    static Path resource(String name) {
        try {
            return Path.of(DecoderTests.class.getResource("/decode/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A clock the test moves by hand, for the once-a-second refreshes. */
    static final class ManualClock {
        final AtomicLong nanos = new AtomicLong(1_000_000_000L);

        Throttle throttle() {
            return new Throttle(Duration.ofSeconds(1), nanos::get);
        }

        void advance(Duration d) {
            nanos.addAndGet(d.toNanos());
        }
    }

    /** Fixed answers in place of the host. */
    record FakeContext(Map<String, Map<String, Long>> enums, Path kallsyms, Path cgroupRoot)
            implements DecoderContext {
        @Override
        public Optional<Map<String, Long>> kernelEnum(String name) {
            return Optional.ofNullable(enums.get(name));
        }
    }
}
