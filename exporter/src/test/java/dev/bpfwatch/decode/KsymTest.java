package dev.bpfwatch.decode;

import static dev.bpfwatch.decode.DecoderTests.PLAIN;
import static dev.bpfwatch.decode.DecoderTests.assertDecodes;
import static dev.bpfwatch.decode.DecoderTests.assertInvalid;
import static dev.bpfwatch.decode.DecoderTests.assertRejects;
import static dev.bpfwatch.decode.DecoderTests.resource;
import static dev.bpfwatch.decode.DecoderTests.u64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.decode.DecoderTests.ManualClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Symbols from decode/kallsyms (deliberately not in address order). */
class KsymTest {
    private final ManualClock clock = new ManualClock();
    private final Ksym ksym = new Ksym(new KernelSymbols(resource("kallsyms"), clock.throttle()));

    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of(0xffffffff81001000L, "do_one_initcall"),
                Arguments.of(0xffffffff81001800L, "do_one_initcall_tail"),
                Arguments.of(0xffffffff81002000L, "helper_static"),
                // two names at one address: the first listed
                Arguments.of(0xffffffff81000000L, "_text"),
                Arguments.of(0xffffffffc0a00000L, "mod_func"),
                Arguments.of(0xffffffffc0a00100L, "mod_other"),
                // only a symbol's own address names it, as in ebpf_exporter
                Arguments.of(0xffffffff81001010L, "unknown_addr:0xffffffff81001010"),
                Arguments.of(0xffffffff810017ffL, "unknown_addr:0xffffffff810017ff"),
                Arguments.of(0xffffffffc0a00120L, "unknown_addr:0xffffffffc0a00120"),
                Arguments.of(0xffffffff80ffffffL, "unknown_addr:0xffffffff80ffffff"),
                // the zero address listed in kallsyms names nothing
                Arguments.of(0x1000L, "unknown_addr:0x1000"),
                Arguments.of(0L, "unknown_addr:0x0"));
    }

    @ParameterizedTest
    @MethodSource("table")
    void names(long address, String out) throws DecoderException {
        assertDecodes(ksym, PLAIN, u64(address), out);
    }

    /** ebpf_exporter's own case: the neighbours of pipe_lock and pipe_unlock are unknown. */
    @Test
    void exactAddressesOnly(@TempDir Path dir) throws Exception {
        Path kallsyms = dir.resolve("kallsyms");
        Files.writeString(kallsyms, "ffffffeb19d90830 T pipe_lock\nffffffeb19d90870 T pipe_unlock\n");
        Ksym k = new Ksym(new KernelSymbols(kallsyms, clock.throttle()));
        assertDecodes(k, PLAIN, u64(0xffffffeb19d90828L), "unknown_addr:0xffffffeb19d90828");
        assertDecodes(k, PLAIN, u64(0xffffffeb19d90830L), "pipe_lock");
        assertDecodes(k, PLAIN, u64(0xffffffeb19d90870L), "pipe_unlock");
        assertDecodes(k, PLAIN, u64(0xffffffeb19d90878L), "unknown_addr:0xffffffeb19d90878");
    }

    @Test
    void aMissIsProvisionalAndRereadsKallsymsAtMostOnceASecond(@TempDir Path dir) throws Exception {
        Path kallsyms = dir.resolve("kallsyms");
        Files.writeString(kallsyms, "ffffffff81001000 T do_one_initcall\n");
        Ksym k = new Ksym(new KernelSymbols(kallsyms, clock.throttle()));
        Decoded known = k.decodeLabel(u64(0xffffffff81001000L), PLAIN);
        assertEquals("do_one_initcall", new String(known.value(), StandardCharsets.UTF_8));
        assertFalse(known.provisional());
        // a module loads after the first read
        Files.writeString(kallsyms, "ffffffffc0000000 t late_mod [m]\nffffffff81001000 T do_one_initcall\n");
        Decoded miss = k.decodeLabel(u64(0xffffffffc0000000L), PLAIN);
        assertEquals("unknown_addr:0xffffffffc0000000", new String(miss.value(), StandardCharsets.UTF_8));
        assertTrue(miss.provisional(), "a miss must not be cached as the label");
        clock.advance(Duration.ofSeconds(1));
        Decoded found = k.decodeLabel(u64(0xffffffffc0000000L), PLAIN);
        assertEquals("late_mod", new String(found.value(), StandardCharsets.UTF_8));
        assertFalse(found.provisional());
    }

    /** Real kernel data: every function symbol of this kernel's text decodes to its name. */
    @Test
    void namesThisKernelsFunctions() throws Exception {
        Path proc = Path.of("/proc/kallsyms");
        Ksym k = new Ksym(new KernelSymbols(proc, clock.throttle()));
        List<String> lines = Files.readAllLines(proc);
        int checked = 0;
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (String line : lines) {
            String[] f = line.split("\\s+");
            long address = Long.parseUnsignedLong(f[0], 16);
            // one name per address (aliases share one); only functions of the kernel itself
            if (address == 0 || !(f[1].equals("T") || f[1].equals("t")) || f.length > 3 || !seen.add(address)) {
                continue;
            }
            Decoded d = k.decodeLabel(u64(address), PLAIN);
            assertFalse(d.provisional(), f[2]);
            checked++;
            if (f[2].equals("do_one_initcall") || f[2].equals("tcp_v4_rcv")) {
                assertEquals(f[2], new String(d.value(), StandardCharsets.UTF_8));
            }
        }
        assertTrue(checked > 10_000, "only " + checked + " functions in /proc/kallsyms (run as root)");
        // one byte into a function is no symbol's address
        long tcpV4Rcv = lines.stream().filter(l -> l.endsWith(" tcp_v4_rcv")).map(l -> Long.parseUnsignedLong(
                l.substring(0, l.indexOf(' ')), 16)).findFirst().orElseThrow();
        assertDecodes(k, PLAIN, u64(tcpV4Rcv), "tcp_v4_rcv");
        assertDecodes(k, PLAIN, u64(tcpV4Rcv + 1), "unknown_addr:0x" + Long.toHexString(tcpV4Rcv + 1));
    }

    @Test
    void missingKallsymsIsADecoderError(@TempDir Path dir) {
        Ksym k = new Ksym(new KernelSymbols(dir.resolve("none"), clock.throttle()));
        assertRejects(k, PLAIN, u64(0xffffffff81001000L));
    }

    @Test
    void wantsEightBytes() {
        assertRejects(ksym, PLAIN, new byte[4]);
        assertInvalid(ksym, PLAIN, 4, "label size must be 8 bytes, not 4");
    }
}
