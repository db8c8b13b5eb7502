package dev.bpfwatch.libbpf;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * Loads libbpf and libc once. A missing library or symbol fails here, at
 * start-up, and never in the middle of a scrape.
 */
final class Native {
    static final LibbpfNative BPF;
    static final LibcNative LIBC;
    static final Runtime RUNTIME;

    static {
        // Only libbpf-dev installs the unversioned libbpf.so; the runtime
        // package has libbpf.so.1, so ask for it by its full name.
        BPF = LibraryLoader.create(LibbpfNative.class).failImmediately().load("libbpf.so.1");
        LIBC = LibraryLoader.create(LibcNative.class).failImmediately().load("c");
        RUNTIME = Runtime.getRuntime(BPF);
        LibbpfLog.install();
    }

    private Native() {
    }

    /** errno of the last native call on this thread; read it right after the call. */
    static int errno() {
        return RUNTIME.getLastError();
    }

    /** libbpf 1.x returns -errno from int functions and also sets errno: accept both. */
    static int errnoOf(int returned) {
        return returned < 0 ? -returned : errno();
    }
}
