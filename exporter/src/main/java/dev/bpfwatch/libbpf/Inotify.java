package dev.bpfwatch.libbpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * An inotify(7) instance: watches on directories, and the events the kernel
 * queued for them, read without blocking. The kernel queues an event as
 * part of the change itself (mkdir returns after its IN_CREATE is queued),
 * so a reader that drains the queue sees every change made before it.
 */
public final class Inotify implements AutoCloseable {
    public static final int IN_MOVED_FROM = 0x40;
    public static final int IN_MOVED_TO = 0x80;
    public static final int IN_CREATE = 0x100;
    public static final int IN_DELETE = 0x200;
    public static final int IN_DELETE_SELF = 0x400;
    /** The kernel dropped events: the queue was full. Whatever was watched must be read again. */
    public static final int IN_Q_OVERFLOW = 0x4000;
    public static final int IN_IGNORED = 0x8000;
    public static final int IN_ONLYDIR = 0x1000000;
    public static final int IN_ISDIR = 0x40000000;
    private static final int IN_NONBLOCK = 0x800;
    private static final int IN_CLOEXEC = 0x80000;
    private static final int EAGAIN = 11;
    private static final int EINTR = 4;
    private static final int EVENT_HEADER = 16; // int wd, u32 mask, u32 cookie, u32 len
    private static final int BUFFER = 64 * 1024;
    private static final short POLLIN = 1;

    /** One event: which watch (as {@link #watch} returned it), what happened, and to which name in it. */
    public record Event(int watch, int mask, String name) {
        public boolean is(int flag) {
            return (mask & flag) != 0;
        }
    }

    private final Pointer buffer = Memory.allocateDirect(Native.RUNTIME, BUFFER);
    private final Pointer pollFd = Memory.allocateDirect(Native.RUNTIME, 8);
    private volatile int fd;

    private Inotify(int fd) {
        this.fd = fd;
    }

    /** @throws LibbpfException when the kernel gives no inotify instance (EMFILE: the per-user limit) */
    public static Inotify open() {
        int fd = Native.LIBC.inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (fd < 0) {
            throw new LibbpfException("inotify_init1", Native.errno());
        }
        return new Inotify(fd);
    }

    /**
     * Watches a directory for {@code mask}.
     *
     * @return the watch's number, which events carry
     * @throws LibbpfException e.g. ENOSPC past fs.inotify.max_user_watches, ENOENT for a directory gone
     */
    public synchronized int watch(Path dir, int mask) {
        requireOpen();
        int wd = Native.LIBC.inotify_add_watch(fd, dir.toString(), mask);
        if (wd < 0) {
            throw new LibbpfException("inotify_add_watch " + dir, Native.errno());
        }
        return wd;
    }

    /** Every event queued so far; empty when none is. Never blocks. */
    public synchronized List<Event> drain() {
        requireOpen();
        List<Event> out = new ArrayList<>();
        while (true) {
            long n = Native.LIBC.read(fd, buffer, BUFFER);
            if (n < 0) {
                int err = Native.errno();
                if (err == EAGAIN) {
                    return out;
                }
                if (err == EINTR) {
                    continue;
                }
                throw new LibbpfException("read inotify events", err);
            }
            if (n == 0) {
                return out;
            }
            byte[] bytes = new byte[(int) n];
            buffer.get(0, bytes, 0, bytes.length);
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
            while (b.remaining() >= EVENT_HEADER) {
                int wd = b.getInt();
                int mask = b.getInt();
                b.getInt(); // cookie: pairs renames, not needed
                int len = b.getInt();
                String name = "";
                if (len > 0) {
                    byte[] raw = new byte[len];
                    b.get(raw);
                    int end = 0;
                    while (end < len && raw[end] != 0) {
                        end++;
                    }
                    name = new String(raw, 0, end, StandardCharsets.UTF_8);
                }
                out.add(new Event(wd, mask, name));
            }
        }
    }

    /**
     * Waits up to {@code timeoutMs} for an event to be queued, without reading
     * it (the caller drains). Not synchronized: a watcher thread waits here
     * while others may drain or add watches.
     *
     * @return true when events are queued
     */
    public boolean await(int timeoutMs) {
        int f = fd;
        if (f < 0) {
            return false;
        }
        synchronized (pollFd) {
            pollFd.putInt(0, f);
            pollFd.putShort(4, POLLIN);
            pollFd.putShort(6, (short) 0);
            int n = Native.LIBC.poll(pollFd, 1, timeoutMs);
            if (n < 0) {
                int err = Native.errno();
                if (err == EINTR) {
                    return false;
                }
                throw new LibbpfException("poll inotify", err);
            }
            return n > 0 && (pollFd.getShort(6) & POLLIN) != 0;
        }
    }

    private void requireOpen() {
        if (fd < 0) {
            throw new IllegalStateException("inotify instance is closed");
        }
    }

    @Override
    public synchronized void close() {
        if (fd >= 0) {
            Native.LIBC.close(fd);
            fd = -1;
        }
    }
}
