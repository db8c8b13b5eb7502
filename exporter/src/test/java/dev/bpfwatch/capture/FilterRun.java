package dev.bpfwatch.capture;

import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.libbpf.BpfMapType;
import dev.bpfwatch.libbpf.PacketPerfBuffer;
import dev.bpfwatch.libbpf.RawProgram;
import dev.bpfwatch.pcap.ClassicInstruction;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One capture program, exactly as a capture builds it, run by the kernel
 * (BPF_PROG_TEST_RUN) over packets without any hook or interface: what it
 * returned, which packets its filter matched (its own counters) and which
 * samples reached the perf rings.
 */
final class FilterRun implements AutoCloseable {
    private final BpfMap stats;
    private final PacketPerfBuffer rings;
    private final RawProgram program;
    private final List<CaptureSample> samples = Collections.synchronizedList(new ArrayList<>());
    private final XdpAction action;

    private final java.util.concurrent.atomic.AtomicLong lost = new java.util.concurrent.atomic.AtomicLong();

    FilterRun(List<ClassicInstruction> filter, XdpAction action, int snaplen) {
        this(filter, action, snaplen, 65536);
    }

    FilterRun(List<ClassicInstruction> filter, XdpAction action, int snaplen, long ringBytes) {
        this.action = action;
        stats = BpfMap.create(BpfMapType.PERCPU_ARRAY, "test_stats", 4, CaptureProgram.STATS_VALUE, 5);
        rings = PacketPerfBuffer.start("test_packets", ringBytes, 1, 0,
                (cpu, buf, offset, length) -> samples.add(CaptureSample.parse(buf, offset, length)), lost::addAndGet);
        program = RawProgram.load("xdpcap_test", RawProgram.BPF_PROG_TYPE_XDP, RawProgram.BPF_XDP, 0,
                CaptureProgram.build(filter, action, snaplen), List.of(stats, rings.map()));
    }

    /** Runs the packet once; @return whether the filter matched it. */
    boolean matches(byte[] packet) {
        long before = counter(CaptureProgram.STAT_MATCHED);
        int ret = program.testRun(packet);
        if (ret != action.slot()) {
            throw new AssertionError("program returned " + ret + ", not its action " + action.slot());
        }
        return counter(CaptureProgram.STAT_MATCHED) > before;
    }

    long counter(int field) {
        byte[] key = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(action.slot()).array();
        return stats.sumU64(stats.lookup(key).orElseThrow(), field);
    }

    /** Samples read so far (the rings stay open). */
    int samplesSoFar() {
        return samples.size();
    }

    /** Samples the kernel reported lost (ring full). */
    long lost() {
        return lost.get();
    }

    /** Every sample written, after draining the rings (closes them). */
    List<CaptureSample> drain() {
        rings.close();
        return new ArrayList<>(samples);
    }

    @Override
    public void close() {
        program.close();
        rings.close();
        stats.close();
    }
}
