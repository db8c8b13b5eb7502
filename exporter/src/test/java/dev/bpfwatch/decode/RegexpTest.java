package dev.bpfwatch.decode;

import static dev.bpfwatch.decode.DecoderTests.assertDecodes;
import static dev.bpfwatch.decode.DecoderTests.assertInvalid;
import static dev.bpfwatch.decode.DecoderTests.assertRejects;
import static dev.bpfwatch.decode.DecoderTests.s;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RegexpTest {
    private static final DecoderConfig ANCHORED = regexps("^systemd-journal$", "^syslog-ng$");
    private static final DecoderConfig LOOSE = regexps("journal");

    private static DecoderConfig regexps(String... patterns) {
        return new DecoderConfig("regexp", null, false, List.of(patterns), null, null);
    }

    static Stream<Arguments> kept() {
        return Stream.of(
                Arguments.of(ANCHORED, "systemd-journal"),
                Arguments.of(ANCHORED, "syslog-ng"),
                // unanchored, like Go's MatchString: a match anywhere keeps the sample
                Arguments.of(LOOSE, "systemd-journal"),
                Arguments.of(LOOSE, "journald"));
    }

    static Stream<Arguments> skipped() {
        return Stream.of(
                Arguments.of(ANCHORED, "systemd-bananad"),
                Arguments.of(ANCHORED, "systemd-journald"),
                Arguments.of(ANCHORED, ""),
                Arguments.of(LOOSE, "syslog-ng"));
    }

    @ParameterizedTest
    @MethodSource("kept")
    void keepsMatches(DecoderConfig config, String in) throws DecoderException {
        assertDecodes(new Regexp(), config, s(in), in);
    }

    @ParameterizedTest
    @MethodSource("skipped")
    void skipsTheRest(DecoderConfig config, String in) throws DecoderException {
        assertNull(new Regexp().decode(s(in), config));
    }

    @Test
    void validatesPatterns() {
        Regexp r = new Regexp();
        assertDoesNotThrow(() -> r.validate(ANCHORED, -1));
        assertInvalid(r, DecoderConfig.named("regexp"), -1, "regexps is missing or empty");
        assertInvalid(r, regexps("^ok$", "(unclosed"), -1, "bad regexp '(unclosed': Unclosed group");
        // unvalidated configs still fail per sample, not per scrape
        assertRejects(r, regexps("(unclosed"), s("x"));
        assertRejects(r, DecoderConfig.named("regexp"), s("x"));
    }
}
