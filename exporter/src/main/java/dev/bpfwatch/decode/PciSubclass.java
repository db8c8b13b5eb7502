package dev.bpfwatch.decode;

/**
 * {@code pci_subclass}: class &lt;&lt; 8 | subclass (0x0200, the class code
 * without its programming interface byte) to the subclass's name
 * ("Ethernet controller"). An unknown class says so; a known class with an
 * unknown subclass names both.
 */
public final class PciSubclass extends PciDecoder {
    PciSubclass(PciIds ids) {
        super(ids);
    }

    @Override
    String name(long classAndSubclass) throws DecoderException {
        String name = ids.subclass(classAndSubclass);
        if (name != null) {
            return name;
        }
        long pciClass = classAndSubclass >>> 8;
        if (ids.pciClass(pciClass) == null) {
            return "unknown pci class: " + hex(pciClass, 2);
        }
        return "unknown pci subclass: " + hex(classAndSubclass & 0xff, 2) + " (class " + hex(pciClass, 2) + ")";
    }
}
