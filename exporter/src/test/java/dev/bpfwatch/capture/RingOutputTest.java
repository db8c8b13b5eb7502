package dev.bpfwatch.capture;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.libbpf.BpfMapType;
import dev.bpfwatch.libbpf.RawProgram;
import dev.bpfwatch.pcap.ClassicFilter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The BPF ring buffer way out of a capture program (reserve, bpf_xdp_load_bytes,
 * submit), and its lost count: a reader that cannot keep up loses packets, and
 * every one of them is counted, on both the ring buffer and the perf-ring fallback.
 */
class RingOutputTest {
    private static final Pattern DROP = Pattern.compile("(?m)^drop\\s+(\\d+) seen, (\\d+) matched, (\\d+) written, (\\d+) lost$");

    @TempDir
    Path dir;

    /** Kernel 5.18+ (this host: 6.18) takes the ring-buffer program, so captures use it. */
    @Test
    void thisKernelTakesTheRingBufferProgram() {
        assertEquals(CaptureProgram.Output.RINGBUF, RingOutputProbe.output());
    }

    /**
     * The verifier takes the record-size ladder for every snap length shape: below the smallest
     * record, between two sizes, a power of two, the largest; with a count and a byte watermark.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 63, 64, 100, 1500, 4096, 262144})
    void theVerifierTakesEverySnapLength(int snaplen) {
        try (BpfMap stats = BpfMap.create(BpfMapType.PERCPU_ARRAY, "test_stats", 4, CaptureProgram.STATS_VALUE, 5);
             BpfMap ring = BpfMap.create(BpfMapType.RINGBUF, "test_ring", 0, 0, 1 << 16)) {
            for (int watermark : new int[] {0, 32768}) {
                byte[] insns = CaptureProgram.build(ClassicFilter.of("udp or icmp", snaplen), XdpAction.PASS, snaplen,
                        CaptureProgram.Output.RINGBUF, 64, watermark);
                assertDoesNotThrow(() -> RawProgram.load("xdpcap_test", RawProgram.BPF_PROG_TYPE_XDP,
                        RawProgram.BPF_XDP, 0, insns, List.of(stats, ring)).close(),
                        "snaplen " + snaplen + ", watermark " + watermark);
            }
        }
    }

    /**
     * A stopped reader (SIGSTOP) and a 4 KiB --buffer: the ring fills after a few packets and the
     * rest are lost. Every matched packet is either written or counted lost, and the file holds
     * exactly the written ones.
     */
    @ParameterizedTest
    @ValueSource(strings = {"ringbuf", "perf"})
    void aHeldReaderLosesPacketsAndCountsEachOne(String output) {
        int sent = 300;
        try (HookFixture hook = new HookFixture()) {
            Path out = dir.resolve(output + ".pcap");
            Map<String, String> props = output.equals("perf") ? Map.of(RingOutputProbe.PROPERTY, "perf") : Map.of();
            try (CaptureProcess capture = CaptureProcess.start(props, dir, "--actions", "drop", "--buffer", "4096",
                    hook.pin.toString(), out.toString())) {
                capture.awaitInserted(hook.pin, XdpAction.DROP);
                capture.signal("STOP");
                try {
                    hook.send(HookFixture.DROP_PORT, sent, 100);
                } finally {
                    capture.signal("CONT");
                }
                capture.signal("INT");
                assertEquals(0, capture.waitFor(), capture.stderr());
                Matcher m = DROP.matcher(capture.stderr());
                assertTrue(m.find(), capture.stderr());
                long seen = Long.parseLong(m.group(1));
                long matched = Long.parseLong(m.group(2));
                long written = Long.parseLong(m.group(3));
                long lost = Long.parseLong(m.group(4));
                assertEquals(sent, seen, capture.stderr());
                assertEquals(sent, matched, capture.stderr());
                assertTrue(lost > 0, "a 4 KiB buffer held " + sent + " packets: " + capture.stderr());
                assertEquals(sent - written, lost, capture.stderr());
                assertEquals(written, XdpcapCaptureTest.packets(out, "udp dst port " + HookFixture.DROP_PORT));
                assertEquals(output.equals("perf"), capture.stderr().contains("writing through perf rings"),
                        capture.stderr());
            }
            XdpcapCaptureTest.assertSlotsEmpty(hook.pin);
        }
    }
}
