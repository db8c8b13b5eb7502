package dev.bpfwatch.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.pcap.ClassicFilter;
import dev.bpfwatch.pcap.FilterCompiler;
import dev.bpfwatch.testing.Command;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The translator against libpcap's own reading of the same expressions:
 * every corpus filter is compiled, translated and loaded as the capture
 * program it would be, run by the kernel over every corpus packet, and the
 * packets it matched must be exactly those Debian's tcpdump selects with
 * that expression from a pcap of the same packets. The samples the program
 * wrote must be those packets, byte for byte.
 */
class FilterDifferentialTest {
    private static final int SNAPLEN = CaptureOptions.DEFAULT_SNAPLEN;
    /** Packet i (from 1) is stamped EPOCH + i seconds: how tcpdump's output names it. */
    private static final long EPOCH = 1_700_000_000L;
    @TempDir
    static Path dir;
    private static Path corpusFile;
    private static List<byte[]> packets;

    @BeforeAll
    static void writeCorpus() throws IOException {
        packets = Corpus.packets();
        corpusFile = dir.resolve("corpus.pcap");
        Corpus.writePcap(corpusFile, EPOCH);
        assertEquals(packets.size(), Tcpdump.select(corpusFile, EPOCH, "").size(), "tcpdump reads every corpus packet");
    }

    @Test
    void translatedFiltersSelectWhatTcpdumpSelects() {
        List<String> mismatches = new ArrayList<>();
        for (String expression : Corpus.filters()) {
            List<Integer> expected = Tcpdump.select(corpusFile, EPOCH, expression);
            List<Integer> actual = run(expression, ClassicFilter.of(expression, SNAPLEN));
            if (!expected.equals(actual)) {
                mismatches.add("'" + expression + "': tcpdump " + expected + ", xdpcap " + actual);
            }
        }
        assertEquals(List.of(), mismatches, "filters whose verdicts differ from tcpdump's");
        assertEquals(93, Corpus.filters().size(), "filters compared");
    }

    /** Raw cBPF as `tcpdump -ddd` prints it, newlines turned to commas, as xdpcap users pass it. */
    @Test
    void rawProgramsFromTcpdumpSelectWhatTheirExpressionSelects() {
        for (String expression : List.of("tcp port 80", "vlan and udp", "icmp[icmptype] == icmp-echo", "ip6 and tcp",
                "tcp and (ip[2:2] - ((ip[0]&0xf)<<2) - ((tcp[12]&0xf0)>>2)) > 0")) {
            String raw = Command.ok("tcpdump", "-ddd", "-y", "EN10MB", "-r", corpusFile.toString(), "--", expression)
                    .out().strip().replace('\n', ',');
            assertEquals(FilterCompiler.compile(expression, SNAPLEN), ClassicFilter.of(raw, SNAPLEN),
                    "raw form of '" + expression + "' parses to libpcap's program");
            assertEquals(Tcpdump.select(corpusFile, EPOCH, expression), run(raw, ClassicFilter.of(raw, SNAPLEN)), raw);
        }
    }

    private static List<Integer> run(String label, List<dev.bpfwatch.pcap.ClassicInstruction> filter) {
        List<Integer> matched = new ArrayList<>();
        try (FilterRun run = new FilterRun(filter, XdpAction.PASS, SNAPLEN)) {
            for (int i = 0; i < packets.size(); i++) {
                if (run.matches(packets.get(i))) {
                    matched.add(i + 1);
                }
            }
            // Samples come per CPU ring, and the thread running the program may change CPU: compare as multisets.
            List<CaptureSample> samples = run.drain();
            List<String> written = new ArrayList<>();
            for (CaptureSample s : samples) {
                assertEquals(s.data().length, s.length(), "whole frame captured for '" + label + "'");
                assertEquals(XdpAction.PASS, s.action());
                written.add(java.util.HexFormat.of().formatHex(s.data()));
            }
            List<String> sent = new ArrayList<>();
            for (int n : matched) {
                sent.add(java.util.HexFormat.of().formatHex(packets.get(n - 1)));
            }
            assertEquals(sent.stream().sorted().toList(), written.stream().sorted().toList(),
                    "samples written for '" + label + "'");
        }
        return matched;
    }
}
