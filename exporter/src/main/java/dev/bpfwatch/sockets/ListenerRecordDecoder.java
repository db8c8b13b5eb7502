package dev.bpfwatch.sockets;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Bytes the tcp_listeners iterator wrote -> {@link ListenerRecord}s. The
 * layout is struct bpfwatch_listener in programs/tcp_listeners.bpf.c.
 */
public final class ListenerRecordDecoder {
    public static final int RECORD_SIZE = 64;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;

    private ListenerRecordDecoder() {
    }

    /** @throws IllegalArgumentException when the walk is not a whole number of records (program and agent disagree) */
    public static List<ListenerRecord> decode(byte[] walk) {
        if (walk.length % RECORD_SIZE != 0) {
            throw new IllegalArgumentException("listener walk of " + walk.length
                    + " bytes is not a multiple of the " + RECORD_SIZE + "-byte record");
        }
        ByteBuffer b = ByteBuffer.wrap(walk).order(ByteOrder.LITTLE_ENDIAN);
        List<ListenerRecord> out = new ArrayList<>(walk.length / RECORD_SIZE);
        for (int at = 0; at < walk.length; at += RECORD_SIZE) {
            out.add(decodeOne(b, at));
        }
        return out;
    }

    private static ListenerRecord decodeOne(ByteBuffer b, int at) {
        int family = Short.toUnsignedInt(b.getShort(at));
        int port = Short.toUnsignedInt(b.getShort(at + 2));
        long drops = Integer.toUnsignedLong(b.getInt(at + 4));
        byte[] addr = new byte[family == AF_INET ? 4 : 16];
        if (family != AF_INET && family != AF_INET6) {
            throw new IllegalArgumentException("listener record with address family " + family);
        }
        b.get(at + 8, addr);
        InetAddress address;
        try {
            address = InetAddress.getByAddress(addr);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e); // only for a bad length, which cannot happen here
        }
        return new ListenerRecord(address, port, drops,
                Integer.toUnsignedLong(b.getInt(at + 24)),
                Integer.toUnsignedLong(b.getInt(at + 28)),
                Integer.toUnsignedLong(b.getInt(at + 32)),
                Integer.toUnsignedLong(b.getInt(at + 36)),
                b.getLong(at + 40),
                b.getLong(at + 48),
                Integer.toUnsignedLong(b.getInt(at + 56)),
                Byte.toUnsignedInt(b.get(at + 60)));
    }
}
