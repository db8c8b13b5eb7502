package dev.bpfwatch.decode;

/**
 * {@code ksym}: an 8-byte kernel address to the name of the symbol it falls
 * in (the nearest symbol at or below it in kallsyms). Addresses below every
 * symbol become "unknown_addr:0x&lt;hex&gt;", as in ebpf_exporter.
 */
public final class Ksym implements Decoder {
    private final KernelSymbols symbols;

    public Ksym(DecoderContext context) {
        this(new KernelSymbols(context.kallsyms(), Throttle.perSecond()));
    }

    Ksym(KernelSymbols symbols) {
        this.symbols = symbols;
    }

    @Override
    public byte[] decode(byte[] in, DecoderConfig config) throws DecoderException {
        if (in.length != 8) {
            throw new DecoderException("a kernel address is 8 bytes, got " + in.length + ": " + Bytes.show(in));
        }
        long address = Bytes.littleEndian(in);
        String name = symbols.nearest(address);
        return Bytes.utf8(name != null ? name : "unknown_addr:0x" + Long.toHexString(address));
    }

    @Override
    public void validate(DecoderConfig config, int inputSize) {
        Inputs.requireRaw(inputSize, 8);
        symbols.preload();
    }
}
