package dev.bpfwatch.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** libpcap compiling on a dead handle, and raw tcpdump -ddd input: tables of input and exact instructions. */
class ClassicFilterTest {
    private static final List<ClassicInstruction> IP = List.of(
            new ClassicInstruction(0x28, 0, 0, 12), new ClassicInstruction(0x15, 0, 1, 0x800),
            new ClassicInstruction(0x06, 0, 0, 262144), new ClassicInstruction(0x06, 0, 0, 0));

    @Test
    void libpcapCompilesWhatTcpdumpDPrints() {
        // tcpdump -d ip: (000) ldh [12] (001) jeq #0x800 jt 2 jf 3 (002) ret #262144 (003) ret #0
        assertEquals(IP, FilterCompiler.compile("ip", 262144));
        // the snap length is what a match returns; no filter matches everything
        assertEquals(List.of(new ClassicInstruction(0x06, 0, 0, 100)), FilterCompiler.compile("", 100));
        // k above 2^31 stays unsigned
        assertEquals(new ClassicInstruction(0x15, 0, 1, 0xffffffffL),
                FilterCompiler.compile("ip dst 255.255.255.255", 262144).get(3));
    }

    @Test
    void libpcapsOwnMessagesForBadExpressions() {
        assertEquals("filter 'tcp port': can't parse filter expression: syntax error",
                assertThrows(FilterException.class, () -> FilterCompiler.compile("tcp port", 262144)).getMessage());
        assertEquals("filter 'port 99999': illegal port number 99999 > 65535",
                assertThrows(FilterException.class, () -> FilterCompiler.compile("port 99999", 262144)).getMessage());
    }

    @Test
    void rawInputInTcpdumpDddForm() {
        assertEquals(IP, ClassicFilter.of("4,40 0 0 12,21 0 1 2048,6 0 0 262144,6 0 0 0", 262144));
        assertEquals(IP, ClassicFilter.of("4\n40 0 0 12\n21 0 1 2048\n6 0 0 262144\n6 0 0 0\n", 262144));
        assertEquals(IP, ClassicFilter.of(" 4 , 40 0 0 12 , 21 0 1 2048 , 6 0 0 262144 , 6 0 0 0 ,", 262144));
        assertEquals("4,40 0 0 12,21 0 1 2048,6 0 0 262144,6 0 0 0",
                "4," + String.join(",", IP.stream().map(ClassicInstruction::toString).toList()));
    }

    @Test
    void rawOrExpression() {
        assertTrue(ClassicFilter.looksRaw("1,6 0 0 1"));
        assertTrue(ClassicFilter.looksRaw("2\n6 0 0 1"));
        assertTrue(ClassicFilter.looksRaw("3,"));
        assertFalse(ClassicFilter.looksRaw("tcp"));
        assertFalse(ClassicFilter.looksRaw("ip[2:2] > 100"));
        assertFalse(ClassicFilter.looksRaw(""));
    }

    @Test
    void malformedRawInput() {
        assertEquals("raw filter: instruction 0: code '65536' is not a number from 0 to 65535", rawError("1,65536 0 0 0"));
        assertEquals("raw filter: instruction 0: k '4294967296' is not a number from 0 to 4294967295",
                rawError("1,6 0 0 4294967296"));
        assertEquals("raw filter: instruction 1 '6 0 0' is not 'code jt jf k'", rawError("2,6 0 0 1,6 0 0"));
        assertEquals("raw filter: instruction count 4097 is not between 1 and 4096", rawError("4097,6 0 0 1"));
        assertEquals("raw filter: count says 1 instructions, 2 follow", rawError("1,6 0 0 1,6 0 0 1"));
        assertEquals("raw filter: instruction 0: jf 'x' is not a number from 0 to 255", rawError("1,6 0 x 1"));
    }

    private static String rawError(String raw) {
        return assertThrows(FilterException.class, () -> ClassicFilter.of(raw, 262144)).getMessage();
    }
}
