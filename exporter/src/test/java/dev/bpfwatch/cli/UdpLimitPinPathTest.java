package dev.bpfwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.agent.Pins;
import dev.bpfwatch.ratelimit.FilterPins;
import dev.bpfwatch.testing.CliRun;
import dev.bpfwatch.testing.ForeignUdpReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** --bpf.pin-path moves the udp-limit pins, and `cleanup` with the same path removes them. */
class UdpLimitPinPathTest {
    @Test
    void filtersPinUnderThePinPathAndCleanupRemovesThem() {
        String name = "test-pinpath-" + ProcessHandle.current().pid();
        Path pinPath = Path.of("/sys/fs/bpf/bpfwatch-test-" + ProcessHandle.current().pid());
        Path filterDir = pinPath.resolve("udp-limit").resolve(name);
        try (ForeignUdpReceiver server = ForeignUdpReceiver.start()) {
            CliRun a = CliRun.of("udp-limit", "attach", "--bpf.pin-path", pinPath.toString(), "--pid",
                    Long.toString(server.pid()), "--port", Integer.toString(server.port()), "--rate", "10",
                    "--name", name);
            assertEquals(0, a.exit(), a.err());
            assertTrue(Files.exists(filterDir.resolve("prog")), "program pinned under the pin path");
            assertTrue(Files.exists(filterDir.resolve("udprl_buckets")), "maps too");
            assertFalse(Files.exists(FilterPins.DEFAULT_PIN_PATH.resolve("udp-limit").resolve(name)),
                    "nothing under the default pin path");

            CliRun here = CliRun.of("udp-limit", "status", "--bpf.pin-path", pinPath.toString(), "--name", name);
            assertEquals(0, here.exit(), here.err());
            assertTrue(here.out().startsWith("filter " + name + ": 10 pps, burst 10 per destination IP (" + filterDir
                    + ")"), here.out());
            CliRun elsewhere = CliRun.of("udp-limit", "status", "--name", name);
            assertEquals(2, elsewhere.exit(), "not under the default pin path: " + elsewhere.out());
            assertTrue(elsewhere.err().startsWith("bpfwatch: no UDP rate-limit filter named '" + name + "' (none pinned at "
                    + FilterPins.DEFAULT_PIN_PATH.resolve("udp-limit").resolve(name)), elsewhere.err());

            CliRun cleanup = CliRun.of("cleanup", "--bpf.pin-path", pinPath.toString());
            assertEquals(0, cleanup.exit(), cleanup.err());
            assertTrue(cleanup.out().contains("removed " + filterDir.resolve("prog")), cleanup.out());
            assertFalse(Files.exists(pinPath), "cleanup removed the filter's pins with the rest");
        } finally {
            FilterPins.useRoot(FilterPins.DEFAULT_PIN_PATH); // the process-wide pin path other tests expect
            if (Files.exists(pinPath)) {
                Pins.removeAll(pinPath);
            }
        }
    }

    @Test
    void aPinPathOutsideBpffsIsRefused() {
        CliRun r = CliRun.of("udp-limit", "status", "--bpf.pin-path", "/tmp/x");
        FilterPins.useRoot(FilterPins.DEFAULT_PIN_PATH);
        assertEquals(2, r.exit());
        assertEquals("bpfwatch: --bpf.pin-path /tmp/x: must be a directory inside /sys/fs/bpf", r.err().strip());
    }
}
