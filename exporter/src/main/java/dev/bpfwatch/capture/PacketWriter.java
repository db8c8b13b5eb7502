package dev.bpfwatch.capture;

import java.io.IOException;

/** A capture file format: one captured frame at a time, with its wall-clock time. */
public interface PacketWriter extends AutoCloseable {
    void write(CaptureSample sample, long epochNanos) throws IOException;

    void flush() throws IOException;

    @Override
    void close() throws IOException;
}
