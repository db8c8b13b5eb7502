package dev.bpfwatch.libbpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.testing.Bpftool;
import dev.bpfwatch.testing.Resources;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A uprobe or USDT program whose section names a binary that is not there: libbpf 1.1 says only
 * "failed to open ELF binary '...': -2" (usdt) or an errno (uprobe); the attach error names the
 * binary and, for a relative path, the directory it was looked for from.
 */
class MissingTracedBinaryTest {
    @Test
    void attachNamesTheMissingBinaryAndWhereARelativeOneWasLookedFor() {
        try (BpfObject obj = BpfObject.open(Resources.testObject("attach_missing_binary"))) {
            obj.load();
            LibbpfException relative = assertThrows(LibbpfException.class,
                    () -> obj.program("usdt_missing_relative").orElseThrow().attach());
            assertReason("attach usdt_missing_relative (usdt/./no-such-dir/demo:bpfwatch:probe): ",
                    "binary ./no-such-dir/demo does not exist (a relative path, from the agent's working directory "
                            + Path.of("").toAbsolutePath() + ")", relative.getMessage());
            LibbpfException absolute = assertThrows(LibbpfException.class,
                    () -> obj.program("uprobe_missing_absolute").orElseThrow().attach());
            assertReason("attach uprobe_missing_absolute (uprobe//no-such-dir/bpfwatch-demo:main): ",
                    "binary /no-such-dir/bpfwatch-demo does not exist", absolute.getMessage());
            assertEquals(1, Bpftool.countOwnPrograms("usdt_missing_relative"), "loaded while the object is open");
        }
        assertEquals(0, Bpftool.countOwnPrograms("usdt_missing_relative"), "program still held after close");
        assertEquals(0, Bpftool.countOwnPrograms("uprobe_missing_absolute"), "program still held after close");
    }

    /** The operation first, then the errno (whichever libbpf gave), then the reason. */
    private static void assertReason(String operation, String reason, String message) {
        assertTrue(message.startsWith(operation), message);
        assertTrue(message.contains("): " + reason), message);
    }
}
