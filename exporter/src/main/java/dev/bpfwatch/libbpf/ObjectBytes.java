package dev.bpfwatch.libbpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Little-endian reads from an object file's bytes where every read is
 * bounds-checked: a field past the end is damage, reported in words.
 */
final class ObjectBytes {
    private final ByteBuffer bytes;
    private final String object;

    ObjectBytes(String object, byte[] elf) {
        this.object = object;
        this.bytes = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
    }

    int length() {
        return bytes.capacity();
    }

    int u8(long at, String field) {
        need(at, 1, field);
        return bytes.get((int) at) & 0xff;
    }

    int u16(long at, String field) {
        need(at, 2, field);
        return bytes.getShort((int) at) & 0xffff;
    }

    /** An unsigned 32-bit field; returned as long so no value turns negative. */
    long u32(long at, String field) {
        need(at, 4, field);
        return bytes.getInt((int) at) & 0xffffffffL;
    }

    int s32(long at, String field) {
        need(at, 4, field);
        return bytes.getInt((int) at);
    }

    /** A 64-bit size or offset; values past the file are damage anyway, so they saturate. */
    long u64(long at, String field) {
        need(at, 8, field);
        long v = bytes.getLong((int) at);
        return v < 0 ? Long.MAX_VALUE : v;
    }

    /** Fails unless [at, at+size) lies inside the file. */
    void need(long at, long size, String what) {
        if (at < 0 || size < 0 || at > length() - size) {
            throw damaged(what + " at offset " + at + " (+" + size + " bytes) runs past the end of the file ("
                    + length() + " bytes)");
        }
    }

    DamagedObjectException damaged(String what) {
        return new DamagedObjectException(object, what);
    }
}
