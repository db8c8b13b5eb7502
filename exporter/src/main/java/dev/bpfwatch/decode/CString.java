package dev.bpfwatch.decode;

import java.util.Arrays;

/**
 * {@code string}: a C string from the kernel (comm, a path), cut at the first
 * NUL; without a NUL the whole slice is the string. The bytes pass through
 * as they are; the label value is read as UTF-8 at the end of the chain.
 */
public final class CString implements Decoder {

    @Override
    public byte[] decode(byte[] in, DecoderConfig config) {
        for (int i = 0; i < in.length; i++) {
            if (in[i] == 0) {
                return Arrays.copyOf(in, i);
            }
        }
        return in.clone();
    }
}
