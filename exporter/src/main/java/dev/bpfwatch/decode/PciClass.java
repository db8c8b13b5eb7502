package dev.bpfwatch.decode;

/** {@code pci_class}: a class code's top byte (2) to its name ("Network controller"). */
public final class PciClass extends PciDecoder {
    PciClass(PciIds ids) {
        super(ids);
    }

    @Override
    String name(long pciClass) throws DecoderException {
        String name = ids.pciClass(pciClass);
        return name != null ? name : "unknown pci class: " + hex(pciClass, 2);
    }
}
