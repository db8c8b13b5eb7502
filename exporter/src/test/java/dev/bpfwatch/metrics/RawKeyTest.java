package dev.bpfwatch.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RawKeyTest {
    @Test
    void equalBytesAreEqualKeys() {
        assertEquals(new RawKey(new byte[] {1, 2, 3}), new RawKey(new byte[] {1, 2, 3}));
        assertEquals(new RawKey(new byte[] {1, 2, 3}).hashCode(), new RawKey(new byte[] {1, 2, 3}).hashCode());
        assertNotEquals(new RawKey(new byte[] {1, 2, 3}), new RawKey(new byte[] {1, 2, 4}));
        assertNotEquals(new RawKey(new byte[] {0}), new RawKey(new byte[] {0, 0}));
    }

    @Test
    void sequentialKeysSpreadOverHashBuckets() {
        // The buckets a 2^17-slot HashMap would use for 100,000 sequential u64 keys.
        Set<Integer> buckets = new HashSet<>();
        for (long k = 0; k < 100_000; k++) {
            int h = new RawKey(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(k).array()).hashCode();
            buckets.add((h ^ (h >>> 16)) & ((1 << 17) - 1));
        }
        // A uniform hash fills about 1 - e^(-100000/131072) of them: ~53,000.
        assertTrue(buckets.size() > 50_000, "buckets used: " + buckets.size());
    }
}
