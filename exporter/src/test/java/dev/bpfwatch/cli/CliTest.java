package dev.bpfwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CliTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = BpfwatchCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void badListenAddressIsOneLineAndExitTwo() {
        assertEquals(2, run("run", "--web.listen-address=nonsense"));
        assertEquals("bpfwatch: --web.listen-address nonsense: expected [HOST]:PORT, e.g. :9435",
                err.toString().strip());
    }

    @Test
    void telemetryPathOfABuiltInEndpointIsRefused() {
        // --metrics.max-series=1 is wrong too, and checked later: a build that let the path through stops
        // there instead of starting an agent. The first problem named must be the path.
        assertEquals(2, run("run", "--web.listen-address=127.0.0.1:0", "--web.telemetry-path=/-/reload",
                "--metrics.max-series=1"));
        assertEquals("bpfwatch: --web.telemetry-path /-/reload: is a built-in endpoint (/, /-/healthy, /-/reload)",
                err.toString().strip());
    }

    @Test
    void flagErrorsAreOneLineWithAPointerToHelp() {
        assertEquals(2, run("run", "--web.listen-adress=:1"));
        assertEquals("bpfwatch: Unknown option: '--web.listen-adress=:1' (did you mean --web.listen-address, "
                + "--web.telemetry-path, --web.config.file?); see 'bpfwatch run --help'\n", err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, run("run", "--metrics.max-series=abc"));
        assertEquals("bpfwatch: Invalid value for option '--metrics.max-series': 'abc' is not an int; "
                + "see 'bpfwatch run --help'\n", err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, run("udp-limit", "attach", "--bogus"));
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().endsWith("; see 'bpfwatch udp-limit attach --help'\n"), err.toString());
        assertEquals("", out.toString());
    }

    @Test
    void portOutOfRangeIsRefused() {
        assertEquals(2, run("run", "--web.listen-address=:70000"));
        assertTrue(err.toString().contains("port must be 0-65535"), err.toString());
        assertFalse(err.toString().contains("\tat "), "no stack trace");
    }

    @Test
    void badNamespaceIsRefused() {
        assertEquals(2, run("run", "--web.listen-address=127.0.0.1:0", "--metrics.namespace=9bad-name"));
        assertTrue(err.toString().contains("--metrics.namespace 9bad-name"), err.toString());
    }

    @Test
    void unknownFlagSuggestsTheClosest() {
        assertEquals(2, run("run", "--web.listen-adress=:1"));
        assertTrue(err.toString().contains("--web.listen-address"), err.toString());
    }

    @Test
    void probePrintsTheKernelReport() {
        assertEquals(0, run("probe"));
        assertTrue(out.toString().contains("tp_btf"), out.toString());
        assertTrue(out.toString().startsWith("kernel "), out.toString());
    }

    @Test
    void helpListsExitCodes() {
        assertEquals(0, run("--help"));
        assertTrue(out.toString().contains("Exit codes:"), out.toString());
    }
}
