package dev.bpfwatch.decode;

/**
 * {@code ksym}: an 8-byte kernel address to the name of the symbol that
 * starts there, as in ebpf_exporter: the address of a function (a timer's
 * callback, a kaddrs entry), not one inside it. Any other address becomes
 * "unknown_addr:0x&lt;hex&gt;"; that label is provisional (never cached), since
 * a module or BPF program loaded later may put a symbol there. Stacks, whose
 * return addresses lie inside functions, are {@code kstack}'s.
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
        return decodeLabel(in, config).value();
    }

    @Override
    public Decoded decodeLabel(byte[] in, DecoderConfig config) throws DecoderException {
        if (in.length != 8) {
            throw new DecoderException("a kernel address is 8 bytes, got " + in.length + ": " + Bytes.show(in));
        }
        long address = Bytes.littleEndian(in);
        KernelSymbols.Answer a = symbols.exact(address);
        return a.name() != null ? Decoded.of(Bytes.utf8(a.name()))
                : Decoded.fallback("unknown_addr:0x" + Long.toHexString(address));
    }

    @Override
    public void validate(DecoderConfig config, int inputSize) {
        Inputs.requireRaw(inputSize, 8);
        symbols.preload();
    }
}
