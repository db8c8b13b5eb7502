package dev.bpfwatch.decode;

import static dev.bpfwatch.decode.DecoderTests.PLAIN;
import static dev.bpfwatch.decode.DecoderTests.assertDecodes;
import static dev.bpfwatch.decode.DecoderTests.assertInvalid;
import static dev.bpfwatch.decode.DecoderTests.assertRejects;
import static dev.bpfwatch.decode.DecoderTests.b;
import static dev.bpfwatch.decode.DecoderTests.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The pci_* decoders on Debian's own database (package pci.ids, version
 * 2023.04.10 here; the Makefile installs it), and on this host's PCI devices
 * as sysfs gives them, checked against lspci.
 */
class PciTest {
    private static final Path DEBIAN = Path.of("/usr/share/misc/pci.ids");
    private static final PciIds IDS = new PciIds(Optional.of(DEBIAN));

    static Stream<Arguments> table() {
        PciVendor vendor = new PciVendor(IDS);
        PciDevice device = new PciDevice(IDS);
        PciClass pciClass = new PciClass(IDS);
        PciSubclass subclass = new PciSubclass(IDS);
        return Stream.of(
                Arguments.of(vendor, 0x8086, "Intel Corporation"),
                Arguments.of(vendor, 0x1002, "Advanced Micro Devices, Inc. [AMD/ATI]"),
                Arguments.of(vendor, 0x10de, "NVIDIA Corporation"),
                Arguments.of(vendor, 0x15b3, "Mellanox Technologies"),
                Arguments.of(vendor, 0x1af4, "Red Hat, Inc."),
                // ids below 0x1000 are written with leading zeros in pci.ids
                Arguments.of(vendor, 0x0014, "Loongson Technology LLC"),
                Arguments.of(vendor, 0xbeef, "unknown pci vendor: 0xbeef"),
                Arguments.of(vendor, 0x0002, "unknown pci vendor: 0x0002"),
                // a device is vendor << 16 | device: device ids are per vendor
                Arguments.of(device, 0x80861000L, "82542 Gigabit Ethernet Controller (Fiber)"),
                Arguments.of(device, 0x100273dfL, "Navi 22 [Radeon RX 6700/6700 XT/6750 XT / 6800M/6850M XT]"),
                Arguments.of(device, 0x10de2704L, "AD103 [GeForce RTX 4080]"),
                Arguments.of(device, 0x15b3101fL, "MT2894 Family [ConnectX-6 Lx]"),
                Arguments.of(device, 0x144da80aL, "NVMe SSD Controller PM9A1/PM9A3/980PRO"),
                Arguments.of(device, 0x00147a03L, "Gigabit Ethernet Controller"),
                Arguments.of(device, 0xdeadbeefL, "unknown pci device: 0xdeadbeef"),
                // 0x1000 is a device of several vendors, of 0x8086 none
                Arguments.of(device, 0x1000L, "unknown pci device: 0x00001000"),
                Arguments.of(pciClass, 0x01, "Mass storage controller"),
                Arguments.of(pciClass, 0x02, "Network controller"),
                Arguments.of(pciClass, 0x06, "Bridge"),
                Arguments.of(pciClass, 0x0c, "Serial bus controller"),
                Arguments.of(pciClass, 0xff, "Unassigned class"),
                Arguments.of(pciClass, 0xfd, "unknown pci class: 0xfd"),
                Arguments.of(subclass, 0x0005, "Image coprocessor"),
                Arguments.of(subclass, 0x0108, "Non-Volatile memory controller"),
                Arguments.of(subclass, 0x0200, "Ethernet controller"),
                Arguments.of(subclass, 0x0302, "3D controller"),
                Arguments.of(subclass, 0x0c03, "USB controller"),
                Arguments.of(subclass, 0x0600, "Host bridge"),
                Arguments.of(subclass, 0x0604, "PCI bridge"),
                Arguments.of(subclass, 0xfd00, "unknown pci class: 0xfd"),
                Arguments.of(subclass, 0x010b, "unknown pci subclass: 0x0b (class 0x01)"),
                Arguments.of(subclass, 0x0003, "unknown pci subclass: 0x03 (class 0x00)"),
                // programming interfaces (the class code's last byte) are no subclasses
                Arguments.of(subclass, 0x0c0330, "unknown pci class: 0xc03"));
    }

