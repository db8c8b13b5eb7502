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

    public PcapngWriter(OutputStream out, int snaplen) throws IOException {
        super(out);
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
    public void write(CaptureSample s, long epochNanos) throws IOException {
        int padded = (s.data().length + 3) & ~3;
        int options = 4 + 12 + 4 + 4 + 4; // verdict (1 + 8 bytes, padded to 12), queue, end
        int total = 28 + padded + options + 4;
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(EPB).putInt(total).putInt(0)
                .putInt((int) (epochNanos >>> 32)).putInt((int) epochNanos)
                .putInt(s.data().length).putInt(s.length())
                .put(s.data()).put(new byte[padded - s.data().length]);
        b.putShort((short) EPB_VERDICT).putShort((short) 9).put((byte) VERDICT_XDP).putLong(s.action().slot())
                .put(new byte[3]);
        b.putShort((short) EPB_QUEUE).putShort((short) 4).putInt(s.rxQueue());
        b.putShort((short) OPT_END).putShort((short) 0);
        b.putInt(total);
        out.write(b.array());
    }
}
