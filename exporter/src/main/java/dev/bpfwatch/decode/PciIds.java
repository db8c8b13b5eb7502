package dev.bpfwatch.decode;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The PCI ID database (pci.ids, Debian package {@code pci.ids}): names of
 * vendors, devices, classes and subclasses, for the {@code pci_*} decoders.
 * Read on first use, once, since it is some 36,000 lines and only configs
 * with a PCI label need it.
 *
 * <p>Ids are kept as numbers: a device by (vendor &lt;&lt; 16 | device), a
 * subclass by (class &lt;&lt; 8 | subclass), the same layout the programs put
 * in their keys (ebpf_exporter's pci example).
 */
final class PciIds {
    /** Where distributions install it: Debian's pci.ids package, and hwdata elsewhere. */
    static final List<Path> PATHS = List.of(Path.of("/usr/share/misc/pci.ids"), Path.of("/usr/share/hwdata/pci.ids"));
    /** The label of every id when no database is installed, as in ebpf_exporter. */
    static final String MISSING = "missing pci.ids db";

    private final Optional<Path> file;
    private volatile Tables tables;

    PciIds(Optional<Path> file) {
        this.file = file;
    }

    Optional<Path> file() {
        return file;
    }

    /** @return the vendor's name, null if unknown; {@link #MISSING} without a database */
    String vendor(long vendor) throws DecoderException {
        Tables t = tables();
        return t == null ? MISSING : t.vendors.get(vendor);
    }

    String device(long vendorAndDevice) throws DecoderException {
        Tables t = tables();
        return t == null ? MISSING : t.devices.get(vendorAndDevice);
    }

    String pciClass(long pciClass) throws DecoderException {
        Tables t = tables();
        return t == null ? MISSING : t.classes.get(pciClass);
    }

    String subclass(long classAndSubclass) throws DecoderException {
        Tables t = tables();
        return t == null ? MISSING : t.subclasses.get(classAndSubclass);
    }

    /** Reads the database now, so that a config load pays for it and an unreadable one fails there. */
    void preload() {
        try {
            tables();
        } catch (DecoderException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** The tables, or null when no database is installed. */
    private Tables tables() throws DecoderException {
        if (file.isEmpty()) {
            return null;
        }
        Tables t = tables;
        if (t == null) {
            synchronized (this) {
                t = tables;
                if (t == null) {
                    t = read(file.get());
                    tables = t;
                }
            }
        }
        return t;
    }

    private record Tables(Map<Long, String> vendors, Map<Long, String> devices, Map<Long, String> classes,
                          Map<Long, String> subclasses) {
    }

    /**
     * The format: "vvvv  name" starts a vendor, "\tdddd  name" is one of its
     * devices ("\t\t..." lines are subsystems, not needed here); after the
     * vendors, "C cc  name" starts a class, "\tss  name" is one of its
     * subclasses ("\t\tpp  ..." are programming interfaces). '#' starts a comment.
     */
    private static Tables read(Path path) throws DecoderException {
        Map<Long, String> vendors = new HashMap<>();
        Map<Long, String> devices = new HashMap<>();
        Map<Long, String> classes = new HashMap<>();
        Map<Long, String> subclasses = new HashMap<>();
        long vendor = -1;
        long pciClass = -1;
        try (BufferedReader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.isEmpty() || line.startsWith("#") || line.startsWith("\t\t")) {
                    continue;
                }
                if (line.startsWith("C ")) {
                    pciClass = hexId(line, 2, 2);
                    vendor = -1;
                    if (pciClass >= 0) {
                        classes.put(pciClass, name(line, 4));
                    }
                } else if (line.startsWith("\t")) {
                    if (vendor >= 0) {
                        long device = hexId(line, 1, 4);
                        if (device >= 0) {
                            devices.put(vendor << 16 | device, name(line, 5));
                        }
                    } else if (pciClass >= 0) {
                        long sub = hexId(line, 1, 2);
                        if (sub >= 0) {
                            subclasses.put(pciClass << 8 | sub, name(line, 3));
                        }
                    }
                } else {
                    // A vendor, or another section's header ("X ..." lists) that ends the one before.
                    vendor = hexId(line, 0, 4);
                    pciClass = -1;
                    if (vendor >= 0) {
                        vendors.put(vendor, name(line, 4));
                    }
                }
            }
        } catch (java.nio.file.NoSuchFileException e) {
            throw new DecoderException("cannot read the PCI ID database " + path + ": no such file");
        } catch (IOException e) {
            throw new DecoderException("cannot read the PCI ID database " + path + ": " + e.getMessage());
        }
        return new Tables(Map.copyOf(vendors), Map.copyOf(devices), Map.copyOf(classes), Map.copyOf(subclasses));
    }

    /** The hex id of {@code digits} at {@code at}, followed by a space; -1 if the line has none there. */
    private static long hexId(String line, int at, int digits) {
        if (line.length() < at + digits + 1 || line.charAt(at + digits) != ' ') {
            return -1;
        }
        try {
            return Long.parseLong(line, at, at + digits, 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The name after the id and its (usually two) spaces. */
    private static String name(String line, int afterId) {
        return line.substring(Math.min(afterId, line.length())).strip();
    }
}
