package dev.bpfwatch.decode;

/**
 * {@code pci_device}: a device, given as vendor id &lt;&lt; 16 | device id
 * (0x80861000, since device ids are only unique per vendor), to its name
 * ("82542 Gigabit Ethernet Controller (Fiber)").
 */
public final class PciDevice extends PciDecoder {
    PciDevice(PciIds ids) {
        super(ids);
    }

    @Override
    String name(long vendorAndDevice) throws DecoderException {
        String name = ids.device(vendorAndDevice);
        return name != null ? name : "unknown pci device: " + hex(vendorAndDevice, 8);
    }
}
