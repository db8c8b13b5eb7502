package dev.bpfwatch.ratelimit;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Where a filter was attached (struct udprl_socket, keyed by socket inode):
 * the process and fd it was reached through and the UDP port it is bound to.
 * The inode is what identifies the socket; pid and fd only say where to
 * find it again, and may be stale once the process has exited.
 *
 * @param follow attached with --follow: `bpfwatch run` puts the filter on
 *               new unfiltered sockets bound to {@code port} (a restarted
 *               server's), flag bit 0 of the struct's last field
 */
public record Attachment(long inode, long pid, int fd, int port, boolean follow) {
    static final int KEY_SIZE = 8;
    static final int VALUE_SIZE = 16;
    private static final int FOLLOW = 1;

    public Attachment(long inode, long pid, int fd, int port) {
        this(inode, pid, fd, port, false);
    }

    byte[] key() {
        return ByteBuffer.allocate(KEY_SIZE).order(ByteOrder.nativeOrder()).putLong(inode).array();
    }

    byte[] value() {
        return ByteBuffer.allocate(VALUE_SIZE).order(ByteOrder.nativeOrder())
                .putInt((int) pid).putInt(fd).putInt(port).putInt(follow ? FOLLOW : 0).array();
    }

    static Attachment decode(byte[] key, byte[] value) {
        ByteBuffer k = ByteBuffer.wrap(key).order(ByteOrder.nativeOrder());
        ByteBuffer v = ByteBuffer.wrap(value).order(ByteOrder.nativeOrder());
        return new Attachment(k.getLong(0), v.getInt(0) & 0xffffffffL, v.getInt(4), v.getInt(8),
                (v.getInt(12) & FOLLOW) != 0);
    }
}
