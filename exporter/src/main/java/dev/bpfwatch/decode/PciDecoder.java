package dev.bpfwatch.decode;

import java.util.Optional;

/**
 * What the four {@code pci_*} decoders share: they read the number
 * {@code uint} wrote, look it up in the PCI ID database, and name what
 * is not there "unknown pci ...: 0x..." (ebpf_exporter's labels).
 */
abstract class PciDecoder implements Decoder {
    protected final PciIds ids;

    PciDecoder(PciIds ids) {
        this.ids = ids;
    }

    /** The name of the id, or the label for an id the database lacks. */
    abstract String name(long id) throws DecoderException;

    @Override
    public final byte[] decode(byte[] in, DecoderConfig config) throws DecoderException {
        return Bytes.utf8(name(Bytes.decimal(in)));
    }

    @Override
    public final void validate(DecoderConfig config, int inputSize) {
        Inputs.requireNumberText(inputSize);
        ids.preload();
    }

    @Override
    public final Optional<String> fallback(DecoderConfig config) {
        if (ids.file().isEmpty()) {
            return Optional.of("no PCI ID database (" + PciIds.PATHS.get(0) + ", from Debian's pci.ids package, or "
                    + PciIds.PATHS.get(1) + "): every value is '" + PciIds.MISSING + "'");
        }
        return Optional.empty();
    }

    /** Hex as pci.ids and lspci write ids: lower case, zero-padded to the id's width. */
    static String hex(long id, int digits) {
        return String.format("0x%0" + digits + "x", id);
    }
}
