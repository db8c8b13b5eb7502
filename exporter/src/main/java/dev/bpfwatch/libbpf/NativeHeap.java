package dev.bpfwatch.libbpf;

/**
 * glibc's malloc, told to serve every block of 128 KiB or more with a
 * mapping of its own, which goes back to the kernel when freed. By default
 * glibc raises that threshold to the size of each large block freed (up to
 * 32 MiB), so after the first few, large blocks come from the heap and stay
 * resident when freed. Loading the bundled configs parses the kernel's BTF
 * several times (tens of MB, freed each time): with the default, the agent
 * at rest kept about 17 MB of it resident (104 MB instead of 88 MB).
 */
public final class NativeHeap {
    /** mallopt(3) M_MMAP_THRESHOLD; setting it also stops glibc's dynamic adjustment. */
    private static final int M_MMAP_THRESHOLD = -3;
    static final int LARGE_BLOCK = 128 * 1024;

    private NativeHeap() {
    }

    /**
     * For long-lived processes; call early, before the large allocations.
     * @return false where the C library does not take it (mallopt is a no-op outside glibc)
     */
    public static boolean mapLargeBlocks() {
        return Native.LIBC.mallopt(M_MMAP_THRESHOLD, LARGE_BLOCK) == 1;
    }
}
