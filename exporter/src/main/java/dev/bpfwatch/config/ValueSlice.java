package dev.bpfwatch.config;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Where the number sits in a map value (or record): offset, width, signedness. */
public record ValueSlice(int offset, int size, boolean signed) {
    public static final ValueSlice WHOLE_U64 = new ValueSlice(0, 8, false);

    /** Reads the number at {@code base + offset}, in host byte order as the kernel wrote it. */
    public double read(byte[] bytes, int base) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        int at = base + offset;
        switch (size) {
            case 1: return signed ? b.get(at) : b.get(at) & 0xff;
            case 2: return signed ? b.getShort(at) : b.getShort(at) & 0xffff;
            case 4: return signed ? b.getInt(at) : b.getInt(at) & 0xffffffffL;
            default:
                long v = b.getLong(at);
                // u64 above 2^63 still counts up: read it unsigned.
                return signed || v >= 0 ? v : (v >>> 1) * 2.0 + (v & 1);
        }
    }
}
