package dev.bpfwatch.decode;

/**
 * {@code errno}: an error number, as the text {@code uint} wrote, to its
 * name (2 -> ENOENT). Numbers without a name (0, 41, anything past the
 * table) become "unknown:&lt;n&gt;", as in ebpf_exporter.
 */
public final class Errno implements Decoder {

    @Override
    public byte[] decode(byte[] in, DecoderConfig config) throws DecoderException {
        return Bytes.utf8(name(Bytes.decimal(in)));
    }

    @Override
    public void validate(DecoderConfig config, int inputSize) {
        Inputs.requireNumberText(inputSize);
    }

    static String name(long errno) {
        // jnr names 35 EDEADLOCK, an alias; Go (and so ebpf_exporter) says EDEADLK.
        if (errno == 35) {
            return "EDEADLK";
        }
        // valueOf takes a long but the table holds ints: stay inside int range.
        if (errno > 0 && errno <= Integer.MAX_VALUE) {
            jnr.constants.platform.Errno e = jnr.constants.platform.Errno.valueOf(errno);
            if (e.defined() && e.longValue() == errno) {
                return e.name();
            }
        }
        return "unknown:" + Long.toUnsignedString(errno);
    }
}
