package dev.bpfwatch.libbpf;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * After {@link NativeHeap#mapLargeBlocks}, a large block gets a mapping of its own (and goes
 * back to the kernel when freed) even after a larger one was freed, which by glibc's default
 * raises the threshold past it: the pattern of the agent's start, where the kernel's BTF is
 * parsed and freed several times. Whether glibc mapped a block is in the block's own header
 * (the IS_MMAPPED bit of the size word before it), so other threads' allocations cannot blur it.
 */
class NativeHeapTest {
    private static final long IS_MMAPPED = 0x2;

    @Test
    void aLargeBlockIsMappedEvenAfterALargerOneWasFreed() {
        assertTrue(NativeHeap.mapLargeBlocks(), "glibc takes the threshold");
        long larger = Native.LIBC.malloc(16L << 20);
        assertTrue(mapped(larger), "16 MiB: mapped");
        Native.LIBC.free(larger); // glibc's dynamic threshold would now be 16 MiB
        long large = Native.LIBC.malloc(2L << 20);
        long small = Native.LIBC.malloc(NativeHeap.LARGE_BLOCK / 4);
        try {
            assertTrue(mapped(large), "2 MiB after 16 MiB was freed: still a mapping of its own");
            assertFalse(mapped(small), "small blocks come from the heap");
        } finally {
            Native.LIBC.free(large);
            Native.LIBC.free(small);
        }
    }

    private static boolean mapped(long block) {
        assertTrue(block != 0, "malloc");
        return (jnr.ffi.Pointer.wrap(Native.RUNTIME, block - 8).getLong(0) & IS_MMAPPED) != 0;
    }
}
