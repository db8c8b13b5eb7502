package dev.bpfwatch.ratelimit;

/** A socket found in /proc: which process holds it under which fd number, its inode and local port. */
public record SocketRef(long pid, int fd, long inode, int port) {
    @Override
    public String toString() {
        return "pid " + pid + " fd " + fd + " port " + port;
    }
}
