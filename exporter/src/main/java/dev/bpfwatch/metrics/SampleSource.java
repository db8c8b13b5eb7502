package dev.bpfwatch.metrics;

/**
 * Where a config's numbers come from at scrape time: its maps, and its
 * iterator programs' output. The live one reads the kernel; tests hand in bytes.
 */
public interface SampleSource {
    MapData readMap(String mapName);

    /** Runs the iterator program once and returns what it wrote. */
    byte[] runIterator(String programName);
}
