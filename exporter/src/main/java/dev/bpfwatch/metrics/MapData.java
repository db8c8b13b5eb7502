package dev.bpfwatch.metrics;

import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.libbpf.PackedEntries;
import java.util.List;

/**
 * One read of a map: its entries, packed as the batch lookup returns them,
 * and how values are laid out. Per-CPU maps carry {@code cpus} value slots,
 * {@code valueStride} bytes apart. {@code keysLeave} is true for maps the
 * kernel evicts keys from (LRU hashes): their counters are carried key by
 * key on the fast path ({@link KeyCarry}). {@code lease} says when the
 * arrays may go back to the map ({@link ReadLease}).
 */
public record MapData(PackedEntries packed, boolean perCpu, int cpus, int valueStride, boolean keysLeave,
                      ReadLease lease) {
    public MapData(PackedEntries packed, boolean perCpu, int cpus, int valueStride, boolean keysLeave) {
        this(packed, perCpu, cpus, valueStride, keysLeave, ReadLease.NONE);
    }

    public MapData(PackedEntries packed, boolean perCpu, int cpus, int valueStride) {
        this(packed, perCpu, cpus, valueStride, true);
    }

    /** From entries read one by one (tests, sources that cannot batch). */
    public static MapData of(List<BpfMap.Entry> entries, boolean perCpu, int cpus, int valueStride) {
        return new MapData(PackedEntries.of(entries), perCpu, cpus, valueStride);
    }

    /** An object per entry: for the paths that stay on sample objects (histograms, small maps). */
    public List<BpfMap.Entry> entries() {
        return packed.entries();
    }

    public int count() {
        return packed.count();
    }
}
