package dev.bpfwatch.libbpf;

import java.nio.file.Path;

/**
 * An exclusive flock(2) on a directory, for check-then-act steps on the
 * pins inside it (a prog array slot that must be free before it is filled):
 * every bpfwatch process that does such a step takes the lock first, so two
 * of them cannot both see a slot free. bpffs holds no regular files, but its
 * directories can be opened and locked like any other. The kernel drops the
 * lock when the holder closes it or dies.
 */
public final class DirectoryLock implements AutoCloseable {
    private static final int O_RDONLY = 0;
    private static final int O_DIRECTORY = 0x10000;
    private static final int O_CLOEXEC = 0x80000;
    private static final int LOCK_EX = 2;
    private static final int LOCK_UN = 8;

    private final Path dir;
    private int fd;

    private DirectoryLock(Path dir, int fd) {
        this.dir = dir;
        this.fd = fd;
    }

    /**
     * Waits for the lock (holders keep it for a few system calls).
     *
     * @throws LibbpfException when the directory cannot be opened or locked
     */
    public static DirectoryLock exclusive(Path dir) {
        int fd = Native.LIBC.open(dir.toString(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
            throw new LibbpfException("open " + dir + " to lock it", Native.errno());
        }
        int rc;
        do {
            rc = Native.LIBC.flock(fd, LOCK_EX);
        } while (rc < 0 && Native.errno() == 4); // EINTR: a signal arrived while waiting
        if (rc < 0) {
            int err = Native.errno();
            Native.LIBC.close(fd);
            throw new LibbpfException("lock " + dir, err);
        }
        return new DirectoryLock(dir, fd);
    }

    public Path directory() {
        return dir;
    }

    @Override
    public synchronized void close() {
        if (fd >= 0) {
            Native.LIBC.flock(fd, LOCK_UN);
            Native.LIBC.close(fd);
            fd = -1;
        }
    }
}
