package dev.bpfwatch.capture;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One packet as a capture program emits it: a 32-byte header the program
 * writes on its stack, then the first {@code captured} bytes of the frame,
 * which bpf_perf_event_output appends from the XDP buffer. Header layout,
 * host byte order (the program and this class must agree):
 * <pre>
 *   0  u64 timestamp, bpf_ktime_get_ns (CLOCK_MONOTONIC)
 *   8  u32 ingress ifindex
 *  12  u32 rx queue index
 *  16  u32 action
 *  20  u32 frame length
 *  24  u32 captured length (frame length cut to the snap length)
 *  28  u32 zero
 * </pre>
 */
public record CaptureSample(long monotonicNs, int ifindex, int rxQueue, XdpAction action, int length, byte[] data) {
    static final int HEADER = 32;
    static final int OFF_TIME = 0;
    static final int OFF_IFINDEX = 8;
    static final int OFF_RX_QUEUE = 12;
    static final int OFF_ACTION = 16;
    static final int OFF_LENGTH = 20;
    static final int OFF_CAPTURED = 24;
    static final int OFF_PAD = 28;

    private static final VarHandle U32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final VarHandle U64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());

    /**
     * @throws IllegalArgumentException when the sample is shorter than its header says
     */
    public static CaptureSample parse(byte[] raw) {
        return parse(raw, 0, raw.length);
    }

    /**
     * A copy of the sample at {@code buf[offset, offset + length)}.
     *
     * @throws IllegalArgumentException when the sample is shorter than its header says
     */
    public static CaptureSample parse(byte[] buf, int offset, int length) {
        int captured = captured(buf, offset, length);
        return new CaptureSample(monotonicNs(buf, offset), (int) U32.get(buf, offset + OFF_IFINDEX),
                rxQueue(buf, offset), action(buf, offset), frameLength(buf, offset),
                Arrays.copyOfRange(buf, offset + HEADER, offset + HEADER + captured));
    }

    /** A sample as a capture program would emit it for a frame of {@code length} zero bytes, timed now. */
    static byte[] synthetic(XdpAction action, int length) {
        byte[] raw = new byte[HEADER + length];
        U64.set(raw, OFF_TIME, System.nanoTime());
        U32.set(raw, OFF_ACTION, action.slot());
        U32.set(raw, OFF_LENGTH, length);
        U32.set(raw, OFF_CAPTURED, length);
        return raw;
    }

    // Field readers for a sample left in place (the capture's hot path copies nothing).

    /**
     * The captured byte count, checked against the sample's size.
     *
     * @throws IllegalArgumentException when the sample is shorter than its header says
     */
    static int captured(byte[] buf, int offset, int length) {
        if (length < HEADER) {
            throw new IllegalArgumentException("sample of " + length + " bytes: shorter than its header");
        }
        int captured = (int) U32.get(buf, offset + OFF_CAPTURED);
        if (captured < 0 || HEADER + captured > length) {
            throw new IllegalArgumentException("sample of " + length + " bytes claims " + captured + " captured");
        }
        return captured;
    }

    static long monotonicNs(byte[] buf, int offset) {
        return (long) U64.get(buf, offset + OFF_TIME);
    }

    static int rxQueue(byte[] buf, int offset) {
        return (int) U32.get(buf, offset + OFF_RX_QUEUE);
    }

    static XdpAction action(byte[] buf, int offset) {
        return XdpAction.of((int) U32.get(buf, offset + OFF_ACTION));
    }

    static int frameLength(byte[] buf, int offset) {
        return (int) U32.get(buf, offset + OFF_LENGTH);
    }
}
