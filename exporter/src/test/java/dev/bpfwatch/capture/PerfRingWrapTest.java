package dev.bpfwatch.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.pcap.ClassicFilter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The perf rings are read directly (not through libbpf's callback): with a
 * one-page ring, 300 samples of 150-odd bytes wrap it about a dozen times,
 * records split across the wrap included; every sample must come back
 * whole, none lost. (Order is per ring: the thread running the program may
 * move to another CPU, so samples are matched by the number they carry.) The sender waits for the reader every 10
 * packets, so a full ring cannot be the cause of a failure.
 */
class PerfRingWrapTest {
    private static final int PACKETS = 300;

    @Test
    void samplesSurviveTheRingWrapping() {
        try (FilterRun run = new FilterRun(ClassicFilter.of("", 262144), XdpAction.TX, 262144, 4096)) {
            for (int i = 0; i < PACKETS; i++) {
                assertTrue(run.matches(packet(i)));
                if (i % 10 == 9) {
                    long deadline = System.currentTimeMillis() + 10_000;
                    while (run.samplesSoFar() < i + 1 && System.currentTimeMillis() < deadline) {
                        dev.bpfwatch.testing.TestNetns.sleep(1);
                    }
                }
            }
            assertEquals(0, run.lost());
            List<CaptureSample> samples = run.drain();
            assertEquals(PACKETS, samples.size());
            byte[][] byNumber = new byte[PACKETS][];
            for (CaptureSample s : samples) {
                int n = ((s.data()[42] & 0xff) << 8) | (s.data()[43] & 0xff);
                byNumber[n] = s.data();
                assertEquals(XdpAction.TX, s.action());
            }
            for (int i = 0; i < PACKETS; i++) {
                assertArrayEquals(packet(i), byNumber[i], "sample " + i);
            }
        }
    }

    /** UDP frames of 100 to 136 bytes, each with its number in the payload. */
    private static byte[] packet(int i) {
        byte[] udp = Frames.udp(1000, 2000, 50 + i % 37);
        udp[8] = (byte) (i >> 8);
        udp[9] = (byte) i;
        return Frames.ipv4Frame("10.0.0.1", "10.0.0.2", Frames.UDP, udp);
    }
}
