package dev.bpfwatch.libbpf;

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
        NativeBinding.Bound bound = NativeBinding.get();
        BPF = bound.bpf();
        LIBC = bound.libc();
        RUNTIME = bound.runtime();
        // Here, not in the binding: the hook reaches libbpf through this class.
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
