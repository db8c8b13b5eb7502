package dev.bpfwatch.sockets;

/**
 * The application holding a socket.
 *
 * @param comm      process name (/proc/PID/comm); empty when no process holds the socket
 * @param pid       main pid: the lowest thread-group id holding it (a pre-forking server's parent); 0 when none
 * @param service   systemd unit (nginx.service) from the cgroup path; empty when none
 * @param container container id from the cgroup path (docker, containerd, cri-o, kubepods); empty when none
 */
public record SocketOwner(String comm, int pid, String service, String container) {
    public static final SocketOwner NONE = new SocketOwner("", 0, "", "");

    public boolean found() {
        return pid > 0;
    }
}
