package dev.bpfwatch.decode;

import static dev.bpfwatch.decode.DecoderTests.PLAIN;
import static dev.bpfwatch.decode.DecoderTests.assertDecodes;
import static dev.bpfwatch.decode.DecoderTests.assertInvalid;
import static dev.bpfwatch.decode.DecoderTests.assertRejects;
import static dev.bpfwatch.decode.DecoderTests.b;
import static dev.bpfwatch.decode.DecoderTests.s;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
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
                // added since 6.1: 6.5 to 7.0
                Arguments.of("335", "uretprobe"),
                Arguments.of("336", "uprobe"),
                Arguments.of("451", "cachestat"),
                Arguments.of("452", "fchmodat2"),
                Arguments.of("453", "map_shadow_stack"),
                Arguments.of("454", "futex_wake"),
                Arguments.of("455", "futex_wait"),
                Arguments.of("456", "futex_requeue"),
                Arguments.of("457", "statmount"),
                Arguments.of("458", "listmount"),
                Arguments.of("459", "lsm_get_self_attr"),
                Arguments.of("460", "lsm_set_self_attr"),
                Arguments.of("461", "lsm_list_modules"),
                Arguments.of("462", "mseal"),
                Arguments.of("463", "setxattrat"),
                Arguments.of("467", "open_tree_attr"),
                Arguments.of("469", "file_setattr"),
                Arguments.of("470", "listns"),
                Arguments.of("471", "rseq_slice_yield"),
                // where ebpf_exporter's table (strace's handler names) differs, x86_64's own names
                Arguments.of("7", "poll"),
                Arguments.of("18", "pwrite64"),
                Arguments.of("40", "sendfile"),
                Arguments.of("94", "lchown"),
                Arguments.of("155", "pivot_root"),
                Arguments.of("156", "_sysctl"),
                Arguments.of("189", "lsetxattr"),
                Arguments.of("202", "futex"),
                Arguments.of("214", "epoll_ctl_old"),
                Arguments.of("228", "clock_gettime"),
                Arguments.of("231", "exit_group"),
                // numbers x86_64 leaves unused, and the x32 range, which is not x86_64's
                Arguments.of("387", "unknown_syscall:387"),
                Arguments.of("512", "unknown_syscall:512"),
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

    /**
     * Every syscall this kernel has from 424 on (the range where each number
     * has an entry point) decodes to the name of that entry point,
     * __x64_sys_NAME in kallsyms.
     */
    @Test
    void namesTheRunningKernelsSyscalls() throws IOException, DecoderException {
        Path kallsyms = Path.of("/proc/kallsyms");
        Assumptions.assumeTrue(Files.isReadable(kallsyms), "no /proc/kallsyms");
        Set<String> entryPoints = new HashSet<>();
        try (Stream<String> lines = Files.lines(kallsyms)) {
            lines.map(l -> l.split("\\s+")).filter(f -> f.length >= 3 && f[2].startsWith("__x64_sys_"))
                    .forEach(f -> entryPoints.add(f[2].substring("__x64_sys_".length())));
        }
        Assumptions.assumeTrue(entryPoints.contains("lsm_list_modules"), "kernel older than 6.8");
        Syscall syscall = new Syscall();
        int highest = 0;
        for (int n = 424; n <= 500; n++) {
            String name = new String(syscall.decode(s(Integer.toString(n)), PLAIN), StandardCharsets.UTF_8);
            if (entryPoints.contains(name)) {
                highest = n;
            }
        }
        // 461 and below must all be there (6.8 has them); each one up to the highest found too
        assertTrue(highest >= 461, "highest syscall found " + highest);
        for (int n = 424; n <= highest; n++) {
            String name = new String(syscall.decode(s(Integer.toString(n)), PLAIN), StandardCharsets.UTF_8);
            assertTrue(entryPoints.contains(name), n + " decodes to '" + name + "', not a syscall of this kernel");
        }
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
