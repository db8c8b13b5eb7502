package dev.bpfwatch.decode;

/**
 * Turns the bytes of one label, cut from a map key, into its value. Bytes in,
 * bytes out, so decoders chain: {@code uint} then {@code static_map},
 * {@code string} then {@code regexp}. The last decoder's bytes are the label
 * value (UTF-8).
 */
public interface Decoder {

    /**
     * @return the decoded bytes, or {@code null} when the sample must be
     *         skipped (e.g. no regexp matched) — not an error
     * @throws DecoderException when the input cannot be decoded; the
     *         collector counts it and goes on with the next entry
     */
    byte[] decode(byte[] in, DecoderConfig config) throws DecoderException;

    /**
     * {@link #decode}, also saying whether the value is provisional (see
     * {@link Decoded}); decoders that look things up on the host override it.
     *
     * @return null when the sample must be skipped
     */
    default Decoded decodeLabel(byte[] in, DecoderConfig config) throws DecoderException {
        byte[] out = decode(in, config);
        return out == null ? null : Decoded.of(out);
    }

    /**
     * Checks a decoder's settings at config load, before anything reaches the
     * kernel. {@code inputSize} is the label's byte size for the first
     * decoder of a chain, -1 further down the chain (input is text there).
     *
     * @throws IllegalArgumentException with a message naming what is wrong
     */
    default void validate(DecoderConfig config, int inputSize) {
    }

    /**
     * What this decoder will do instead of its normal work on this kernel,
     * for one warning at config load (e.g. an enum the kernel lacks, whose
     * numbers all get one label); empty when it works as configured.
     */
    default java.util.Optional<String> fallback(DecoderConfig config) {
        return java.util.Optional.empty();
    }
}
