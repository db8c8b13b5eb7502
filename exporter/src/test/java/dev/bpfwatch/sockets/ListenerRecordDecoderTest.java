package dev.bpfwatch.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

class ListenerRecordDecoderTest {

    /** A record laid out as struct bpfwatch_listener. */
    static byte[] record(int family, byte[] addr, int port, int drops, int acceptQueue, int max, int syn, int uid,
                         long inode, long cgroup, int netns) {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) family).putShort(2, (short) port).putInt(4, drops);
        b.put(8, addr);
        b.putInt(24, acceptQueue).putInt(28, max).putInt(32, syn).putInt(36, uid);
        b.putLong(40, inode).putLong(48, cgroup).putInt(56, netns);
        return b.array();
    }

    @Test
    void decodesIPv4AndIPv6Records() throws Exception {
        byte[] v4 = record(2, new byte[] {127, 0, 0, 1}, 8080, 68, 2, 1, 3, 1000, 123456L, 42L, 0xF0000001);
        byte[] v6addr = InetAddress.getByName("::1").getAddress();
        byte[] v6 = record(10, v6addr, 65535, -1, 0, 4096, 0, 0, 7L, 1L, (int) 4026531833L);
        byte[] walk = new byte[128];
        System.arraycopy(v4, 0, walk, 0, 64);
        System.arraycopy(v6, 0, walk, 64, 64);

        List<ListenerRecord> r = ListenerRecordDecoder.decode(walk);

        assertEquals(2, r.size());
        assertEquals(new ListenerRecord(InetAddress.getByName("127.0.0.1"), 8080, 68, 2, 1, 3, 1000, 123456, 42,
                0xF0000001L), r.get(0));
        assertEquals("127.0.0.1:8080", r.get(0).endpoint());
        ListenerRecord six = r.get(1);
        assertTrue(six.ipv6());
        assertEquals("[::1]:65535", six.endpoint());
        assertEquals(0xffffffffL, six.drops(), "u32 fields are unsigned");
        assertEquals(4096, six.acceptQueueMax());
        assertEquals(4026531833L, six.netns(), "netns inodes above 2^31 stay positive");
    }

    @Test
    void emptyWalkIsNoListeners() {
        assertEquals(List.of(), ListenerRecordDecoder.decode(new byte[0]));
    }

    @Test
    void partialRecordIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ListenerRecordDecoder.decode(new byte[65]));
        assertTrue(e.getMessage().contains("65 bytes"), e.getMessage());
    }

    @Test
    void unknownFamilyIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> ListenerRecordDecoder.decode(record(1, new byte[16], 1, 0, 0, 0, 0, 0, 0, 0, 0)));
    }
}
