package dev.bpfwatch.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bpfwatch.pcap.ClassicFilter;
import dev.bpfwatch.testing.KernelMatrix;
import java.io.ByteArrayOutputStream;
import java.util.EnumSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * On every kernel of the matrix, a capture picks the way out the kernel has
 * (a BPF ring buffer with bpf_xdp_load_bytes from 5.18, perf rings before)
 * and writes every matched packet through it.
 */
@Tag("matrix")
class CaptureOutputMatrixTest {
    private static final int SENT = 20;

    @Test
    void aCaptureWritesThroughTheRingThisKernelHas() throws Exception {
        boolean ringBuffer = atLeast(System.getProperty("os.version"), 5, 18);
        assertEquals(ringBuffer ? CaptureProgram.Output.RINGBUF : CaptureProgram.Output.PERF,
                RingOutputProbe.output(), "kernel " + System.getProperty("os.version"));
        try (HookFixture fixture = new HookFixture(); Hook hook = Hook.open(fixture.pin)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CaptureOptions options = new CaptureOptions(EnumSet.of(XdpAction.DROP), ClassicFilter.of("udp", 262144),
                    262144, 65536, CaptureOptions.DEFAULT_WAKEUP_EVENTS, 0, false);
            Capture capture = Capture.start(hook, options, new PcapWriter(bytes, 262144));
            try {
                fixture.send(HookFixture.DROP_PORT, SENT, 100);
            } finally {
                capture.close();
            }
            assertEquals(ringBuffer, capture.usesRingBuffer());
            assertEquals(List.of(new CaptureStats(XdpAction.DROP, SENT, SENT, SENT, 0)), capture.stats());
            assertEquals(24 + SENT * (16 + 142), bytes.size(), "pcap header, then 20 records of 142-byte frames");
        }
        KernelMatrix.works("xdpcap output", ringBuffer ? "BPF ring buffer" : "perf rings (no bpf_xdp_load_bytes)");
    }

    /** "5.10.0-30-amd64" against 5.18. */
    static boolean atLeast(String release, int major, int minor) {
        Matcher m = Pattern.compile("^(\\d+)\\.(\\d+)").matcher(release);
        if (!m.find()) {
            throw new IllegalArgumentException("kernel release " + release);
        }
        int ma = Integer.parseInt(m.group(1));
        int mi = Integer.parseInt(m.group(2));
        return ma > major || ma == major && mi >= minor;
    }
}
