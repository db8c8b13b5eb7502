package dev.bpfwatch.libbpf;

import jnr.ffi.Pointer;

/**
 * Native memory that is freed when closed, for buffers a call needs only while it runs.
 *
 * <p>jnr-ffi's {@code Memory.allocateDirect} frees its memory from a finalizer, so only after a
 * collection and a finalizer pass. A scrape allocates read buffers for every map it reads (a
 * batch read of a large map: 4096 keys and values), so under many scrapers that memory waits
 * in malloc's arenas for the collector. Freed here when the call ends, the next call reuses it.
 */
final class NativeBuffer implements AutoCloseable {
    private final long address;
    private final Pointer pointer;
    private boolean freed;

    private NativeBuffer(long address, long size) {
        this.address = address;
        this.pointer = Native.RUNTIME.getMemoryManager().newPointer(address, size);
    }

    /** {@code size} bytes, not cleared. */
    static NativeBuffer allocate(long size) {
        return wrap(Native.LIBC.malloc(Math.max(1, size)), size);
    }

    /** {@code size} bytes set to zero (kernel info structs must come in zeroed). */
    static NativeBuffer zeroed(long size) {
        return wrap(Native.LIBC.calloc(1, Math.max(1, size)), size);
    }

    private static NativeBuffer wrap(long address, long size) {
        if (address == 0) {
            throw new OutOfMemoryError("malloc of " + size + " bytes failed");
        }
        return new NativeBuffer(address, size);
    }

    Pointer pointer() {
        return pointer;
    }

    @Override
    public void close() {
        if (!freed) {
            freed = true;
            Native.LIBC.free(address);
        }
    }
}
