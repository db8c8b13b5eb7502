package dev.bpfwatch.agent;

import dev.bpfwatch.libbpf.Bpffs;
import dev.bpfwatch.libbpf.DirectoryLock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One agent per --bpf.pin-path: two would load the same programs into the
 * same pinned maps and count every event twice. The agent holds a flock on
 * the pin directory for its whole life; the kernel drops it when the agent
 * exits, however it exits, so a crash leaves no stale lock. Who holds it is
 * read back from /proc/locks rather than from a pid file: bpffs holds no
 * regular files, and a file elsewhere could outlive its writer.
 */
final class PinPathLock implements AutoCloseable {
    private final DirectoryLock lock;

    private PinPathLock(DirectoryLock lock) {
        this.lock = lock;
    }

    /** @throws AgentStartException naming the agent that holds it */
    static PinPathLock take(Path pinPath) {
        Bpffs.ensureMounted(Bpffs.DEFAULT);
        try {
            Files.createDirectories(pinPath);
        } catch (IOException e) {
            throw new UncheckedIOException("create --bpf.pin-path " + pinPath + ": " + e.getMessage(), e);
        }
        Optional<DirectoryLock> lock = DirectoryLock.tryExclusive(pinPath);
        if (lock.isEmpty()) {
            OptionalLong pid = DirectoryLock.holder(pinPath);
            throw new AgentStartException("--bpf.pin-path " + pinPath + " is in use by another bpfwatch run (pid "
                    + (pid.isPresent() ? Long.toString(pid.getAsLong()) : "unknown")
                    + "); stop it, or give this one its own pin path");
        }
        return new PinPathLock(lock.get());
    }

    @Override
    public void close() {
        lock.close();
    }
}
