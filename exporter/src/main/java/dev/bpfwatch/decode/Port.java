package dev.bpfwatch.decode;

/**
 * {@code port} (bpfwatch): a 2-byte port as the kernel keeps it in socket
 * structs (network byte order), as decimal. ebpf_exporter configs have to
 * swap bytes in the BPF program (bpf_ntohs) and use {@code uint}.
 */
public final class Port implements Decoder {

    @Override
    public byte[] decode(byte[] in, DecoderConfig config) throws DecoderException {
        if (in.length != 2) {
            throw new DecoderException("a port is 2 bytes, got " + in.length + ": " + Bytes.show(in));
        }
        return Bytes.utf8(Integer.toString(((in[0] & 0xff) << 8) | (in[1] & 0xff)));
    }

    @Override
    public void validate(DecoderConfig config, int inputSize) {
        Inputs.requireRaw(inputSize, 2);
    }
}
