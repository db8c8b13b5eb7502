package dev.bpfwatch.decode;

import static dev.bpfwatch.decode.DecoderTests.PLAIN;
import static dev.bpfwatch.decode.DecoderTests.assertDecodes;
import static dev.bpfwatch.decode.DecoderTests.assertInvalid;
import static dev.bpfwatch.decode.DecoderTests.assertRejects;
import static dev.bpfwatch.decode.DecoderTests.b;
import static dev.bpfwatch.decode.DecoderTests.s;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SyscallTest {
    private static final Path UNISTD = Path.of("/usr/include/x86_64-linux-gnu/asm/unistd_64.h");

    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of("0", "read"),
                Arguments.of("1", "write"),
                Arguments.of("17", "pread64"),
                Arguments.of("59", "execve"),
                Arguments.of("257", "openat"),
                Arguments.of("321", "bpf"),
                Arguments.of("435", "clone3"),
                Arguments.of("450", "set_mempolicy_home_node"),
                Arguments.of("335", "unknown_syscall:335"),
                Arguments.of("100000", "unknown_syscall:100000"));
    }

    @ParameterizedTest
    @MethodSource("table")
    void names(String in, String out) throws DecoderException {
        assertDecodes(new Syscall(), PLAIN, s(in), out);
    }

    @Test
    void takesTheTextOfUint() {
        assertRejects(new Syscall(), PLAIN, b(0, 0, 0, 0));
        assertInvalid(new Syscall(), PLAIN, 8, "reads the decimal text of a number: put 'uint' before it");
    }

    /** The bundled table is the kernel header's, entry for entry (where the header is installed). */
    @Test
    void tableMatchesTheKernelHeader() throws IOException, DecoderException {
        Assumptions.assumeTrue(Files.isReadable(UNISTD), "linux-libc-dev headers not installed");
        Pattern define = Pattern.compile("^#define __NR_(\\w+) (\\d+)$");
        int seen = 0;
        for (String line : Files.readAllLines(UNISTD)) {
            Matcher m = define.matcher(line);
            if (m.matches()) {
                assertDecodes(new Syscall(), PLAIN, s(m.group(2)), m.group(1));
                seen++;
            }
        }
        assertFalse(seen < 300, "only " + seen + " syscalls in " + UNISTD);
    }
}
