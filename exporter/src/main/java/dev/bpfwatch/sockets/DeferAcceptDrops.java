package dev.bpfwatch.sockets;

import dev.bpfwatch.libbpf.BpfMap;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

/**
 * The defer_accept_drops map of socket_drops.bpf.c: per TCP listener, the
 * bare ACKs it discarded because of TCP_DEFER_ACCEPT (the kernel's
 * TCPDeferAcceptDrop), counted since the program was attached. They are
 * part of the listener's sk_drops but say nothing about a full queue.
 */
public final class DeferAcceptDrops {
    static final String MAP = "defer_accept_drops";
    static final int KEY_SIZE = 16;

    private DeferAcceptDrops() {
    }

    public static Map<ListenerId, Long> read(BpfMap map) {
        Map<ListenerId, Long> out = new HashMap<>();
        for (BpfMap.Entry e : map.entries()) {
            out.merge(decodeKey(e.key()), ByteBuffer.wrap(e.value()).order(ByteOrder.LITTLE_ENDIAN).getLong(0),
                    Long::sum);
        }
        return out;
    }

    static ListenerId decodeKey(byte[] key) {
        if (key.length != KEY_SIZE) {
            throw new IllegalArgumentException("listener id of " + key.length + " bytes, expected " + KEY_SIZE);
        }
        ByteBuffer b = ByteBuffer.wrap(key).order(ByteOrder.LITTLE_ENDIAN);
        return new ListenerId(Integer.toUnsignedLong(b.getInt(0)), b.getLong(8));
    }
}
