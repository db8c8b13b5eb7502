package dev.bpfwatch.decode;

import static dev.bpfwatch.decode.DecoderTests.assertDecodes;
import static dev.bpfwatch.decode.DecoderTests.assertInvalid;
import static dev.bpfwatch.decode.DecoderTests.s;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StaticMapTest {
    private static final Map<String, String> PROTOCOLS = Map.of("6", "tcp", "17", "udp", "", "empty");
    private static final DecoderConfig STRICT = new DecoderConfig("static_map", PROTOCOLS, false, null, null, null);
    private static final DecoderConfig LENIENT = new DecoderConfig("static_map", PROTOCOLS, true, null, null, null);

    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of(STRICT, "6", "tcp"),
                Arguments.of(STRICT, "17", "udp"),
                Arguments.of(STRICT, "", "empty"),
                Arguments.of(STRICT, "1", "unknown:1"),
                Arguments.of(STRICT, "06", "unknown:06"),
                Arguments.of(LENIENT, "6", "tcp"),
                Arguments.of(LENIENT, "1", "1"));
    }

    @ParameterizedTest
    @MethodSource("table")
    void maps(DecoderConfig config, String in, String out) throws DecoderException {
        assertDecodes(new StaticMap(), config, s(in), out);
    }

    @Test
    void needsAMap() {
        assertDoesNotThrow(() -> new StaticMap().validate(STRICT, -1));
        assertInvalid(new StaticMap(), DecoderConfig.named("static_map"), -1, "static_map is missing or empty");
    }
}
