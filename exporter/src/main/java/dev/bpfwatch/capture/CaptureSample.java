package dev.bpfwatch.capture;

import java.nio.ByteBuffer;
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

    /**
     * @throws IllegalArgumentException when the sample is shorter than its header says
     */
    public static CaptureSample parse(byte[] raw) {
        if (raw.length < HEADER) {
            throw new IllegalArgumentException("sample of " + raw.length + " bytes: shorter than its header");
        }
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder());
        int captured = b.getInt(OFF_CAPTURED);
        if (captured < 0 || HEADER + captured > raw.length) {
            throw new IllegalArgumentException("sample of " + raw.length + " bytes claims " + captured + " captured");
        }
        return new CaptureSample(b.getLong(OFF_TIME), b.getInt(OFF_IFINDEX), b.getInt(OFF_RX_QUEUE),
                XdpAction.of(b.getInt(OFF_ACTION)), b.getInt(OFF_LENGTH),
                Arrays.copyOfRange(raw, HEADER, HEADER + captured));
    }
}
