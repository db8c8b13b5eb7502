package dev.bpfwatch.capture;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Classic pcap, nanosecond variant (magic 0xa1b23c4d, which tcpdump and
 * Wireshark read), Ethernet link type. The format has no room for the XDP
 * action: use {@link PcapngWriter} for that.
 */
public final class PcapWriter extends StreamPacketWriter {
    private static final int MAGIC_NANOS = 0xa1b23c4d;
    private static final int LINKTYPE_ETHERNET = 1;
    /** One record header, reused: a capture writes from one thread at a time. */
    private final ByteBuffer record = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);

    private final int snaplen;

    public PcapWriter(OutputStream out, int snaplen) throws IOException {
        super(out);
        this.snaplen = snaplen;
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(MAGIC_NANOS).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                .putInt(snaplen).putInt(LINKTYPE_ETHERNET);
        out.write(h.array());
    }

    @Override
    public void write(long epochNanos, XdpAction action, int rxQueue, int frameLength, byte[] buf, int offset,
                      int captured) throws IOException {
        record.clear();
        record.putInt((int) (epochNanos / 1_000_000_000L)).putInt((int) (epochNanos % 1_000_000_000L))
                .putInt(captured).putInt(frameLength);
        out.write(record.array());
        out.write(buf, offset, captured);
    }

    @Override
    public PacketWriter discardingTwin() throws IOException {
        return new PcapWriter(discarding(), snaplen);
    }
}
