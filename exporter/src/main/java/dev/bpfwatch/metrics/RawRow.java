package dev.bpfwatch.metrics;

import java.util.List;

/** One map entry as the /maps debug page shows it: key bytes as the kernel holds them, decoded labels, value. */
public record RawRow(byte[] key, List<String> labels, double value) {
}
