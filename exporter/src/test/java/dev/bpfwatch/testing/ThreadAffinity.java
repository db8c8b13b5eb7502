package dev.bpfwatch.testing;

import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import jnr.ffi.types.size_t;

/** Pins the calling thread to one CPU (sched_setaffinity on the thread itself). */
public final class ThreadAffinity {
    /** Public for jnr-ffi's generated class. */
    public interface Libc {
        int sched_setaffinity(int pid, @size_t long size, @In long[] mask);
    }

    private static final Libc LIBC = LibraryLoader.create(Libc.class).failImmediately().load("c");
    private static final int THIS_THREAD = 0;

    private ThreadAffinity() {
    }

    /** @throws IllegalStateException when the kernel refuses */
    public static void pinCurrentThread(int cpu) {
        long[] mask = new long[cpu / 64 + 1];
        mask[cpu / 64] = 1L << (cpu % 64);
        if (LIBC.sched_setaffinity(THIS_THREAD, mask.length * 8L, mask) != 0) {
            throw new IllegalStateException("sched_setaffinity to CPU " + cpu + " failed");
        }
    }

    /** Lets the calling thread run on any of the first {@code cpus} CPUs again. */
    public static void unpinCurrentThread(int cpus) {
        long[] mask = new long[cpus / 64 + 1];
        for (int c = 0; c < cpus; c++) {
            mask[c / 64] |= 1L << (c % 64);
        }
        LIBC.sched_setaffinity(THIS_THREAD, mask.length * 8L, mask);
    }
}
