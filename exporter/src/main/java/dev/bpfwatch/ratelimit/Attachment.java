package dev.bpfwatch.ratelimit;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Where a filter was attached (struct udprl_socket, keyed by socket inode):
 * the process and fd it was reached through and the UDP port it is bound to.
 * The inode is what identifies the socket; pid and fd only say where to
 * find it again, and may be stale once the process has exited.
 */
public record Attachment(long inode, long pid, int fd, int port) {
    static final int KEY_SIZE = 8;
    static final int VALUE_SIZE = 16;

    byte[] key() {
        return ByteBuffer.allocate(KEY_SIZE).order(ByteOrder.nativeOrder()).putLong(inode).array();
    }

    byte[] value() {
        return ByteBuffer.allocate(VALUE_SIZE).order(ByteOrder.nativeOrder())
                .putInt((int) pid).putInt(fd).putInt(port).putInt(0).array();
    }

    static Attachment decode(byte[] key, byte[] value) {
        ByteBuffer k = ByteBuffer.wrap(key).order(ByteOrder.nativeOrder());
        ByteBuffer v = ByteBuffer.wrap(value).order(ByteOrder.nativeOrder());
        return new Attachment(k.getLong(0), v.getInt(0) & 0xffffffffL, v.getInt(4), v.getInt(8));
    }
}
