package dev.bpfwatch.libbpf;

import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The life of a kernel fd, or of libbpf's structures behind an object: every
 * call that hands one to the kernel or to libbpf runs inside {@link #use};
 * {@link #close} waits for the calls in flight, releases, and from then on
 * every use fails with {@link ObjectClosedException}. An int fd that outlived
 * its close would reach whatever the next open got the same number for; a
 * freed libbpf pointer, whatever took its memory.
 *
 * <p>Lock order: a lifetime before any monitor. A thread inside a use may
 * take monitors; code holding a monitor must not start a use that a closer
 * holding this lifetime could wait on.
 */
final class Lifetime {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile boolean closed;

    /** Runs {@code call} while nothing can close; {@code what} names the object in the exception. */
    <T> T use(Object what, Supplier<T> call) {
        lock.readLock().lock();
        try {
            requireOpen(what);
            return call.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    int useInt(Object what, IntSupplier call) {
        lock.readLock().lock();
        try {
            requireOpen(what);
            return call.getAsInt();
        } finally {
            lock.readLock().unlock();
        }
    }

    void run(Object what, Runnable call) {
        lock.readLock().lock();
        try {
            requireOpen(what);
            call.run();
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Waits for the uses in flight, then runs {@code release} once; later
     * closes do nothing (a second close must not close a reused fd number).
     */
    void close(Runnable release) {
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            release.run();
        } finally {
            lock.writeLock().unlock();
        }
    }

    boolean closed() {
        return closed;
    }

    void requireOpen(Object what) {
        if (closed) {
            throw new ObjectClosedException(what.toString());
        }
    }
}
