package dev.bpfwatch.capture;

import java.io.IOException;
import java.io.OutputStream;

/** A capture format written to a stream: the formats differ in their records, not in how they end. */
abstract class StreamPacketWriter implements PacketWriter {
    protected final OutputStream out;

    StreamPacketWriter(OutputStream out) {
        this.out = out;
    }

    /** Buffered as the command buffers its output, so the twin's calls take the same paths. */
    static OutputStream discarding() {
        return new java.io.BufferedOutputStream(OutputStream.nullOutputStream(), 1 << 16);
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
