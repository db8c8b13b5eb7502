package dev.bpfwatch.config;

import dev.bpfwatch.decode.DecoderConfig;
import java.util.List;

/** Where a label's bytes sit in a key or record, and how to decode them. */
public record LabelSlice(String name, int offset, int size, List<DecoderConfig> decoders) {
}
