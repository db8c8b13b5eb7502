package dev.bpfwatch.config;

import dev.bpfwatch.decode.DecoderConfig;
import java.util.List;

/**
 * One label: a slice of the key (or record) given by byte {@code size}, or by
 * BTF {@code field} name (bpfwatch), then {@code padding} bytes skipped.
 * {@code size} is 0 when {@code field} names it instead.
 */
public record LabelSpec(String name, int size, int padding, String field, List<DecoderConfig> decoders, int line) {
    public boolean byField() {
        return field != null;
    }
}
