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
                Arguments.of(ANCHORED, "systemd-journal", "systemd-journal"),
                Arguments.of(ANCHORED, "syslog-ng", "syslog-ng"),
                // unanchored, like Go's: a match anywhere keeps the sample, and the match is the label
                Arguments.of(LOOSE, "systemd-journal", "journal"),
                Arguments.of(LOOSE, "journald", "journal"),
                // a capture group: its text is the label
                Arguments.of(regexps("^(kswapd).*$"), "kswapd0", "kswapd"),
                Arguments.of(regexps("^(systemd).*$", "^syslog-ng$"), "systemd-bananad", "systemd"),
                Arguments.of(regexps("^(systemd).*$", "^syslog-ng$"), "syslog-ng", "syslog-ng"),
                // the first pattern that matches decides, even if a later one has a group
                Arguments.of(regexps("^sys", "^(systemd)"), "systemd-journal", "sys"),
                // several groups: the first one (ebpf_exporter would skip the sample)
                Arguments.of(regexps("^(\\w+)-(\\w+)$"), "systemd-journal", "systemd"),
                // a group that took no part in the match gives an empty label
                Arguments.of(regexps("^kworker(/\\d+)?"), "kworker", ""),
                // a non-capturing group is no group
                Arguments.of(regexps("^(?:kworker)/\\d+"), "kworker/3:1", "kworker/3"));
    }

    static Stream<Arguments> skipped() {
        return Stream.of(
                Arguments.of(ANCHORED, "systemd-bananad"),
                Arguments.of(ANCHORED, "systemd-journald"),
                Arguments.of(ANCHORED, ""),
                Arguments.of(LOOSE, "syslog-ng"),
                Arguments.of(regexps("^(kswapd).*$"), "kthreadd"));
    }

    @ParameterizedTest
    @MethodSource("kept")
    void keepsMatches(DecoderConfig config, String in, String label) throws DecoderException {
        assertDecodes(new Regexp(), config, s(in), label);
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
