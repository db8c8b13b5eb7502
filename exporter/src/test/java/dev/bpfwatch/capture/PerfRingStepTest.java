package dev.bpfwatch.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.libbpf.BpfMapType;
import dev.bpfwatch.libbpf.PacketPerfBuffer;
import dev.bpfwatch.libbpf.RawProgram;
import dev.bpfwatch.pcap.ClassicFilter;
import dev.bpfwatch.testing.ThreadAffinity;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A backlog is handed back to the kernel as it is read, not only once all of it is written:
 * while the reader is busy with a full 1 MiB ring, a quarter of the way in, the program can
 * emit again. Reading the whole backlog before moving data_tail kept the ring full, and
 * every packet of a flood lost, for as long as writing the backlog took.
 */
class PerfRingStepTest {
    private static final long RING = 1 << 20;
    /** The reader's step (PacketPerfBuffer.STEP). */
    private static final int STEP = 256 * 1024;
    private static final int FRAME = 1000;
    private static final int LATER = 50;

    @Test
    void spaceComesBackWhileABacklogIsRead() throws Exception {
        byte[] frame = Frames.ipv4Frame("10.0.0.1", "10.0.0.2", Frames.UDP, Frames.udp(1000, 2000, FRAME - 42));
        int record = (8 + 4 + CaptureSample.HEADER + frame.length + 4 + 7) / 8 * 8;
        // Past the first step of the backlog's read, inside the second.
        int holdAt = 1 + STEP / record + 20;
        CountDownLatch first = new CountDownLatch(1);
        CountDownLatch firstHeld = new CountDownLatch(1);
        CountDownLatch resume = new CountDownLatch(1);
        CountDownLatch midwayHeld = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        AtomicInteger seen = new AtomicInteger();
        PacketPerfBuffer.SampleSink sink = (cpu, buf, offset, length) -> {
            int n = seen.incrementAndGet();
            try {
                if (n == 1) {
                    firstHeld.countDown();
                    first.await(30, TimeUnit.SECONDS);
                } else if (n == holdAt) {
                    midwayHeld.countDown();
                    finish.await(30, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        ThreadAffinity.pinCurrentThread(0); // every sample into CPU 0's ring
        try (BpfMap stats = BpfMap.create(BpfMapType.PERCPU_ARRAY, "test_stats", 4, CaptureProgram.STATS_VALUE, 5);
                PacketPerfBuffer rings = PacketPerfBuffer.start("test_packets", RING, 1, 0, sink, lost -> { });
                RawProgram program = RawProgram.load("xdpcap_test", RawProgram.BPF_PROG_TYPE_XDP, RawProgram.BPF_XDP,
                        0, CaptureProgram.build(ClassicFilter.of("", 262144), XdpAction.PASS, 262144),
                        List.of(stats, rings.map()))) {
            program.testRun(frame);
            assertTrue(firstHeld.await(10, TimeUnit.SECONDS), "the reader took the first sample");
            // Fill the ring while the reader is held: the program counts what does not fit.
            int sent = 0;
            while (outputErrors(stats) == 0 && sent < 10 * RING / record) {
                program.testRun(frame);
                sent++;
            }
            assertTrue(outputErrors(stats) > 0, "the ring filled after " + sent + " samples");
            first.countDown();
            assertTrue(midwayHeld.await(10, TimeUnit.SECONDS), "the reader is into the backlog's second step");
            long before = outputErrors(stats);
            for (int i = 0; i < LATER; i++) {
                program.testRun(frame);
            }
            long refused = outputErrors(stats) - before;
            finish.countDown();
            assertEquals(0, refused, "samples refused while the reader, a step into a full ring of "
                    + sent + " records, had handed that step back");
        } finally {
            first.countDown();
            finish.countDown();
            ThreadAffinity.unpinCurrentThread(Runtime.getRuntime().availableProcessors());
        }
    }

    private static long outputErrors(BpfMap stats) {
        byte[] key = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(XdpAction.PASS.slot()).array();
        return stats.sumU64(stats.lookup(key).orElseThrow(), CaptureProgram.STAT_OUTPUT_ERRORS);
    }
}
