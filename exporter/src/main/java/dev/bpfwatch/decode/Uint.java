package dev.bpfwatch.decode;

/** {@code uint}: an unsigned integer of 1, 2, 4 or 8 bytes in host order, as decimal text. */
public final class Uint implements Decoder {

    @Override
    public byte[] decode(byte[] in, DecoderConfig config) throws DecoderException {
        // Unsigned even for u64: ebpf_exporter prints uint64 with %d, so 2^64-1 is 18446744073709551615.
        return Bytes.utf8(Long.toUnsignedString(Bytes.littleEndian(in)));
    }

    @Override
    public void validate(DecoderConfig config, int inputSize) {
        Inputs.requireRaw(inputSize, 1, 2, 4, 8);
    }
}
