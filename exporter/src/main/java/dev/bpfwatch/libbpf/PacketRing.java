package dev.bpfwatch.libbpf;

/**
 * Where capture programs put their samples and the thread that reads them:
 * a BPF ring buffer ({@link PacketRingBuffer}) where the kernel has one, perf
 * rings ({@link PacketPerfBuffer}) otherwise.
 */
public interface PacketRing extends AutoCloseable {
    /** The map the programs write to. */
    BpfMap map();

    /** Runs synthetic samples through the record loop and {@code to}, so the JIT compiles them first. */
    void warmUp(byte[] sample, int rounds, PacketPerfBuffer.SampleSink to);

    /** Stops reading after draining; the sink sees no sample after this returns. */
    @Override
    void close();
}
