package dev.bpfwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.Bpftool;
import dev.bpfwatch.testing.CliRun;
import dev.bpfwatch.testing.ConfigDir;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Flags that name paths cannot reach outside bpffs or outside --config.dir: one line, exit 2, nothing touched. */
class PathTraversalTest {
    private CliRun last;

    @TempDir
    Path dir;

    private int run(String... args) {
        last = CliRun.of(args);
        return last.exit();
    }

    private Path victim(Path in) throws Exception {
        Files.createDirectories(in);
        return Files.writeString(in.resolve("keep"), "not a pin\n");
    }

    @Test
    void cleanupRefusesDotDotOutOfBpffs() throws Exception {
        Path keep = victim(dir);
        String flag = "/sys/fs/bpf/x/../../../.." + dir;
        assertEquals(2, run("cleanup", "--bpf.pin-path=" + flag));
        assertEquals("bpfwatch: --bpf.pin-path " + flag + ": must be a directory inside /sys/fs/bpf (it resolves to "
                + dir + ")", last.err().strip());
        assertTrue(Files.exists(keep), "nothing deleted outside bpffs");
        assertEquals("", last.out());
    }

    @Test
    void cleanupRefusesASymbolicLinkOutOfBpffs() throws Exception {
        Path keep = victim(dir.resolve("sub"));
        Path link = Path.of("/sys/fs/bpf/bpfwatch-test-link-" + ProcessHandle.current().pid());
        Files.createSymbolicLink(link, dir);
        try {
            assertEquals(2, run("cleanup", "--bpf.pin-path=" + link.resolve("sub")));
            assertEquals("bpfwatch: --bpf.pin-path " + link.resolve("sub") + ": must be a directory inside "
                    + "/sys/fs/bpf (it resolves to " + dir.resolve("sub") + ")", last.err().strip());
            assertTrue(Files.exists(keep), "nothing deleted through the link");
        } finally {
            Files.deleteIfExists(link);
        }
    }

    @Test
    void bpffsItselfIsNotAPinPath() {
        // cleanup there would remove every other program's pins.
        UserInputException e = assertThrows(UserInputException.class, () -> PinPath.inside("/sys/fs/bpf/a/.."));
        assertEquals("--bpf.pin-path /sys/fs/bpf/a/..: must be a directory inside /sys/fs/bpf (it resolves to "
                + "/sys/fs/bpf)", e.getMessage());
        assertEquals(Path.of("/sys/fs/bpf/a/b"), PinPath.inside("/sys/fs/bpf/a/./c/../b"));
    }

    @Test
    void runRefusesDotDotOutOfBpffsBeforeStarting() {
        // options() is what run checks before anything is loaded, bound or pinned.
        RunCommand run = new RunCommand();
        new CommandLine(run).parseArgs("--web.listen-address=127.0.0.1:0",
                "--bpf.pin-path=/sys/fs/bpf/x/../../../../tmp/pins");
        UserInputException e = assertThrows(UserInputException.class, run::options);
        assertEquals("--bpf.pin-path /sys/fs/bpf/x/../../../../tmp/pins: must be a directory inside /sys/fs/bpf"
                + " (it resolves to /tmp/pins)", e.getMessage());
        assertTrue(Files.notExists(Path.of("/tmp/pins")));
    }

    @Test
    void configNameCannotLeaveTheConfigDir() throws Exception {
        Path configs = Files.createDirectories(dir.resolve("configs"));
        ConfigDir.with(dir.resolve("elsewhere"), "cfg", "compat_udp", """
                metrics:
                  counters:
                    - name: udp_drops_percpu_total
                      help: drops
                      labels:
                        - name: dport
                          size: 2
                          decoders:
                            - name: uint
                """);
        assertEquals(2, run("check", "--config.dir=" + configs, "--config.names=../elsewhere/cfg"));
        assertEquals("bpfwatch: --config.names ../elsewhere/cfg: not a config name (letters, digits, _ . -, not "
                + "starting with . or -)", last.err().strip());
        assertEquals(0, Bpftool.countOwnPrograms("compat_count"), "nothing loaded");
    }
}
