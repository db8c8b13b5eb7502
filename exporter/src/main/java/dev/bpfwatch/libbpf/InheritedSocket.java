package dev.bpfwatch.libbpf;

import java.io.IOException;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;

/**
 * A listening socket handed over by the service manager (systemd socket
 * activation: LISTEN_PID is this process, LISTEN_FDS sockets from fd 3 on).
 * The JDK adopts an inherited socket only as its standard input
 * (System.inheritedChannel), so the chosen one is first duplicated onto
 * fd 0; the agent never reads its standard input.
 */
public final class InheritedSocket {
    /** SD_LISTEN_FDS_START: the first passed socket's fd. */
    private static final int FIRST_FD = 3;

    private InheritedSocket() {
    }

    /**
     * The {@code index}th passed socket (fd://0 is the first) as a listening channel.
     *
     * @throws IllegalArgumentException saying why there is none: nothing
     *                                  passed, passed to another process, too few, or not a listening TCP socket
     */
    public static ServerSocketChannel listener(int index) {
        String pid = System.getenv("LISTEN_PID");
        String fds = System.getenv("LISTEN_FDS");
        if (pid == null || fds == null) {
            throw new IllegalArgumentException("no socket passed by the service manager (LISTEN_FDS/LISTEN_PID unset; "
                    + "systemd passes one with a .socket unit)");
        }
        if (!pid.equals(Long.toString(ProcessHandle.current().pid()))) {
            throw new IllegalArgumentException("the passed sockets are for process " + pid + ", not this one");
        }
        int count;
        try {
            count = Integer.parseInt(fds);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("LISTEN_FDS=" + fds + " is not a number");
        }
        if (index >= count) {
            throw new IllegalArgumentException("the service manager passed " + count + " socket(s), no fd://" + index);
        }
        if (Native.LIBC.dup2(FIRST_FD + index, 0) < 0) {
            throw new IllegalArgumentException("fd " + (FIRST_FD + index) + ": "
                    + LibbpfException.errnoName(Native.errno()));
        }
        Channel channel;
        try {
            channel = System.inheritedChannel();
        } catch (IOException e) {
            throw new IllegalArgumentException("fd " + (FIRST_FD + index) + ": " + e.getMessage());
        }
        if (!(channel instanceof ServerSocketChannel listening)) {
            throw new IllegalArgumentException("fd " + (FIRST_FD + index) + " is not a listening TCP socket");
        }
        return listening;
    }
}
