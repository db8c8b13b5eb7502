package dev.bpfwatch.decode;

/**
 * One decoder's answer with what it rests on: {@code provisional} when the
 * value stands in for an answer the host could not give yet (a cgroup or
 * interface that appeared after the decoder last looked, a kernel address
 * loaded since kallsyms was read). Such a value must not be cached as the
 * label of its key: the next look may resolve it.
 *
 * @param value the label's bytes; null when the sample is skipped (a chain's answer only)
 */
public record Decoded(byte[] value, boolean provisional) {

    static Decoded of(byte[] value) {
        return new Decoded(value, false);
    }

    static Decoded fallback(String value) {
        return new Decoded(Bytes.utf8(value), true);
    }
}
