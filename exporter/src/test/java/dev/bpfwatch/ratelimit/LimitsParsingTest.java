package dev.bpfwatch.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Operator input: rates, bursts, prefixes, names. */
class LimitsParsingTest {
    @Test
    void rateAndBurstMustBePositiveAndBurstFitsTheProgram() {
        assertEquals(new RateLimit(1, RateLimit.MAX_BURST), RateLimit.of(1, 4294967295L));
        assertThrows(IllegalArgumentException.class, () -> RateLimit.of(0, 1));
        assertThrows(IllegalArgumentException.class, () -> RateLimit.of(1, 0));
        assertThrows(IllegalArgumentException.class, () -> RateLimit.of(1, 4294967296L));
        assertEquals(new RateLimit(100, 10), RateLimit.parse("100:10"));
        assertThrows(IllegalArgumentException.class, () -> RateLimit.parse("100"));
    }

    @Test
    void ipv4PrefixesAreStoredV4Mapped() {
        Prefix p = Prefix.parse("127.0.0.2/32");
        assertEquals(128, p.length());
        assertEquals("127.0.0.2/32", p.toString());
        assertEquals(120, Prefix.parse("10.1.2.3/24").length());
        assertEquals("10.1.2.0/24", Prefix.parse("10.1.2.3/24").toString(), "host bits cleared");
        assertEquals(Prefix.parse("10.1.2.3/24"), Prefix.decode(Prefix.parse("10.1.2.0/24").encode()));
        assertEquals(64, Prefix.parse("2001:db8::/64").length());
        assertEquals(128, Prefix.parse("::1").length());
        assertThrows(IllegalArgumentException.class, () -> Prefix.parse("127.0.0.1/33"));
        assertThrows(IllegalArgumentException.class, () -> Prefix.parse("example.com/32"));
    }

    @Test
    void filterNamesAreSafePathsAndLabels() {
        assertEquals("dns-53", FilterPins.checkName("dns-53"));
        assertThrows(IllegalArgumentException.class, () -> FilterPins.checkName("../x"));
        assertThrows(IllegalArgumentException.class, () -> FilterPins.checkName(""));
    }
}
