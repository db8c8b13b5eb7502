package dev.bpfwatch.decode;

/**
 * {@code dname}: a DNS name in wire format (length-prefixed labels) as dotted
 * text, with ebpf_exporter's exact results so series match: every length
 * byte becomes a dot and the leading dot is dropped ("\3www\7example\3com"
 * gives "www.example.com"; a trailing root label gives a trailing dot, which
 * is why configs put {@code string} first to cut the name at its NUL). An
 * empty name is "."; a label running past the end leaves the input as it
 * was rather than guessing.
 */
public final class Dname implements Decoder {

    @Override
    public byte[] decode(byte[] in, DecoderConfig config) {
        if (in.length == 0) {
            return new byte[] {'.'};
        }
        byte[] out = new byte[in.length];
        int at = 0;
        while (at < in.length) {
            int length = in[at] & 0xff;
            out[at] = '.';
            at++;
            if (at + length > in.length) {
                return in.clone();
            }
            System.arraycopy(in, at, out, at, length);
            at += length;
        }
        byte[] trimmed = new byte[out.length - 1];
        System.arraycopy(out, 1, trimmed, 0, trimmed.length);
        return trimmed;
    }
}
