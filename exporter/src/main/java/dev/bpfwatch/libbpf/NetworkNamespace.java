package dev.bpfwatch.libbpf;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Runs work inside another network namespace. setns(2) moves only the
 * calling thread, so each call gets a thread of its own that joins the
 * namespace, does the work and ends: no thread of the agent is ever left
 * in a foreign namespace. Things the work creates there (an iter/tcp
 * iterator walks the netns of the thread that creates it) see that netns.
 */
public final class NetworkNamespace {
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;

    private NetworkNamespace() {
    }

    /**
     * Calls {@code work} on a fresh thread inside the netns behind
     * {@code nsFile} (/proc/PID/ns/net or an `ip netns` file under /run/netns).
     *
     * @throws LibbpfException when the namespace cannot be opened or joined
     *         (ENOENT/ESRCH: its last process went away meanwhile)
     */
    public static <T> T call(Path nsFile, Supplier<T> work) {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                join(nsFile);
                result.set(work.get());
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "bpfwatch-netns");
        t.setDaemon(true);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while working in netns " + nsFile, e);
        }
        Throwable e = failure.get();
        if (e instanceof RuntimeException re) {
            throw re;
        }
        if (e instanceof Error err) {
            throw err;
        }
        if (e != null) {
            throw new IllegalStateException(e);
        }
        return result.get();
    }

    private static void join(Path nsFile) {
        int fd = Native.LIBC.open(nsFile.toString(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            throw new LibbpfException("open " + nsFile, Native.errno());
        }
        try {
            if (Native.LIBC.setns(fd, CLONE_NEWNET) < 0) {
                throw new LibbpfException("setns " + nsFile, Native.errno());
            }
        } finally {
            Native.LIBC.close(fd);
        }
    }
}
