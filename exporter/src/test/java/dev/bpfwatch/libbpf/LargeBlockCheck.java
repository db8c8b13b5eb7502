package dev.bpfwatch.libbpf;

/**
 * NativeHeapTest's other side, in a JVM of its own: a fresh C heap, where no
 * free chunk left by earlier tests can serve the block instead of a mapping.
 * Frees 16 MiB (which by glibc's default raises its mapping threshold past
 * 2 MiB), then allocates 2 MiB and prints whether glibc mapped it. With the
 * argument {@code map}, {@link NativeHeap#mapLargeBlocks} is called first.
 */
public final class LargeBlockCheck {
    private static final long IS_MMAPPED = 0x2;

    private LargeBlockCheck() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("map")) {
            System.out.println("mallopt " + NativeHeap.mapLargeBlocks());
        }
        long larger = Native.LIBC.malloc(16L << 20);
        Native.LIBC.free(larger);
        long large = Native.LIBC.malloc(2L << 20);
        long small = Native.LIBC.malloc(NativeHeap.LARGE_BLOCK / 4);
        System.out.println("large mapped " + mapped(large));
        System.out.println("small mapped " + mapped(small));
        Native.LIBC.free(large);
        Native.LIBC.free(small);
    }

    /** glibc keeps the chunk's size word just before the block; its IS_MMAPPED bit says how it was made. */
    private static boolean mapped(long block) {
        return (jnr.ffi.Pointer.wrap(Native.RUNTIME, block - 8).getLong(0) & IS_MMAPPED) != 0;
    }
}
