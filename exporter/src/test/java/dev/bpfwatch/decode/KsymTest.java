package dev.bpfwatch.decode;

import static dev.bpfwatch.decode.DecoderTests.PLAIN;
import static dev.bpfwatch.decode.DecoderTests.assertDecodes;
import static dev.bpfwatch.decode.DecoderTests.assertInvalid;
import static dev.bpfwatch.decode.DecoderTests.assertRejects;
import static dev.bpfwatch.decode.DecoderTests.resource;
import static dev.bpfwatch.decode.DecoderTests.u64;

import dev.bpfwatch.decode.DecoderTests.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
                Arguments.of(0xffffffff81001010L, "do_one_initcall"),
                Arguments.of(0xffffffff810017ffL, "do_one_initcall"),
                Arguments.of(0xffffffff81001800L, "do_one_initcall_tail"),
                Arguments.of(0xffffffff81002000L, "helper_static"),
                // two names at one address: the first listed
                Arguments.of(0xffffffff81000000L, "_text"),
                Arguments.of(0xffffffffc0a00000L, "mod_func"),
                Arguments.of(0xffffffffc0a00120L, "mod_other"),
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

    @Test
    void rereadsKallsymsOnAMissAtMostOnceASecond(@TempDir Path dir) throws Exception {
        Path kallsyms = dir.resolve("kallsyms");
        Files.writeString(kallsyms, "ffffffff81001000 T do_one_initcall\n");
        Ksym k = new Ksym(new KernelSymbols(kallsyms, clock.throttle()));
        assertDecodes(k, PLAIN, u64(0xffffffff81001000L), "do_one_initcall");
        // a module loads below the kernel's text (arm64 puts modules there)
        Files.writeString(kallsyms, "ffffffff80000000 t early_mod [m]\nffffffff81001000 T do_one_initcall\n");
        assertDecodes(k, PLAIN, u64(0xffffffff80000010L), "unknown_addr:0xffffffff80000010");
        clock.advance(Duration.ofSeconds(1));
        assertDecodes(k, PLAIN, u64(0xffffffff80000010L), "early_mod");
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
