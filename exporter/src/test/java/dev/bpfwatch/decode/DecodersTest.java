package dev.bpfwatch.decode;

import static dev.bpfwatch.decode.DecoderTests.b;
import static dev.bpfwatch.decode.DecoderTests.resource;
import static dev.bpfwatch.decode.DecoderTests.s;
import static dev.bpfwatch.decode.DecoderTests.u64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.decode.DecoderTests.FakeContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DecodersTest {
    private static final Decoders DECODERS = Decoders.standard(new FakeContext(
            Map.of("skb_drop_reason", Map.of("SKB_DROP_REASON_NO_SOCKET", 3L)),
            resource("kallsyms"), Path.of("/nonexistent")));

    private static DecoderConfig named(String name) {
        return DecoderConfig.named(name);
    }

    private static DecoderConfig staticMap(Map<String, String> map) {
        return new DecoderConfig("static_map", map, false, null, null, null);
    }

    private static DecoderConfig regexp(String... patterns) {
        return new DecoderConfig("regexp", null, false, List.of(patterns), null, null);
    }

    private static DecoderConfig dropReason(String enumName) {
        return new DecoderConfig("enum", null, false, null, enumName, "SKB_DROP_REASON_");
    }

    @Test
    void knowsEveryDecoder() {
        assertEquals(Set.of("uint", "hex", "string", "inet_ip", "port", "ifname", "errno", "syscall", "ksym",
                "kstack", "cgroup", "static_map", "regexp", "dname", "majorminor", "enum", "pci_vendor", "pci_device",
                "pci_class", "pci_subclass"), DECODERS.names());
        assertTrue(DECODERS.byName("uint").orElseThrow() instanceof Uint);
        assertTrue(DECODERS.byName("unit").isEmpty());
    }

    static Stream<Arguments> chains() {
        return Stream.of(
                Arguments.of(b(6), List.of(named("uint"), staticMap(Map.of("6", "tcp"))), "tcp"),
                Arguments.of(b(3, 0, 0, 0), List.of(named("uint"), dropReason("skb_drop_reason")), "NO_SOCKET"),
                Arguments.of(b(2, 0), List.of(named("uint"), named("errno")), "ENOENT"),
                Arguments.of(u64(59), List.of(named("uint"), named("syscall")), "execve"),
                Arguments.of(s("sshd\0\0\0\0"), List.of(named("string"), regexp("^sshd$")), "sshd"),
                Arguments.of(s("\u0003www\u0007example\u0003com\0\0\0"), List.of(named("string"), named("dname")),
                        "www.example.com"),
                Arguments.of(u64(0xffffffff81001000L), List.of(named("ksym")), "do_one_initcall"));
    }

    @ParameterizedTest
    @MethodSource("chains")
    void decodesChains(byte[] in, List<DecoderConfig> chain, String out) throws DecoderException {
        assertArrayEquals(s(out), DECODERS.decodeChain(in, chain));
    }

    @Test
    void aSkipEndsTheChain() throws DecoderException {
        assertNull(DECODERS.decodeChain(s("bash\0"),
                List.of(named("string"), regexp("^sshd$"), staticMap(Map.of("bash", "never")))));
    }

    @Test
    void decoderErrorsNameTheDecoder() {
        DecoderException e = assertThrows(DecoderException.class,
                () -> DECODERS.decodeChain(b(1, 2, 3), List.of(named("uint"))));
        assertTrue(e.getMessage().startsWith("decoder 'uint': expected 1, 2, 4 or 8 bytes, got 3"), e.getMessage());
    }

    @Test
    void unknownDecoderInAChain() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DECODERS.decodeChain(b(1), List.of(named("unit"))));
        assertEquals("unknown decoder 'unit', did you mean 'uint'?", e.getMessage());
    }

    static Stream<Arguments> invalidChains() {
        return Stream.of(
                Arguments.of(List.of(named("unit")), 4, "unknown decoder 'unit', did you mean 'uint'?"),
                Arguments.of(List.of(named("uint"), named("sycall")), 4,
                        "unknown decoder 'sycall', did you mean 'syscall'?"),
                Arguments.of(List.of(named("static-map")), 4, "unknown decoder 'static-map', did you mean 'static_map'?"),
                Arguments.of(List.of(named("frobnicate")), 4, "unknown decoder 'frobnicate' (known: cgroup, dname, "
                        + "enum, errno, hex, ifname, inet_ip, kstack, ksym, majorminor, pci_class, pci_device, "
                        + "pci_subclass, pci_vendor, port, regexp, static_map, string, syscall, uint)"),
                Arguments.of(List.of(), 4, "no decoders: a label needs at least one (e.g. uint or string)"),
                Arguments.of(List.of(named("uint")), 3, "decoder 'uint': label size must be one of 1, 2, 4, 8 bytes, not 3"),
                Arguments.of(List.of(named("string"), named("uint")), 16,
                        "decoder 'uint': reads the raw key bytes, so it must be the first decoder of the label"),
                Arguments.of(List.of(named("errno")), 4,
                        "decoder 'errno': reads the decimal text of a number: put 'uint' before it"),
                Arguments.of(List.of(named("uint"), dropReason("skb_drop_reasonx")), 4,
                        "decoder 'enum': enum skb_drop_reasonx not found in kernel BTF (if_missing: LABEL counts without names)"),
                Arguments.of(List.of(named("string"), regexp("(")), 16,
                        "decoder 'regexp': bad regexp '(': Unclosed group"),
                Arguments.of(List.of(named("uint"), named("static_map")), 4,
                        "decoder 'static_map': static_map is missing or empty"),
                Arguments.of(List.of(named("inet_ip")), 6,
                        "decoder 'inet_ip': label size must be one of 4, 16 bytes, not 6"));
    }

    @ParameterizedTest
    @MethodSource("invalidChains")
    void validationSaysWhatIsWrong(List<DecoderConfig> chain, int labelSize, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DECODERS.validateChain(chain, labelSize));
        assertEquals(message, e.getMessage());
    }

    @Test
    void validChainsPass() {
        assertDoesNotThrow(() -> DECODERS.validateChain(List.of(named("uint"), dropReason("skb_drop_reason")), 4));
        assertDoesNotThrow(() -> DECODERS.validateChain(List.of(named("uint"), named("cgroup")), 8));
        assertDoesNotThrow(() -> DECODERS.validateChain(List.of(named("string"), regexp("^a"), named("hex")), 16));
        assertDoesNotThrow(() -> DECODERS.validateChain(List.of(named("kstack")), 127 * 8));
        assertDoesNotThrow(() -> DECODERS.validateChain(List.of(named("majorminor")), 4));
    }
}
