package dev.bpfwatch.libbpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The section forms libbpf 1.1 does not know and bpfwatch reads itself; kernel-free. */
@Tag("matrix")
class ExporterSectionTest {
    private static final int UNSPEC = 0;
    private static final int XDP = 6;

    @Test
    void ebpfExporterFormsParse() {
        assertEquals(Optional.of(new PerfEventSection(1, 0, 99, 0)),
                ExporterSection.of("perf_event/type=1,config=0,frequency=99", UNSPEC));
        assertEquals(Optional.of(new PerfEventSection(0, 0xc0, 0, 100000)),
                ExporterSection.of("perf_event/type=0,config=0xc0,sample_period=100000", UNSPEC));
        assertEquals(Optional.of(new XdpSection("eth0")), ExporterSection.of("xdp/eth0", UNSPEC));
    }

    @Test
    void sectionsLibbpfKnowsAreLeftToIt() {
        assertEquals(Optional.empty(), ExporterSection.of("xdp", XDP));
        assertEquals(Optional.empty(), ExporterSection.of("xdp/devmap", XDP));
        assertEquals(Optional.empty(), ExporterSection.of("perf_event", 7));
        assertEquals(Optional.empty(), ExporterSection.of("tp_btf/kfree_skb", 26));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "perf_event/type=1,config=0,frequncy=100|unknown key 'frequncy'",
        "perf_event/type=1,config=0|give one of 'frequency' and 'sample_period'",
        "perf_event/type=1,config=0,frequency=1,sample_period=5|give one of 'frequency' and 'sample_period'",
        "perf_event/config=0,frequency=1|'type' missing",
        "perf_event/type=1,frequency=1|'config' missing",
        "perf_event/type=1,config=0,frequency=0|frequency must be above 0",
        "perf_event/type=1,config=0,frequency=x|frequency 'x' is not a number",
        "perf_event/type=1,config=0,frequency=-5|frequency '-5' is not a number",
        "perf_event/type=1,type=2,config=0,frequency=1|'type' given twice",
        "perf_event/type=4294967296,config=0,frequency=1|more than 32 bits",
        "perf_event/type=1,,config=0,frequency=1|'' is not key=value",
        "perf_event/|'' is not key=value",
        "xdp/|is not an interface name",
        "xdp/name-longer-than-15|is not an interface name",
    })
    void malformedSectionsSayWhatIsWrong(String section, String problem) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ExporterSection.of(section, UNSPEC));
        assertTrue(e.getMessage().contains(problem) && e.getMessage().contains("'" + section + "'"), e.getMessage());
    }
}
