package dev.bpfwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.Bpftool;
import dev.bpfwatch.testing.CliRun;
import dev.bpfwatch.testing.ConfigDir;
import dev.bpfwatch.testing.Resources;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `bpfwatch check` and `run` on bad configs: one line naming the file, exit 2, nothing left loaded. */
class CheckCommandTest {
    private CliRun last;

    @TempDir
    Path dir;

    private int run(String... args) {
        last = CliRun.of(args);
        return last.exit();
    }

    private static final String GOOD = """
            metrics:
              counters:
                - name: udp_drops_percpu_total
                  help: drops
                  labels:
                    - name: dport
                      size: 2
                      decoders:
                        - name: uint
            """;

    @Test
    void embeddedConfigsPassTheVerifierAndLeaveNothing() {
        assertEquals(0, run("check"), last.err());
        assertTrue(last.out().contains("ok: kfree_skb_drops"), last.out());
        assertEquals(0, Bpftool.countOwnPrograms("count_drop"), "check unloads what it loaded");
    }

    @Test
    void goodConfigDirPasses() {
        ConfigDir.with(dir, "compat", "compat_udp", GOOD);
        assertEquals(0, run("check", "--config.dir", dir.toString()), last.err());
        assertEquals(0, Bpftool.countOwnPrograms("compat_count"));
    }

    @Test
    void badConfigIsOneLineWithFileAndLine() {
        ConfigDir.with(dir, "compat", "compat_udp", GOOD.replace("size: 2", "size: 2\n          padding: 1"));
        assertEquals(2, run("check", "--config.dir", dir.toString()));
        String e = last.err().strip();
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.startsWith("bpfwatch: " + dir.resolve("compat.yaml") + ":3: metric 'udp_drops_percpu_total': "
                + "labels cover 3 bytes"), e);
    }

    @Test
    void runRefusesABadConfigBeforeLoadingAnything() {
        ConfigDir.with(dir, "compat", "compat_udp", GOOD.replace("name: uint", "name: unit"));
        assertEquals(2, run("run", "--web.listen-address=127.0.0.1:0", "--config.dir", dir.toString()));
        String e = last.err().strip();
        assertTrue(e.contains("compat.yaml:6: label 'dport': unknown decoder 'unit', did you mean 'uint'?"), e);
        assertFalse(e.contains("\tat "), "no stack trace");
        assertEquals(0, Bpftool.countOwnPrograms("compat_count"));
    }

    @Test
    void missingObjectNamesTheFile() throws Exception {
        Files.writeString(dir.resolve("lonely.yaml"), GOOD);
        assertEquals(2, run("check", "--config.dir", dir.toString()));
        assertTrue(last.err().contains(dir.resolve("lonely.bpf.o") + ": object for config 'lonely' not found"),
                last.err());
    }

    @Test
    void unknownConfigNameIsRefused() {
        assertEquals(2, run("check", "--config.names", "nope"));
        assertTrue(last.err().contains("config 'nope' not found"), last.err());
    }

    @Test
    void corruptObjectIsATypedErrorNamingTheFile() throws Exception {
        ConfigDir.with(dir, "compat", "compat_udp", GOOD);
        Files.write(dir.resolve("compat.bpf.o"), new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0});
        assertEquals(2, run("check", "--config.dir", dir.toString()));
        String e = last.err().strip();
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.contains("compat.bpf.o") && e.contains("damaged object: e_shoff at offset 40"), e);
    }

    @Test
    void objectWithBrokenBtfIsRefusedNotACrash() throws Exception {
        // One flipped bit in a BTF type id crashed libbpf 1.1 inside the JVM; now it is one message.
        ConfigDir.with(dir, "compat", "compat_udp", GOOD);
        Path object = dir.resolve("compat.bpf.o");
        byte[] elf = Files.readAllBytes(object);
        int btf = indexOf(elf, new byte[] {(byte) 0x9f, (byte) 0xeb, 1, 0});
        int typesAt = btf + 24;
        elf[typesAt + 8 + 1] = 0x10; // type 1 is a pointer: point it at type 4096 + its own target
        Files.write(object, elf);
        assertEquals(2, run("check", "--config.dir", dir.toString()));
        String e = last.err().strip();
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.contains("compat.bpf.o") && e.contains("damaged object: BTF type 1 refers to type 4"), e);
        assertFalse(e.contains("\tat "), "no stack trace");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("BTF header not found");
    }

    @Test
    void verifierRejectionIsReportedByCheck() throws Exception {
        ConfigDir.with(dir, "reject", "verifier_reject", """
                metrics:
                  counters:
                    - name: reject_counts
                """);
        assertEquals(2, run("check", "--config.dir", dir.toString()));
        String e = last.err();
        assertTrue(e.contains("reject.bpf.o") && e.contains("unchecked_read"), e);
        assertEquals(0, Bpftool.countOwnPrograms("accepted_first"));
        assertTrue(Files.exists(Resources.testObject("verifier_reject")));
    }

    /**
     * `check` leaves out what `run` leaves out: programs on a function or
     * tracepoint no kernel has (and every fentry where the kernel refuses
     * trampolines, as on this development host). Before, one such program
     * failed the check of a config that runs.
     */
    @Test
    void programsThisKernelCannotTakeAreNamedNotFailed() {
        ConfigDir.mixedFentry(dir);
        assertEquals(0, run("check", "--config.dir", dir.toString()), last.err());
        String out = last.out();
        assertTrue(out.startsWith("ok: mixed (left out on this kernel: "), out);
        assertTrue(out.contains("mixed_tp_btf_missing: tracepoint bpfwatch_no_such_tracepoint is not in this kernel"),
                out);
        assertTrue(out.contains("mixed_fentry_missing: "), out);
        assertEquals(0, Bpftool.countOwnPrograms("mixed_raw_tp"));
    }
}
