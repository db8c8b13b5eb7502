package dev.bpfwatch.capture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The lock captures take while they check a hook's slots and fill them: a
 * file lock on /run/lock/bpfwatch-xdpcap-MAPID.lock, keyed by the hook map's
 * kernel id, which every process opening that pin sees alike. Not a lock on
 * the pin's directory: an agent holds its pin directory's lock for life, and
 * a hook pinned there would make every capture wait. The kernel drops the
 * lock when its holder dies; the file itself is empty and harmless. File
 * locks are per process, so captures inside one process (tests, an embedding
 * program) also queue on one in-process lock first.
 */
final class HookLock implements AutoCloseable {
    static final Path DIR = Path.of("/run/lock");
    private static final java.util.concurrent.locks.ReentrantLock IN_PROCESS =
            new java.util.concurrent.locks.ReentrantLock();

    private final FileChannel channel;
    private final FileLock lock;

    private HookLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Waits for the hook's lock (holders keep it for a few system calls). */
    static HookLock take(Hook hook) {
        Path file = DIR.resolve("bpfwatch-xdpcap-" + hook.mapId() + ".lock");
        FileChannel channel = null;
        IN_PROCESS.lock();
        try {
            Files.createDirectories(DIR);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            return new HookLock(channel, channel.lock());
        } catch (IOException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // the open failure is the one worth reporting
                }
            }
            IN_PROCESS.unlock();
            throw new UncheckedIOException("lock " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            IN_PROCESS.unlock();
        }
    }
}
