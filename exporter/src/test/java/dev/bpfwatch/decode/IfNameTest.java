package dev.bpfwatch.decode;

import static dev.bpfwatch.decode.DecoderTests.PLAIN;
import static dev.bpfwatch.decode.DecoderTests.assertDecodes;
import static dev.bpfwatch.decode.DecoderTests.assertInvalid;
import static dev.bpfwatch.decode.DecoderTests.assertRejects;
import static dev.bpfwatch.decode.DecoderTests.b;

import dev.bpfwatch.decode.DecoderTests.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
        ifname = new IfName(sys, clock.throttle());
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
    void newInterfacesAreFoundOnAMissAtMostOnceASecond() throws Exception {
        assertDecodes(ifname, PLAIN, b(0x01, 0, 0, 0), "lo");
        iface("veth7", "7");
        // sysfs was read a moment ago: not again yet
        assertDecodes(ifname, PLAIN, b(7, 0, 0, 0), "unknown:7");
        clock.advance(Duration.ofSeconds(1));
        assertDecodes(ifname, PLAIN, b(7, 0, 0, 0), "veth7");
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
