package dev.bpfwatch.decode;

import java.util.StringJoiner;

/**
 * {@code kstack}: a kernel stack (an array of 8-byte return addresses, as
 * bpf_get_stack writes it) to its symbol names, innermost first, one per
 * line, as in ebpf_exporter. The first zero address ends the stack; frames
 * below every known symbol print as "??". Each frame names the symbol at or
 * nearest below its address; frames outside the kernel's own text (modules,
 * BPF programs) that kallsyms may not list yet make it re-read, and the
 * stack is provisional while it could not (see {@link KernelSymbols#frame}).
 */
public final class Kstack implements Decoder {
    private final KernelSymbols symbols;

    public Kstack(DecoderContext context) {
        this(new KernelSymbols(context.kallsyms(), Throttle.perSecond()));
    }

    Kstack(KernelSymbols symbols) {
        this.symbols = symbols;
    }

    @Override
    public byte[] decode(byte[] in, DecoderConfig config) throws DecoderException {
        return decodeLabel(in, config).value();
    }

    @Override
    public Decoded decodeLabel(byte[] in, DecoderConfig config) throws DecoderException {
        if (in.length % 8 != 0) {
            throw new DecoderException("a stack is a multiple of 8 bytes, got " + in.length + ": " + Bytes.show(in));
        }
        StringJoiner frames = new StringJoiner("\n");
        boolean provisional = false;
        byte[] frame = new byte[8];
        for (int at = 0; at < in.length; at += 8) {
            System.arraycopy(in, at, frame, 0, 8);
            long address = Bytes.littleEndian(frame);
            if (address == 0) {
                break;
            }
            KernelSymbols.Answer a = symbols.frame(address);
            provisional |= a.provisional();
            frames.add(a.name() != null ? a.name() : "??");
        }
        return new Decoded(Bytes.utf8(frames.toString()), provisional);
    }

    @Override
    public void validate(DecoderConfig config, int inputSize) {
        if (inputSize < 0) {
            throw new IllegalArgumentException("reads the raw key bytes, so it must be the first decoder of the label");
        }
        if (inputSize == 0 || inputSize % 8 != 0) {
            throw new IllegalArgumentException("label size must be a multiple of 8 bytes (one address per frame), not "
                    + inputSize);
        }
        symbols.preload();
    }
}
