package dev.bpfwatch.agent;

import dev.bpfwatch.libbpf.BpfLink;
import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.libbpf.BpfObject;
import dev.bpfwatch.libbpf.Cpus;
import dev.bpfwatch.libbpf.PackedEntries;
import dev.bpfwatch.metrics.MapData;
import dev.bpfwatch.metrics.ReadLease;
import dev.bpfwatch.metrics.SampleSource;
import java.util.Map;

/** A loaded object's maps and iterator links, read at scrape time. */
final class LiveSampleSource implements SampleSource {
    private final BpfObject object;
    private final Map<String, BpfLink> iterators;

    LiveSampleSource(BpfObject object, Map<String, BpfLink> iterators) {
        this.object = object;
        this.iterators = iterators;
    }

    @Override
    public MapData readMap(String mapName) {
        BpfMap map = object.map(mapName).orElseThrow(() -> new IllegalStateException("no map " + mapName));
        // Keys leave an LRU map whenever the kernel needs room: their counters are carried key by
        // key. A plain hash loses a key only when its program deletes it (a reset it chose), and
        // carrying every key of a large hash costs each scrape a table lookup per key and the heap
        // 56-112 bytes per key: those are exported as read (README, Counters never go down).
        boolean evicts = map.type() == dev.bpfwatch.libbpf.BpfMapType.LRU_HASH
                || map.type() == dev.bpfwatch.libbpf.BpfMapType.LRU_PERCPU_HASH;
        PackedEntries read = map.readPacked();
        return new MapData(read, map.type().perCpu(), map.type().perCpu() ? Cpus.possible() : 1,
                map.valueStride(), evicts, new ReadLease(() -> map.recycle(read)));
    }

    @Override
    public byte[] runIterator(String programName) {
        BpfLink link = iterators.get(programName);
        if (link == null) {
            throw new IllegalStateException("iterator " + programName + " is not attached");
        }
        return link.readIterator();
    }
}
