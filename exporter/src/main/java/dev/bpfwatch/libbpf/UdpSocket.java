package dev.bpfwatch.libbpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * A UDP socket bpfwatch may put a filter on: a duplicate of another
 * process's socket (pidfd_open + pidfd_getfd, so the owner keeps its own fd
 * untouched), or one of this process's own sockets. Socket options set
 * through the duplicate act on the one socket both fds refer to, which is
 * why a filter stays after bpfwatch closes its duplicate and exits.
 */
public final class UdpSocket implements AutoCloseable {
    private static final long SYS_PIDFD_OPEN = 434;
    private static final long SYS_PIDFD_GETFD = 438;
    private static final long SYS_IOCTL = 16;
    /** ioctl on a socket: a new fd for the network namespace the socket lives in (Linux 4.9). */
    private static final int SIOCGSKNS = 0x894C;
    private static final int SOL_SOCKET = 1;
    private static final int SO_TYPE = 3;
    private static final int SO_PROTOCOL = 38;
    private static final int SOCK_DGRAM = 2;
    private static final int IPPROTO_UDP = 17;
    private static final int ENOTSOCK = 88;
    private static final int EPROTOTYPE = 91;
    private static final Pattern SOCKET_LINK = Pattern.compile("socket:\\[(\\d+)]");

    private final long pid;
    private final int fdInOwner;
    private final int fd;
    private final boolean ownsFd;
    private final long inode;

    private UdpSocket(long pid, int fdInOwner, int fd, boolean ownsFd) {
        this.pid = pid;
        this.fdInOwner = fdInOwner;
        this.fd = fd;
        this.ownsFd = ownsFd;
        try {
            this.inode = inodeOf(fd);
            requireUdp();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Takes a duplicate of fd {@code fdNumber} of process {@code pid}.
     * Needs PTRACE_MODE_ATTACH rights over that process (root, or
     * CAP_SYS_PTRACE): EPERM otherwise.
     */
    public static UdpSocket ofProcess(long pid, int fdNumber) {
        long pidfd = Native.LIBC.syscall(SYS_PIDFD_OPEN, (int) pid, 0);
        if (pidfd < 0) {
            throw new LibbpfException("pidfd_open pid " + pid, Native.errno());
        }
        try {
            long dup = Native.LIBC.syscall(SYS_PIDFD_GETFD, (int) pidfd, fdNumber, 0);
            if (dup < 0) {
                throw new LibbpfException("pidfd_getfd fd " + fdNumber + " of pid " + pid, Native.errno());
            }
            return new UdpSocket(pid, fdNumber, (int) dup, true);
        } finally {
            Native.LIBC.close((int) pidfd);
        }
    }

    /**
     * One of this process's own sockets, by its fd number (as /proc/self/fd
     * lists it). Used as is, not duplicated, and not closed by {@link #close()}:
     * the channel that owns it does that.
     */
    public static UdpSocket inThisProcess(int fdNumber) {
        return new UdpSocket(ProcessHandle.current().pid(), fdNumber, fdNumber, false);
    }

    /** The process that holds the socket. */
    public long pid() {
        return pid;
    }

    /** The socket's fd number in that process (not ours). */
    public int fdInOwner() {
        return fdInOwner;
    }

    /** The socket's inode: the same through every fd that refers to it. */
    public long inode() {
        return inode;
    }

    int fd() {
        return fd;
    }

    /**
     * Runs {@code work} on a thread inside the network namespace the socket
     * belongs to (where it was created, whoever holds it now), found from
     * the socket itself with SIOCGSKNS.
     */
    public <T> T inItsNetns(java.util.function.Supplier<T> work) {
        long nsFd = Native.LIBC.syscall(SYS_IOCTL, fd, SIOCGSKNS, 0);
        if (nsFd < 0) {
            throw new LibbpfException("SIOCGSKNS on fd " + fdInOwner + " of pid " + pid, Native.errno());
        }
        try {
            return NetworkNamespace.call(Path.of("/proc/self/fd/" + nsFd), work);
        } finally {
            Native.LIBC.close((int) nsFd);
        }
    }

    private void requireUdp() {
        int type = intOption(SO_TYPE, "SO_TYPE");
        int protocol = intOption(SO_PROTOCOL, "SO_PROTOCOL");
        if (type != SOCK_DGRAM || protocol != IPPROTO_UDP) {
            throw new LibbpfException("fd " + fdInOwner + " of pid " + pid, EPROTOTYPE,
                    protocol == 6 ? "a TCP socket, not UDP" : "not a UDP socket (protocol " + protocol + ")");
        }
    }

    private int intOption(int option, String name) {
        Pointer value = Memory.allocateDirect(Native.RUNTIME, 4, true);
        Pointer length = Memory.allocateDirect(Native.RUNTIME, 4);
        length.putInt(0, 4);
        int rc = Native.LIBC.getsockopt(fd, SOL_SOCKET, option, value, length);
        if (rc < 0) {
            int err = Native.errno();
            throw new LibbpfException("getsockopt " + name + " on fd " + fdInOwner + " of pid " + pid, err,
                    err == ENOTSOCK ? "not a socket" : null);
        }
        return value.getInt(0);
    }

    private static long inodeOf(int fd) {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            Matcher m = SOCKET_LINK.matcher(link);
            if (!m.matches()) {
                throw new LibbpfException("fd " + fd, ENOTSOCK, "not a socket: " + link);
            }
            return Long.parseLong(m.group(1));
        } catch (IOException e) {
            throw new LibbpfException("read /proc/self/fd/" + fd, 9, e.getMessage());
        }
    }

    @Override
    public void close() {
        if (ownsFd) {
            Native.LIBC.close(fd);
        }
    }
}
