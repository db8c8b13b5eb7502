package dev.bpfwatch.decode;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Load-time checks on where a decoder sits in its chain. Decoders read
 * either the raw key bytes (then they must come first, and the label size
 * must fit) or the text an earlier decoder wrote.
 */
final class Inputs {
    private Inputs() {
    }

    /** For decoders that read a raw integer or address of one of the given sizes. */
    static void requireRaw(int inputSize, int... sizes) {
        if (inputSize < 0) {
            throw new IllegalArgumentException("reads the raw key bytes, so it must be the first decoder of the label");
        }
        if (Arrays.stream(sizes).noneMatch(s -> s == inputSize)) {
            String allowed = Arrays.stream(sizes).mapToObj(Integer::toString).collect(Collectors.joining(", "));
            throw new IllegalArgumentException("label size must be " + (sizes.length == 1 ? "" : "one of ")
                    + allowed + " bytes, not " + inputSize);
        }
    }

    /** For decoders that take the decimal text {@code uint} writes, as ebpf_exporter's do. */
    static void requireNumberText(int inputSize) {
        if (inputSize >= 0) {
            throw new IllegalArgumentException("reads the decimal text of a number: put 'uint' before it");
        }
    }
}
