package dev.bpfwatch.sockets;

/**
 * A listening socket and who owns it. When no process holds it, {@code owner}
 * is found from the socket's own cgroup (service, container) and its uid.
 * {@code netnsName} is its namespace's `ip netns` name or container hint
 * (ctr:ID), "" when it has none.
 */
public record Listener(ListenerRecord socket, SocketOwner owner, String netnsName) {
    public Listener(ListenerRecord socket, SocketOwner owner) {
        this(socket, owner, "");
    }

    /** Identity across two walks: the same socket in the same netns. */
    public String key() {
        return socket.netns() + "/" + socket.inode() + "/" + socket.endpoint();
    }
}
