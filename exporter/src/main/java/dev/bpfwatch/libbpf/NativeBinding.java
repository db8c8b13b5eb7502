package dev.bpfwatch.libbpf;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * Binds libbpf and libc through jnr-ffi. The binding loads jnr-ffi's classes
 * and generates a stub class per interface: about half a second of a start,
 * most of it CPU. {@link #startInBackground()} lets it run on a second thread
 * while the command line and configs are parsed; {@link Native} takes the
 * result, or binds on the spot when nothing started it.
 */
public final class NativeBinding {
    record Bound(LibbpfNative bpf, LibcNative libc, Runtime runtime) {
    }

    private static final FutureTask<Bound> TASK = new FutureTask<>(NativeBinding::bind);

    private NativeBinding() {
    }

    /** Starts binding on a daemon thread; a failure is kept for {@link Native}'s first use to throw. */
    public static void startInBackground() {
        Thread t = new Thread(TASK, "libbpf-binding");
        t.setDaemon(true);
        t.start();
    }

    /** The binding: made here if no thread has begun it, else waited for. Throws what binding threw. */
    static Bound get() {
        TASK.run(); // does nothing when another thread runs it or ran it
        try {
            return TASK.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while libbpf was being bound", e);
        }
    }

    private static Bound bind() {
        // Only libbpf-dev installs the unversioned libbpf.so; the runtime
        // package has libbpf.so.1, so ask for it by its full name.
        LibbpfNative bpf = LibraryLoader.create(LibbpfNative.class).failImmediately().load("libbpf.so.1");
        LibcNative libc = LibraryLoader.create(LibcNative.class).failImmediately().load("c");
        return new Bound(bpf, libc, Runtime.getRuntime(bpf));
    }
}
