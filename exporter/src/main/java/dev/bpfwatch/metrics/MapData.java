package dev.bpfwatch.metrics;

import dev.bpfwatch.libbpf.BpfMap;
import java.util.List;

/**
 * One read of a map: its entries and how values are laid out. Per-CPU maps
 * carry {@code cpus} value slots, {@code valueStride} bytes apart.
 */
public record MapData(List<BpfMap.Entry> entries, boolean perCpu, int cpus, int valueStride) {
}
