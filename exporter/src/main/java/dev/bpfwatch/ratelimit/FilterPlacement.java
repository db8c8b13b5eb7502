package dev.bpfwatch.ratelimit;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the kernel says filters are: every UDP socket of the host with the
 * program attached to it, read once ({@link UdpSocketWalker#walkHost()}).
 * Answers, for a filter's program id, which sockets carry it, and for one
 * recorded attachment, what became of its socket.
 */
public final class FilterPlacement {
    /** What became of a socket a filter was attached to. */
    public enum SocketState {
        /** The socket exists and carries the filter. */
        ATTACHED("attached"),
        /** No such socket in any network namespace: it was closed (its process exited or restarted). */
        GONE("gone: socket closed"),
        /** The socket exists and carries another filter, put over ours. */
        REPLACED("replaced: the socket carries another filter"),
        /** The socket exists and carries no filter (detached by someone else). */
        UNFILTERED("detached: the socket carries no filter"),
        /** The kernel could not be asked (iter/udp unavailable). */
        UNKNOWN("unknown");

        private final String text;

        SocketState(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    private final Map<Long, UdpSocketRecord> sockets;
    private final String unavailable;

    private FilterPlacement(Map<Long, UdpSocketRecord> sockets, String unavailable) {
        this.sockets = sockets;
        this.unavailable = unavailable;
    }

    public static FilterPlacement of(Map<Long, UdpSocketRecord> sockets) {
        return new FilterPlacement(Map.copyOf(sockets), null);
    }

    /** Walks the host now; never throws: a kernel that cannot tell gives a placement that says why. */
    public static FilterPlacement read() {
        try (UdpSocketWalker walker = UdpSocketWalker.load()) {
            return of(walker.walkHost());
        } catch (RuntimeException e) {
            return new FilterPlacement(Map.of(), "cannot list UDP sockets with iter/udp (Linux 5.9+): "
                    + e.getMessage());
        }
    }

    /** Why the kernel could not be asked; empty when it was. */
    public Optional<String> unavailable() {
        return Optional.ofNullable(unavailable);
    }

    public SocketState stateOf(Attachment a, int programId) {
        if (unavailable != null) {
            return SocketState.UNKNOWN;
        }
        UdpSocketRecord r = sockets.get(a.inode());
        if (r == null) {
            return SocketState.GONE;
        }
        if (r.carries(programId)) {
            return SocketState.ATTACHED;
        }
        return r.hasFilter() ? SocketState.REPLACED : SocketState.UNFILTERED;
    }

    /** The sockets that carry this program now, in every network namespace. */
    public List<UdpSocketRecord> carrying(int programId) {
        return carrying(sockets.values(), programId);
    }

    static List<UdpSocketRecord> carrying(Collection<UdpSocketRecord> sockets, int programId) {
        return sockets.stream().filter(r -> r.carries(programId)).toList();
    }
}
