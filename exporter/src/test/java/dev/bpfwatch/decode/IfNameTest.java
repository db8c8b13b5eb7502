package dev.bpfwatch.decode;

import static dev.bpfwatch.decode.DecoderTests.PLAIN;
import static dev.bpfwatch.decode.DecoderTests.assertDecodes;
import static dev.bpfwatch.decode.DecoderTests.assertInvalid;
import static dev.bpfwatch.decode.DecoderTests.assertRejects;
import static dev.bpfwatch.decode.DecoderTests.b;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.decode.DecoderTests.ManualClock;
import dev.bpfwatch.libbpf.NetworkNamespace;
import dev.bpfwatch.testing.TestNetns;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IfNameTest {
    @TempDir
    Path sys;

    private final ManualClock clock = new ManualClock();
    private IfName ifname;

    @BeforeEach
    void fakeSysfs() throws IOException {
        iface("lo", "1");
        iface("eth42", "2734686214");
        ifname = new IfName(sys, clock.throttle(), index -> Optional.empty());
    }

    private void iface(String name, String index) throws IOException {
        Files.createDirectories(sys.resolve(name));
        Files.writeString(sys.resolve(name).resolve("ifindex"), index + "\n");
    }

    /** ebpf_exporter's own cases. */
    @Test
    void names() throws DecoderException {
        assertDecodes(ifname, PLAIN, b(0x01, 0, 0, 0), "lo");
        assertDecodes(ifname, PLAIN, b(0x06, 0, 0, 0xa3), "eth42");
        assertDecodes(ifname, PLAIN, b(0, 0, 0, 0), "unknown:0");
    }

    @Test
    void sysfsIsReadAgainOnAMissAtMostOnceASecondAndAMissIsProvisional() throws Exception {
        assertDecodes(ifname, PLAIN, b(0x01, 0, 0, 0), "lo");
        iface("veth7", "7");
        // sysfs was read a moment ago: not again yet (and this fake kernel knows nothing)
        Decoded miss = ifname.decodeLabel(b(7, 0, 0, 0), PLAIN);
        assertEquals("unknown:7", new String(miss.value(), StandardCharsets.UTF_8));
        assertTrue(miss.provisional(), "a miss must not be cached as the label");
        clock.advance(Duration.ofSeconds(1));
        assertDecodes(ifname, PLAIN, b(7, 0, 0, 0), "veth7");
        assertFalse(ifname.decodeLabel(b(7, 0, 0, 0), PLAIN).provisional());
    }

    /**
     * Real kernel: an interface made a moment ago (in a namespace of the
     * test's own) is named by its first lookup, though sysfs was just read.
     */
    @Test
    void anInterfaceMadeJustNowIsNamedAtOnce() throws Exception {
        IfName real = new IfName();
        try (TestNetns ns = TestNetns.create()) {
            Path nsFile = Path.of("/run/netns/" + ns.name());
            assertEquals("lo", NetworkNamespace.call(nsFile, () -> decode(real, 1)));
            run("ip", "-n", ns.name(), "link", "add", "bpfw-late", "index", "4242", "type", "veth", "peer", "name",
                    "bpfw-peer");
            assertEquals("bpfw-late", NetworkNamespace.call(nsFile, () -> decode(real, 4242)));
            assertEquals("unknown:4243", NetworkNamespace.call(nsFile, () -> decode(real, 4243)));
        }
    }

    private static String decode(IfName d, int index) {
        try {
            return new String(d.decode(b(index & 0xff, (index >> 8) & 0xff, 0, 0), PLAIN), StandardCharsets.UTF_8);
        } catch (DecoderException e) {
            throw new AssertionError(e);
        }
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
    }

    @Test
    void hostLoopback() throws DecoderException {
        Assumptions.assumeTrue(Files.isDirectory(IfName.SYS_CLASS_NET.resolve("lo")), "no sysfs");
        assertDecodes(new IfName(), PLAIN, b(1, 0, 0, 0), "lo");
    }

    @Test
    void wantsFourBytes() {
        assertRejects(ifname, PLAIN, b(1, 0));
        assertRejects(ifname, PLAIN, new byte[8]);
        assertInvalid(ifname, PLAIN, 8, "label size must be 4 bytes, not 8");
    }
}
