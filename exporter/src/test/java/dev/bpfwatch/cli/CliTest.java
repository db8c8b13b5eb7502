package dev.bpfwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.CliRun;
import org.junit.jupiter.api.Test;

class CliTest {
    private CliRun last;

    private int run(String... args) {
        last = CliRun.of(args);
        return last.exit();
    }

    @Test
    void badListenAddressIsOneLineAndExitTwo() {
        assertEquals(2, run("run", "--web.listen-address=nonsense"));
        assertEquals("bpfwatch: --web.listen-address nonsense: expected [HOST]:PORT, e.g. :9435",
                last.err().strip());
    }

    @Test
    void telemetryPathOfABuiltInEndpointIsRefused() {
        // --metrics.max-series=1 is wrong too, and checked later: a build that let the path through stops
        // there instead of starting an agent. The first problem named must be the path.
        assertEquals(2, run("run", "--web.listen-address=127.0.0.1:0", "--web.telemetry-path=/-/reload",
                "--metrics.max-series=1"));
        assertEquals("bpfwatch: --web.telemetry-path /-/reload: is a built-in endpoint (/, /-/healthy, /-/reload)",
                last.err().strip());
    }

    @Test
    void flagErrorsAreOneLineWithAPointerToHelp() {
        assertEquals(2, run("run", "--web.listen-adress=:1"));
        assertEquals("bpfwatch: Unknown option: '--web.listen-adress=:1' (did you mean --web.listen-address, "
                + "--web.telemetry-path, --web.config.file?); see 'bpfwatch run --help'\n", last.err());
        assertEquals(2, run("run", "--metrics.max-series=abc"));
        assertEquals("bpfwatch: Invalid value for option '--metrics.max-series': 'abc' is not an int; "
                + "see 'bpfwatch run --help'\n", last.err());
        assertEquals(2, run("udp-limit", "attach", "--bogus"));
        assertEquals(1, last.err().lines().count(), last.err());
        assertTrue(last.err().endsWith("; see 'bpfwatch udp-limit attach --help'\n"), last.err());
        assertEquals("", last.out());
    }

    @Test
    void portOutOfRangeIsRefused() {
        assertEquals(2, run("run", "--web.listen-address=:70000"));
        assertTrue(last.err().contains("port must be 0-65535"), last.err());
        assertFalse(last.err().contains("\tat "), "no stack trace");
    }

    @Test
    void badNamespaceIsRefused() {
        assertEquals(2, run("run", "--web.listen-address=127.0.0.1:0", "--metrics.namespace=9bad-name"));
        assertTrue(last.err().contains("--metrics.namespace 9bad-name"), last.err());
    }

    @Test
    void unknownFlagSuggestsTheClosest() {
        assertEquals(2, run("run", "--web.listen-adress=:1"));
        assertTrue(last.err().contains("--web.listen-address"), last.err());
    }

    @Test
    void probePrintsTheKernelReport() {
        assertEquals(0, run("probe"));
        assertTrue(last.out().contains("tp_btf"), last.out());
        assertTrue(last.out().startsWith("kernel "), last.out());
    }

    @Test
    void helpListsExitCodes() {
        assertEquals(0, run("--help"));
        assertTrue(last.out().contains("Exit codes:"), last.out());
    }
}
