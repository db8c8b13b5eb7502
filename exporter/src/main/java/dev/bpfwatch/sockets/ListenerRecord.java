package dev.bpfwatch.sockets;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * One listening TCP socket as tcp_listeners.bpf.c saw it in one walk.
 *
 * @param drops          the listener's sk_drops: every tcp_listendrop() (SYN or third ACK refused)
 * @param acceptQueue    established connections waiting for accept() (sk_ack_backlog)
 * @param acceptQueueMax the listen() backlog as the kernel capped it (sk_max_ack_backlog)
 * @param synQueue       half-open connections (request socks) waiting for their third ACK
 * @param inode          socket inode, as /proc/PID/fd links show it: socket:[inode]
 * @param cgroupId       cgroup v2 id of the process that created the socket
 * @param netns          inode of the network namespace the socket lives in
 * @param deferAccept    TCP_DEFER_ACCEPT as the kernel keeps it (SYN-ACK retransmits to wait for data); 0 when off
 */
public record ListenerRecord(InetAddress address, int port, long drops, long acceptQueue, long acceptQueueMax,
                             long synQueue, long uid, long inode, long cgroupId, long netns, int deferAccept) {

    /** A listener without TCP_DEFER_ACCEPT. */
    public ListenerRecord(InetAddress address, int port, long drops, long acceptQueue, long acceptQueueMax,
                          long synQueue, long uid, long inode, long cgroupId, long netns) {
        this(address, port, drops, acceptQueue, acceptQueueMax, synQueue, uid, inode, cgroupId, netns, 0);
    }

    /** The listener as socket_drops.bpf.c names it in its defer_accept_drops map. */
    public ListenerId id() {
        return new ListenerId(netns, inode);
    }

    /** Whether bare ACKs are held back (TCP_DEFER_ACCEPT): they then add to {@link #drops}, with no full queue. */
    public boolean defersAccept() {
        return deferAccept != 0;
    }

    public boolean ipv6() {
        return address instanceof Inet6Address;
    }

    /** 127.0.0.1:80, [::1]:80: the form ss and curl use. */
    public String endpoint() {
        return InetText.endpoint(address, port);
    }
}
