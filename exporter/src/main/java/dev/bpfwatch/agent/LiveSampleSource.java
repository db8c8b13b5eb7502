package dev.bpfwatch.agent;

import dev.bpfwatch.libbpf.BpfLink;
import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.libbpf.BpfObject;
import dev.bpfwatch.libbpf.Cpus;
import dev.bpfwatch.metrics.MapData;
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
        boolean array = map.type() == dev.bpfwatch.libbpf.BpfMapType.ARRAY
                || map.type() == dev.bpfwatch.libbpf.BpfMapType.PERCPU_ARRAY;
        return new MapData(map.readPacked(), map.type().perCpu(), map.type().perCpu() ? Cpus.possible() : 1,
                map.valueStride(), !array);
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
