package dev.bpfwatch.decode;

/** {@code pci_vendor}: a vendor id (0x8086) to its name ("Intel Corporation"). */
public final class PciVendor extends PciDecoder {
    PciVendor(PciIds ids) {
        super(ids);
    }

    @Override
    String name(long vendor) throws DecoderException {
        String name = ids.vendor(vendor);
        return name != null ? name : "unknown pci vendor: " + hex(vendor, 4);
    }
}
