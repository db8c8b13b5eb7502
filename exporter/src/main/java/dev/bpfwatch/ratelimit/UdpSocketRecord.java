package dev.bpfwatch.ratelimit;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * One UDP socket as the kernel sees it (struct bpfwatch_udp_socket in
 * programs/udp_sockets.bpf.c): where it is bound, its inode and network
 * namespace, and which BPF program is attached to it as a socket filter.
 *
 * @param filterProgramId the attached program's id; 0 with {@code hasFilter}: a classic filter, which has no id
 */
public record UdpSocketRecord(int family, int port, long inode, long netns, boolean hasFilter, int filterProgramId) {
    static final int SIZE = 24;
    private static final int HAS_FILTER = 1;

    /** Whether this socket carries exactly that program now. */
    public boolean carries(int programId) {
        return hasFilter && programId != 0 && filterProgramId == programId;
    }

    /** @throws IllegalArgumentException when the walk is not a whole number of records (program and agent disagree) */
    static List<UdpSocketRecord> decode(byte[] walk) {
        if (walk.length % SIZE != 0) {
            throw new IllegalArgumentException("UDP socket walk of " + walk.length
                    + " bytes is not a multiple of the " + SIZE + "-byte record");
        }
        ByteBuffer b = ByteBuffer.wrap(walk).order(ByteOrder.LITTLE_ENDIAN);
        List<UdpSocketRecord> out = new ArrayList<>(walk.length / SIZE);
        for (int at = 0; at < walk.length; at += SIZE) {
            out.add(new UdpSocketRecord(Short.toUnsignedInt(b.getShort(at)), Short.toUnsignedInt(b.getShort(at + 2)),
                    b.getLong(at + 8), Integer.toUnsignedLong(b.getInt(at + 16)),
                    (b.getInt(at + 20) & HAS_FILTER) != 0, b.getInt(at + 4)));
        }
        return out;
    }
}
