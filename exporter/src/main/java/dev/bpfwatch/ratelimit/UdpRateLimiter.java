package dev.bpfwatch.ratelimit;

import dev.bpfwatch.libbpf.LibbpfException;
import dev.bpfwatch.libbpf.SocketFilter;
import dev.bpfwatch.libbpf.UdpSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Puts a named filter on sockets and takes it off again. All or nothing:
 * when one socket of several cannot take the filter, those done already are
 * detached again, and a filter created for the call is unpinned.
 */
public final class UdpRateLimiter {
    private static final Logger LOG = Logger.getLogger(UdpRateLimiter.class.getName());
    private static final int ESRCH = 3;
    private static final int EBADF = 9;
    private static final int ENOTSOCK = 88;
    private static final int EPROTOTYPE = 91;

    private UdpRateLimiter() {
    }

    /**
     * Attaches filter {@code name} (created and pinned if new, reused with its
     * counts if pinned already) to every target, and sets its default limit.
     */
    public static List<Attachment> attach(String name, List<SocketRef> targets, RateLimit limit) {
        if (targets.isEmpty()) {
            throw new TargetException("no socket to attach to");
        }
        boolean created = FilterPins.ensure(name);
        List<Attachment> done = new ArrayList<>();
        try (PinnedFilter filter = PinnedFilter.open(name)) {
            // A new filter must limit from its first packet; an existing one
            // keeps its settings until every socket has taken it.
            if (created) {
                filter.setDefault(limit);
            }
            try {
                for (SocketRef target : targets) {
                    try (UdpSocket socket = open(target)) {
                        SocketFilter.attach(socket, filter.program());
                        Attachment a = new Attachment(socket.inode(), target.pid(), target.fd(), target.port());
                        done.add(a);
                        filter.record(a);
                    }
                }
            } catch (RuntimeException e) {
                rollBack(filter, done, e);
                throw e;
            }
            filter.setDefault(limit);
            return done;
        } catch (RuntimeException e) {
            if (created) {
                FilterPins.remove(name);
            }
            throw e;
        }
    }

    private static void rollBack(PinnedFilter filter, List<Attachment> done, RuntimeException cause) {
        for (Attachment a : done) {
            try {
                detachOne(filter, a);
            } catch (RuntimeException e) {
                cause.addSuppressed(e);
                LOG.warning(() -> "could not undo attach on pid " + a.pid() + " fd " + a.fd() + ": " + e.getMessage());
            }
        }
    }

    static UdpSocket open(SocketRef target) {
        return target.pid() == ProcessHandle.current().pid()
                ? UdpSocket.inThisProcess(target.fd())
                : UdpSocket.ofProcess(target.pid(), target.fd());
    }

    /**
     * Detaches the filter from every socket it was attached to (or only
     * those of {@code pid}), forgetting sockets that are gone. When no
     * attachment is left and {@code keepPins} is false, the filter is unpinned.
     *
     * @return the attachments that were detached or found gone
     */
    public static List<Attachment> detach(String name, Long pid, boolean keepPins) {
        List<Attachment> removed = new ArrayList<>();
        boolean empty;
        try (PinnedFilter filter = PinnedFilter.open(name)) {
            for (Attachment a : filter.attachments()) {
                if (pid == null || pid == a.pid()) {
                    detachOne(filter, a);
                    removed.add(a);
                }
            }
            empty = filter.attachments().isEmpty();
        }
        if (empty && !keepPins) {
            FilterPins.remove(name);
        }
        return removed;
    }

    /** Takes the filter off one socket, if that socket still exists where it was recorded. */
    static void detachOne(PinnedFilter filter, Attachment a) {
        try (UdpSocket socket = open(new SocketRef(a.pid(), a.fd(), a.inode(), a.port()))) {
            // The fd number may have been reused for another socket since: only the inode says it is ours.
            if (socket.inode() == a.inode()) {
                SocketFilter.detach(socket);
            }
        } catch (LibbpfException e) {
            if (e.errno() != ESRCH && e.errno() != EBADF && e.errno() != ENOTSOCK && e.errno() != EPROTOTYPE) {
                throw e;
            }
            // Process or fd gone: the socket closed with it (or lives on elsewhere, unrecorded).
        }
        filter.forget(a);
    }

    /** Whether the recorded socket is still open under the recorded pid and fd. */
    public static boolean alive(Attachment a) {
        return UdpSockets.fdOf(a.pid(), a.inode()).isPresent();
    }
}
