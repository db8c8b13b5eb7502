package dev.bpfwatch.libbpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * An exclusive flock(2) on a directory, for check-then-act steps on the
 * pins inside it (a prog array slot that must be free before it is filled):
 * every bpfwatch process that does such a step takes the lock first, so two
 * of them cannot both see a slot free. bpffs holds no regular files, but its
 * directories can be opened and locked like any other. The kernel drops the
 * lock when the holder closes it or dies. {@link #tryExclusive} is for locks
 * held for a process's life (one agent per pin directory): it never waits,
 * and {@link #holder} says who has it.
 */
public final class DirectoryLock implements AutoCloseable {
    private static final int O_RDONLY = 0;
    private static final int O_DIRECTORY = 0x10000;
    private static final int O_CLOEXEC = 0x80000;
    private static final int LOCK_EX = 2;
    private static final int LOCK_NB = 4;
    private static final int LOCK_UN = 8;
    private static final int EWOULDBLOCK = 11;
    private static final Path PROC_LOCKS = Path.of("/proc/locks");

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

    /**
     * Takes the lock if no one holds it.
     *
     * @return empty when another open of the directory (this process or
     *         another) holds it
     * @throws LibbpfException when the directory cannot be opened or locked
     */
    public static Optional<DirectoryLock> tryExclusive(Path dir) {
        int fd = Native.LIBC.open(dir.toString(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
            throw new LibbpfException("open " + dir + " to lock it", Native.errno());
        }
        int rc;
        do {
            rc = Native.LIBC.flock(fd, LOCK_EX | LOCK_NB);
        } while (rc < 0 && Native.errno() == 4);
        if (rc < 0) {
            int err = Native.errno();
            Native.LIBC.close(fd);
            if (err == EWOULDBLOCK) {
                return Optional.empty();
            }
            throw new LibbpfException("lock " + dir, err);
        }
        return Optional.of(new DirectoryLock(dir, fd));
    }

    /**
     * The pid of the process holding a flock on {@code dir}, from
     * /proc/locks (as this process's pid namespace numbers it); empty when no
     * one holds it or /proc is not there.
     */
    public static OptionalLong holder(Path dir) {
        try {
            long inode = ((Number) Files.getAttribute(dir, "unix:ino")).longValue();
            long dev = ((Number) Files.getAttribute(dir, "unix:dev")).longValue();
            return holder(Files.readAllLines(PROC_LOCKS), major(dev), minor(dev), inode);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return OptionalLong.empty();
        }
    }

    /** Lines like {@code 3: FLOCK  ADVISORY  WRITE 1234 00:2d:5678 0 EOF}; waiters carry "->" and are skipped. */
    static OptionalLong holder(List<String> procLocks, long major, long minor, long inode) {
        String file = String.format("%02x:%02x:%d", major, minor, inode);
        for (String line : procLocks) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 6 && f[1].equals("FLOCK") && f[3].equals("WRITE") && f[5].equals(file)) {
                return OptionalLong.of(Long.parseLong(f[4]));
            }
        }
        return OptionalLong.empty();
    }

    /** glibc's encoding of dev_t (gnu_dev_major / gnu_dev_minor). */
    private static long major(long dev) {
        return ((dev & 0xfff00L) >>> 8) | ((dev & 0xfffff00000000000L) >>> 32);
    }

    private static long minor(long dev) {
        return (dev & 0xffL) | ((dev & 0xffffff00000L) >>> 12);
    }

    /**
     * Whether the locked directory is still the one its path names: a lock
     * taken on a directory that another process removed (and maybe made
     * anew) while this one waited guards nothing. Compares the open
     * directory (/proc/self/fd follows it even once removed) with the path.
     */
    public synchronized boolean stillAtItsPath() {
        if (fd < 0) {
            return false;
        }
        try {
            Path open = Path.of("/proc/self/fd", Integer.toString(fd));
            return Files.getAttribute(open, "unix:ino").equals(Files.getAttribute(dir, "unix:ino"))
                    && Files.getAttribute(open, "unix:dev").equals(Files.getAttribute(dir, "unix:dev"));
        } catch (IOException e) {
            return false; // the path is gone
        }
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
