package dev.bpfwatch.capture;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * pcapng with the XDP action on every packet: an Enhanced Packet Block's
 * epb_verdict option (code 6) of type 2, "Linux eBPF XDP", holding the
 * action as a u64, which Wireshark shows as the frame's verdict; and the rx
 * queue in epb_queue (code 7). One interface, Ethernet, nanosecond times.
 */
public final class PcapngWriter extends StreamPacketWriter {
    private static final int SHB = 0x0a0d0d0a;
    private static final int IDB = 1;
    private static final int EPB = 6;
    private static final int BYTE_ORDER_MAGIC = 0x1a2b3c4d;
    private static final int LINKTYPE_ETHERNET = 1;
    private static final int OPT_END = 0;
    private static final int IF_TSRESOL = 9;
    private static final int EPB_VERDICT = 6;
    private static final int EPB_QUEUE = 7;
    private static final int VERDICT_XDP = 2;
    /** Options after the packet: verdict (4 + 1 + 8 bytes, padded to 16), queue (4 + 4), end (4). */
    private static final int OPTIONS = 16 + 8 + 4;
    private static final byte[] ZEROS = new byte[4];
    // Reused per packet: a capture writes from one thread at a time.
    private final ByteBuffer head = ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer tail = ByteBuffer.allocate(OPTIONS + 4).order(ByteOrder.LITTLE_ENDIAN);

    private final int snaplen;

    public PcapngWriter(OutputStream out, int snaplen) throws IOException {
        super(out);
        this.snaplen = snaplen;
        ByteBuffer shb = ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN);
        shb.putInt(SHB).putInt(28).putInt(BYTE_ORDER_MAGIC).putShort((short) 1).putShort((short) 0)
                .putLong(-1L) // section length unknown: we stream
                .putInt(28);
        out.write(shb.array());
        ByteBuffer idb = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        idb.putInt(IDB).putInt(32).putShort((short) LINKTYPE_ETHERNET).putShort((short) 0).putInt(snaplen)
                .putShort((short) IF_TSRESOL).putShort((short) 1).put((byte) 9).put(new byte[3]) // 10^-9 s
                .putShort((short) OPT_END).putShort((short) 0)
                .putInt(32);
        out.write(idb.array());
    }

    @Override
    public void write(long epochNanos, XdpAction action, int rxQueue, int frameLength, byte[] buf, int offset,
                      int captured) throws IOException {
        int padded = (captured + 3) & ~3;
        int total = 28 + padded + OPTIONS + 4;
        head.clear();
        head.putInt(EPB).putInt(total).putInt(0)
                .putInt((int) (epochNanos >>> 32)).putInt((int) epochNanos)
                .putInt(captured).putInt(frameLength);
        out.write(head.array());
        out.write(buf, offset, captured);
        out.write(ZEROS, 0, padded - captured);
        tail.clear();
        tail.putShort((short) EPB_VERDICT).putShort((short) 9).put((byte) VERDICT_XDP).putLong(action.slot())
                .put(ZEROS, 0, 3);
        tail.putShort((short) EPB_QUEUE).putShort((short) 4).putInt(rxQueue);
        tail.putShort((short) OPT_END).putShort((short) 0);
        tail.putInt(total);
        out.write(tail.array());
    }

    @Override
    public PacketWriter discardingTwin() throws IOException {
        return new PcapngWriter(discarding(), snaplen);
    }
}
