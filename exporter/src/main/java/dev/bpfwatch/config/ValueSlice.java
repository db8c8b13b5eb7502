package dev.bpfwatch.config;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Where the number sits in a map value (or record): offset, width, signedness. */
public record ValueSlice(int offset, int size, boolean signed) {
    public static final ValueSlice WHOLE_U64 = new ValueSlice(0, 8, false);

    // Views of a byte array in host order: no ByteBuffer per read. read() runs once per series
    // per scrape, and a wrapper the compiler did not remove was garbage a large scrape paid for.
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.nativeOrder());
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());

    /** Reads the number at {@code base + offset}, in host byte order as the kernel wrote it. */
    public double read(byte[] bytes, int base) {
        int at = base + offset;
        switch (size) {
            case 1: return signed ? bytes[at] : bytes[at] & 0xff;
            case 2: {
                short v = (short) SHORT.get(bytes, at);
                return signed ? v : v & 0xffff;
            }
            case 4: {
                int v = (int) INT.get(bytes, at);
                return signed ? v : v & 0xffffffffL;
            }
            default:
                long v = (long) LONG.get(bytes, at);
                // u64 above 2^63 still counts up: read it unsigned.
                return signed || v >= 0 ? v : (v >>> 1) * 2.0 + (v & 1);
        }
    }
}
