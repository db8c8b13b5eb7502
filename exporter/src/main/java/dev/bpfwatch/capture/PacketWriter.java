package dev.bpfwatch.capture;

import java.io.IOException;

/** A capture file format: one captured frame at a time, with its wall-clock time. */
public interface PacketWriter extends AutoCloseable {
    /**
     * Writes one frame whose captured bytes are {@code buf[offset, offset + captured)}; the writer
     * copies them before it returns (the capture reuses the buffer).
     *
     * @param frameLength the frame's length on the wire (captured may be less: the snap length)
     */
    void write(long epochNanos, XdpAction action, int rxQueue, int frameLength, byte[] buf, int offset,
               int captured) throws IOException;

    default void write(CaptureSample s, long epochNanos) throws IOException {
        write(epochNanos, s.action(), s.rxQueue(), s.length(), s.data(), 0, s.data().length);
    }

    void flush() throws IOException;

    /**
     * A writer of the same format and snap length whose bytes go nowhere: the capture runs
     * synthetic samples through it before the first packet, so the JIT has compiled this
     * writer's path by the time a flood arrives.
     */
    PacketWriter discardingTwin() throws IOException;

    @Override
    void close() throws IOException;
}