    @ParameterizedTest
    @MethodSource("table")
    void names(PciDecoder decoder, long id, String out) throws DecoderException {
        assertDecodes(decoder, PLAIN, s(Long.toString(id)), out);
    }

    @Test
    void withoutADatabaseEveryIdSaysSo() throws DecoderException {
        PciIds none = new PciIds(Optional.empty());
        for (PciDecoder d : List.of(new PciVendor(none), new PciDevice(none), new PciClass(none),
                new PciSubclass(none))) {
            assertDecodes(d, PLAIN, s("32902"), "missing pci.ids db");
            assertDecodes(d, PLAIN, s("0"), "missing pci.ids db");
            assertTrue(d.fallback(PLAIN).orElseThrow().startsWith("no PCI ID database (/usr/share/misc/pci.ids"));
        }
        assertTrue(new PciVendor(IDS).fallback(PLAIN).isEmpty());
    }

    @Test
    void takesTheTextOfUint() {
        assertRejects(new PciVendor(IDS), PLAIN, b(0x86, 0x80));
        assertInvalid(new PciVendor(IDS), PLAIN, 2, "reads the decimal text of a number: put 'uint' before it");
    }

    @Test
    void anUnreadableDatabaseFailsTheConfigLoad(@TempDir Path dir) {
        PciIds gone = new PciIds(Optional.of(dir.resolve("pci.ids")));
        assertInvalid(new PciClass(gone), PLAIN, -1, "cannot read the PCI ID database " + dir.resolve("pci.ids")
                + ": no such file");
    }

    /**
     * Each PCI device of this host, with its ids from sysfs laid out as
     * ebpf_exporter's pci example lays them out, decodes to the names lspci
     * (pciutils, reading the same database) prints for it.
     */
    @Test
    void namesThisHostsDevicesAsLspciDoes() throws IOException, InterruptedException, DecoderException {
        List<String[]> named = lspci("-mm");
        List<String[]> numeric = lspci("-mm", "-n");
        assertEquals(numeric.size(), named.size());
        Assumptions.assumeFalse(named.isEmpty(), "this machine has no PCI devices");
        int checked = 0;
        for (int i = 0; i < named.size(); i++) {
            String slot = named.get(i)[0];
            Path sysfs = Path.of("/sys/bus/pci/devices/0000:" + slot);
            long vendor = sysfsHex(sysfs.resolve("vendor"));
            long device = sysfsHex(sysfs.resolve("device"));
            long classCode = sysfsHex(sysfs.resolve("class"));
            assertEquals(Long.parseLong(numeric.get(i)[2], 16), vendor, slot);
            String[] names = named.get(i);
            if (!names[1].endsWith("]")) { // lspci writes "Unassigned class [ffff]" for what it cannot name
                assertDecodes(new PciSubclass(IDS), PLAIN, s(Long.toString(classCode >> 8)), names[1]);
            }
            assertDecodes(new PciVendor(IDS), PLAIN, s(Long.toString(vendor)), names[2]);
            if (!names[3].startsWith("Device ")) { // lspci's "Device 0d57": not in the database
                assertDecodes(new PciDevice(IDS), PLAIN, s(Long.toString(vendor << 16 | device)), names[3]);
            } else {
                assertDecodes(new PciDevice(IDS), PLAIN, s(Long.toString(vendor << 16 | device)),
                        String.format("unknown pci device: 0x%04x%04x", vendor, device));
            }
            checked++;
        }
        assertEquals(named.size(), checked);
    }

    private static long sysfsHex(Path file) throws IOException {
        return Long.decode(Files.readString(file).strip());
    }

    /** lspci -mm lines: slot, then quoted fields (class, vendor, device, ...). */
    private static List<String[]> lspci(String... flags) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("lspci"));
        command.addAll(List.of(flags));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        List<String[]> rows = new ArrayList<>();
        Pattern quoted = Pattern.compile("\"([^\"]*)\"");
        for (String line : out.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            List<String> fields = new ArrayList<>(List.of(line.substring(0, line.indexOf(' '))));
            Matcher m = quoted.matcher(line);
            while (m.find() && fields.size() < 4) {
                fields.add(m.group(1));
            }
            rows.add(fields.toArray(String[]::new));
        }
        return rows;
    }
}
