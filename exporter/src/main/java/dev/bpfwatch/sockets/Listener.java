package dev.bpfwatch.sockets;

import java.util.OptionalLong;

/**
 * A listening socket and who owns it. When no process holds it, {@code owner}
 * is found from the socket's own cgroup (service, container) and its uid.
 * {@code netnsName} is its namespace's `ip netns` name or container hint
 * (ctr:ID), "" when it has none. {@code deferAcceptDrops}: the bare ACKs it
 * held back for TCP_DEFER_ACCEPT, read right after the walk that read its
 * sk_drops; empty where they cannot be counted.
 */
public record Listener(ListenerRecord socket, SocketOwner owner, String netnsName, OptionalLong deferAcceptDrops) {
    public Listener(ListenerRecord socket, SocketOwner owner) {
        this(socket, owner, "", OptionalLong.empty());
    }

    /** Identity across two walks: the same socket in the same netns. */
    public String key() {
        return socket.netns() + "/" + socket.inode() + "/" + socket.endpoint();
    }
}
