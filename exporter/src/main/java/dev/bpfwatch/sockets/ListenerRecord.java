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
 */
public record ListenerRecord(InetAddress address, int port, long drops, long acceptQueue, long acceptQueueMax,
                             long synQueue, long uid, long inode, long cgroupId, long netns) {

    public boolean ipv6() {
        return address instanceof Inet6Address;
    }

    /** 127.0.0.1:80, [::1]:80: the form ss and curl use. */
    public String endpoint() {
        return InetText.endpoint(address, port);
    }
}
