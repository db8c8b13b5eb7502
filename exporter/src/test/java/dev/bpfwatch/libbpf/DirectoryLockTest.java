package dev.bpfwatch.libbpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The non-blocking directory lock: taken once, refused while held, named by its holder's pid. */
class DirectoryLockTest {
    @TempDir
    Path dir;

    @Test
    void aHeldLockIsRefusedAndNamesItsHolder() {
        assertEquals(OptionalLong.empty(), DirectoryLock.holder(dir), "no one holds it yet");
        Optional<DirectoryLock> first = DirectoryLock.tryExclusive(dir);
        assertTrue(first.isPresent());
        try (DirectoryLock held = first.get()) {
            // flock belongs to an open of the directory: a second open, even in this process, is refused.
            assertEquals(Optional.empty(), DirectoryLock.tryExclusive(dir));
            assertEquals(OptionalLong.of(ProcessHandle.current().pid()), DirectoryLock.holder(dir));
        }
        assertEquals(OptionalLong.empty(), DirectoryLock.holder(dir), "released on close");
        Optional<DirectoryLock> again = DirectoryLock.tryExclusive(dir);
        assertTrue(again.isPresent(), "free again once closed");
        again.get().close();
    }
}
