package dev.bpfwatch.decode;

import static dev.bpfwatch.decode.DecoderTests.PLAIN;
import static dev.bpfwatch.decode.DecoderTests.assertDecodes;
import static dev.bpfwatch.decode.DecoderTests.assertInvalid;
import static dev.bpfwatch.decode.DecoderTests.assertRejects;
import static dev.bpfwatch.decode.DecoderTests.resource;
import static dev.bpfwatch.decode.DecoderTests.u64;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.decode.DecoderTests.ManualClock;
import dev.bpfwatch.libbpf.BpfObject;
import dev.bpfwatch.testing.Resources;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class KstackTest {
    private final Kstack kstack = new Kstack(new KernelSymbols(resource("kallsyms"), new ManualClock().throttle()));

    private static byte[] stack(long... frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (long f : frames) {
            out.writeBytes(u64(f));
        }
        return out.toByteArray();
    }

    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of(stack(0xffffffff81002010L, 0xffffffff81001005L, 0xffffffffc0a00004L),
                        "helper_static\ndo_one_initcall\nmod_func"),
                // bpf_get_stack zero-fills the rest of the buffer: the first zero ends the stack
                Arguments.of(stack(0xffffffff81001005L, 0, 0xffffffff81002010L, 0),
                        "do_one_initcall"),
                Arguments.of(stack(0xffffffff81001005L, 0x42L, 0xffffffffc0a00104L),
                        "do_one_initcall\n??\nmod_other"),
                Arguments.of(stack(0, 0, 0, 0), ""),
                Arguments.of(stack(), ""));
    }

    @ParameterizedTest
    @MethodSource("table")
    void symbolises(byte[] in, String out) throws DecoderException {
        assertDecodes(kstack, PLAIN, in, out);
    }

    /**
     * Real kernel data: BPF programs JITed after kallsyms was read. The first
     * stack through a new program re-reads kallsyms at once and names it; a
     * second one within the same second cannot, so its stack is provisional
     * (never cached) until the next re-read names it too.
     */
    @Test
    void namesBpfProgramsLoadedSinceKallsymsWasRead() throws Exception {
        Path proc = Path.of("/proc/kallsyms");
        ManualClock clock = new ManualClock();
        Kstack k = new Kstack(new KernelSymbols(proc, clock.throttle()));
        k.validate(PLAIN, 16); // reads kallsyms, as a config load does
        long tcpV4Rcv = symbols(proc, " tcp_v4_rcv").keySet().iterator().next();
        clock.advance(Duration.ofSeconds(1));
        try (BpfObject first = BpfObject.open(Resources.testObject("attach_tracepoint"));
             BpfObject second = BpfObject.open(Resources.testObject("attach_tracepoint"))) {
            Map<Long, String> before = symbols(proc, "\t[bpf]");
            first.load();
            Map.Entry<Long, String> firstImage = newProgram(proc, before);
            Decoded d = k.decodeLabel(stack(firstImage.getKey() + 0x10, tcpV4Rcv + 5), PLAIN);
            assertEquals(firstImage.getValue() + "\ntcp_v4_rcv", new String(d.value(), StandardCharsets.UTF_8));
            assertFalse(d.provisional());

            clock.advance(Duration.ofMillis(10)); // the second program loads after that re-read
            before = symbols(proc, "\t[bpf]");
            second.load();
            Map.Entry<Long, String> secondImage = newProgram(proc, before);
            d = k.decodeLabel(stack(secondImage.getKey() + 0x10), PLAIN);
            assertTrue(d.provisional(), "re-read a moment ago: the name may be out of date");
            clock.advance(Duration.ofSeconds(1));
            d = k.decodeLabel(stack(secondImage.getKey() + 0x10), PLAIN);
            assertEquals(secondImage.getValue(), new String(d.value(), StandardCharsets.UTF_8));
            assertFalse(d.provisional());
            // frames in the kernel's own text never wait for a re-read
            assertFalse(k.decodeLabel(stack(tcpV4Rcv + 5), PLAIN).provisional());
        }
    }

    /** kallsyms lines containing {@code marker}: address to name. */
    private static Map<Long, String> symbols(Path kallsyms, String marker) throws IOException {
        Map<Long, String> out = new HashMap<>();
        for (String line : Files.readAllLines(kallsyms)) {
            if (line.contains(marker)) {
                String[] f = line.split("\\s+");
                out.put(Long.parseUnsignedLong(f[0], 16), f[2]);
            }
        }
        return out;
    }

    /** The JIT image that appeared since {@code before} (other tests may load programs too: take ours by name). */
    private static Map.Entry<Long, String> newProgram(Path kallsyms, Map<Long, String> before) throws IOException {
        return symbols(kallsyms, "\t[bpf]").entrySet().stream()
                .filter(e -> !before.containsKey(e.getKey()) && e.getValue().startsWith("bpf_prog_")
                        && e.getValue().endsWith("_tracepoint_getpgid"))
                .findFirst().orElseThrow(() -> new AssertionError("no new bpf_prog_*_tracepoint_getpgid in kallsyms"));
    }

    @Test
    void sizes() {
        assertRejects(kstack, PLAIN, new byte[12]);
        assertDoesNotThrow(() -> kstack.validate(PLAIN, 127 * 8));
        assertInvalid(kstack, PLAIN, 12, "label size must be a multiple of 8 bytes (one address per frame), not 12");
        assertInvalid(kstack, PLAIN, -1, "reads the raw key bytes, so it must be the first decoder of the label");
    }
}
