package dev.bpfwatch.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bpfwatch.pcap.ClassicFilter;
import dev.bpfwatch.testing.Command;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The differential as the issue states it, on live traffic: the corpus
 * frames are sent across the veth (AF_PACKET on bwcap0) to the instrumented
 * program on bwcap1, once captured unfiltered and once per corpus filter;
 * each filtered capture must hold exactly the frames `tcpdump -r` selects
 * with the same expression from the unfiltered capture.
 */
class LiveDifferentialTest {
    private static final int SNAPLEN = CaptureOptions.DEFAULT_SNAPLEN;

    @TempDir
    Path dir;

    @Test
    void filteredCapturesHoldWhatTcpdumpSelectsFromTheUnfilteredOne() throws IOException {
        Path corpus = dir.resolve("corpus.pcap");
        Corpus.writePcap(corpus, 1_700_000_000L);
        List<String> mismatches = new ArrayList<>();
        try (HookFixture hook = new HookFixture()) {
            HookFixture.Injector injector = hook.injector(corpus);
            Path unfiltered = dir.resolve("unfiltered.pcap");
            List<String> all = capture(hook, injector, "", unfiltered);
            assertEquals(sorted(hex(Corpus.packets())), sorted(all), "the unfiltered capture holds every frame sent");
            for (String expression : Corpus.filters()) {
                List<String> captured = capture(hook, injector, expression, dir.resolve("filtered.pcap"));
                Path selected = dir.resolve("selected.pcap");
                Command c = Command.run("tcpdump", "-r", unfiltered.toString(), "-w", selected.toString(), "--", expression);
                assertEquals(0, c.exit(), c.err());
                List<String> expected = hex(Corpus.readPcap(selected));
                if (!sorted(expected).equals(sorted(captured))) {
                    mismatches.add("'" + expression + "': tcpdump " + expected.size() + " frames, xdpcap " + captured.size());
                }
            }
            XdpcapCaptureTest.assertSlotsEmpty(hook.pin);
        }
        assertEquals(List.of(), mismatches);
        assertEquals(93, Corpus.filters().size());
    }

    /** Frames a capture of every action with this filter wrote while the corpus crossed the veth once. */
    private static List<String> capture(HookFixture hook, HookFixture.Injector injector, String filter, Path file)
            throws IOException {
        try (Hook h = Hook.open(hook.pin); java.io.OutputStream out = java.nio.file.Files.newOutputStream(file)) {
            CaptureOptions options = new CaptureOptions(EnumSet.allOf(XdpAction.class), ClassicFilter.of(filter, SNAPLEN),
                    SNAPLEN, 1 << 20, CaptureOptions.DEFAULT_WAKEUP_EVENTS, 0, false);
            Capture capture = Capture.start(h, options, new PcapWriter(out, SNAPLEN));
            try {
                injector.send();
            } finally {
                capture.close(); // drains the rings: every frame the kernel emitted is in the file
            }
            long lost = capture.stats().stream().mapToLong(CaptureStats::lost).sum();
            assertEquals(0, lost, "lost with '" + filter + "'");
        }
        return hex(Corpus.readPcap(file));
    }

    private static List<String> hex(List<byte[]> frames) {
        return frames.stream().map(f -> HexFormat.of().formatHex(f)).toList();
    }

    private static List<String> sorted(List<String> xs) {
        return xs.stream().sorted().toList();
    }
}
