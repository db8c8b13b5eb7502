package dev.bpfwatch.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bpfwatch.libbpf.PackedEntries;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Per-key carrying of counters whose keys leave their map, read by read (u64 and 4-byte keys). */
class KeyCarryTest {
    /** A read of {@code keys} (u64 each) with values {@code values}, carried; returns what to export. */
    private static double[] read(KeyCarry c, long[] keys, double... values) {
        ByteBuffer b = ByteBuffer.allocate(keys.length * 8).order(ByteOrder.nativeOrder());
        for (long k : keys) {
            b.putLong(k);
        }
        double[] v = values.clone();
        c.apply(new PackedEntries(b.array(), new byte[keys.length * 8], keys.length, 8, 8), v);
        return v;
    }

    @Test
    void aKeyReadLowerOrMissingKeepsItsCount() {
        KeyCarry c = new KeyCarry(8, 1);
        assertArrayEquals(new double[] {10, 5}, read(c, new long[] {1, 2}, 10, 5));
        // key 1 evicted and made again between reads: 3 < 10, only what it gained beyond 10 counts
        assertArrayEquals(new double[] {10, 7}, read(c, new long[] {1, 2}, 3, 7));
        assertArrayEquals(new double[] {12, 7}, read(c, new long[] {1, 2}, 5, 7));
        // key 2 missing for a read, back with 4: 7 stayed with it
        assertArrayEquals(new double[] {13}, read(c, new long[] {1}, 6));
        assertArrayEquals(new double[] {13, 11}, read(c, new long[] {1, 2}, 6, 4));
    }

    @Test
    void theStateSurvivesARestart() throws Exception {
        KeyCarry c = new KeyCarry(8, 1);
        read(c, new long[] {1, 2}, 10, 5);
        read(c, new long[] {1}, 3); // 1 back lower; 2 missing
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        c.write(new DataOutputStream(bytes));
        KeyCarry again = KeyCarry.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertEquals(2, again.size());
        assertArrayEquals(new double[] {11, 6}, read(again, new long[] {1, 2}, 4, 1));
    }

    @Test
    void seededKeysGoOnFromWhatWasShown() {
        KeyCarry c = new KeyCarry(8, 1);
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(7);
        c.seed(new PackedEntries(b.array(), new byte[8], 1, 8, 8), 0, 0, 40);
        assertArrayEquals(new double[] {40}, read(c, new long[] {7}, 25)); // the sample path showed 40
        assertArrayEquals(new double[] {45}, read(c, new long[] {7}, 30));
    }

    @Test
    void goneKeysAreForgottenPastTheBound() {
        KeyCarry c = new KeyCarry(8, 1);
        long[] many = new long[3000];
        for (int i = 0; i < many.length; i++) {
            many[i] = i;
        }
        read(c, many, new double[many.length]);
        assertEquals(3000, c.size());
        read(c, new long[] {1}, 1); // 3,000 kept > 4 x 1 + 1,024: the gone ones go
        assertEquals(1, c.size());
    }

    @Test
    void otherKeySizesAndSeveralSeriesPerKey() {
        KeyCarry c = new KeyCarry(4, 2); // e.g. a u32 key split over two CPUs
        byte[] key = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(9).array();
        PackedEntries p = new PackedEntries(key, new byte[4], 1, 4, 4);
        double[] v = {5, 6};
        c.apply(p, v);
        assertArrayEquals(new double[] {5, 6}, v);
        v = new double[] {1, 8};
        c.apply(p, v);
        assertArrayEquals(new double[] {5, 8}, v);
    }
}
