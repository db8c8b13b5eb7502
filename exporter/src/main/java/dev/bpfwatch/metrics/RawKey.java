package dev.bpfwatch.metrics;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Raw key bytes as a hash-map key. Arrays.hashCode (and ByteBuffer's) mixes
 * too little for keys that differ in a few low bytes, like counters keyed by
 * port or sequential ids: 100,000 such keys piled into treeified buckets.
 * This mixes each 8-byte word (the 64-bit finalizer of MurmurHash3).
 */
final class RawKey {
    private final byte[] bytes;
    private final int hash;

    RawKey(byte[] bytes) {
        this.bytes = bytes;
        this.hash = mix(bytes);
    }

    private static int mix(byte[] b) {
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        long h = b.length;
        int i = 0;
        for (; i + 8 <= b.length; i += 8) {
            h = fmix(h ^ buf.getLong(i));
        }
        long tail = 0;
        for (int shift = 0; i < b.length; i++, shift += 8) {
            tail |= (b[i] & 0xffL) << shift;
        }
        h = fmix(h ^ tail);
        return (int) (h ^ (h >>> 32));
    }

    private static long fmix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawKey other && other.hash == hash && Arrays.equals(other.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
