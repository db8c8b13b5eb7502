package dev.bpfwatch.libbpf;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * Socket filters (BPF_PROG_TYPE_SOCKET_FILTER) on a socket, through
 * SO_ATTACH_BPF / SO_DETACH_BPF. Unlike links, the attachment belongs to the
 * socket: it needs no fd of ours to stay, and ends when the socket closes
 * or someone detaches it. A socket holds one filter; attaching replaces it.
 */
public final class SocketFilter {
    private static final int SOL_SOCKET = 1;
    private static final int SO_DETACH_BPF = 27;
    private static final int SO_ATTACH_BPF = 50;
    private static final int ENOENT = 2;

    private SocketFilter() {
    }

    public static void attach(UdpSocket socket, PinnedProgram program) {
        Pointer value = Memory.allocateDirect(Native.RUNTIME, 4);
        value.putInt(0, program.fd());
        int rc = Native.LIBC.setsockopt(socket.fd(), SOL_SOCKET, SO_ATTACH_BPF, value, 4);
        if (rc < 0) {
            throw new LibbpfException("SO_ATTACH_BPF on fd " + socket.fdInOwner() + " of pid " + socket.pid(),
                    Native.errno());
        }
    }

    /** @return false when the socket had no filter */
    public static boolean detach(UdpSocket socket) {
        Pointer value = Memory.allocateDirect(Native.RUNTIME, 4, true);
        int rc = Native.LIBC.setsockopt(socket.fd(), SOL_SOCKET, SO_DETACH_BPF, value, 4);
        if (rc < 0) {
            int err = Native.errno();
            if (err == ENOENT) {
                return false;
            }
            throw new LibbpfException("SO_DETACH_BPF on fd " + socket.fdInOwner() + " of pid " + socket.pid(), err);
        }
        return true;
    }
}
