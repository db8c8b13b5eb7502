package dev.bpfwatch.ratelimit;

import dev.bpfwatch.libbpf.LibbpfException;
import dev.bpfwatch.libbpf.ProgramInfo;
import dev.bpfwatch.libbpf.SocketFilter;
import dev.bpfwatch.libbpf.UdpSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Puts a named filter on sockets and takes it off again. All or nothing:
 * every socket is checked before any is touched (still the socket that was
 * found, no other filter on it), and when one socket of several cannot take
 * the filter, those done already are detached again and a filter created for
 * the call is unpinned. Detach takes off only what the kernel says is ours.
 */
public final class UdpRateLimiter {
    private static final Logger LOG = Logger.getLogger(UdpRateLimiter.class.getName());
    private static final int ESRCH = 3;
    private static final int EBADF = 9;
    private static final int ENOTSOCK = 88;
    private static final int EPROTOTYPE = 91;

    private UdpRateLimiter() {
    }

    /** {@link #attach(String, List, RateLimit, boolean, boolean)} that refuses sockets carrying another filter. */
    public static List<Attachment> attach(String name, List<SocketRef> targets, RateLimit limit) {
        return attach(name, targets, limit, false, false);
    }

    /**
     * @param follow record the attachments as followed: `bpfwatch run` puts
     *               the filter on new unfiltered sockets of their port
     *               ({@link FilterFollower})
     */
    public static List<Attachment> attach(String name, List<SocketRef> targets, RateLimit limit, boolean replace,
                                          boolean follow) {
        try (UdpSocketWalker walker = UdpSocketWalker.load()) {
            return attach(name, targets, limit, replace, follow, walker);
        }
    }

    /**
     * Attaches filter {@code name} (created and pinned if new, reused with its
     * counts if pinned already) to every target, and sets its default limit.
     * A target that already carries this filter is only recorded again.
     *
     * @param limit   the default limit to set; null keeps the filter's own
     *                (re-attaching an existing filter, which must exist)
     * @param replace put the filter on sockets that carry another one
     *                (SO_ATTACH_BPF replaces it); without it they are refused
     * @throws TargetException when a socket carries another filter and
     *         {@code replace} is false, or its fd now refers to another socket
     */
    static List<Attachment> attach(String name, List<SocketRef> targets, RateLimit limit, boolean replace,
                                   boolean follow, UdpSocketWalker walker) {
        if (targets.isEmpty()) {
            throw new TargetException("no socket to attach to");
        }
        if (limit == null && !FilterPins.exists(name)) {
            throw new FilterNotFoundException(name);
        }
        boolean created = FilterPins.ensure(name);
        List<UdpSocket> sockets = new ArrayList<>();
        try (PinnedFilter filter = PinnedFilter.open(name)) {
            int ours = filter.program().info().id();
            List<SocketRef> toAttach = new ArrayList<>();
            for (SocketRef target : targets) {
                UdpSocket socket = open(target);
                sockets.add(socket);
                requireSameSocket(socket, target);
                Optional<UdpSocketRecord> now = walker.of(socket);
                if (now.isPresent() && now.get().hasFilter() && !now.get().carries(ours) && !replace) {
                    throw new TargetException(target + " (socket inode " + target.inode() + ") already has "
                            + describe(now.get().filterProgramId()) + ": detach that first, or give --replace to put '"
                            + name + "' in its place");
                }
            }
            // A new filter must limit from its first packet; an existing one
            // keeps its settings until every socket has taken it.
            if (created && limit != null) {
                filter.setDefault(limit);
            }
            List<Attachment> done = new ArrayList<>();
            try {
                for (int i = 0; i < targets.size(); i++) {
                    SocketRef target = targets.get(i);
                    SocketFilter.attach(sockets.get(i), filter.program());
                    Attachment a = new Attachment(target.inode(), target.pid(), target.fd(), target.port(), follow);
                    done.add(a);
                    filter.record(a);
                }
            } catch (RuntimeException e) {
                rollBack(filter, done, e);
                throw e;
            }
            if (limit != null) {
                filter.setDefault(limit);
            }
            return done;
        } catch (RuntimeException e) {
            if (created) {
                FilterPins.remove(name);
            }
            throw e;
        } finally {
            sockets.forEach(UdpSocket::close);
        }
    }

    /**
     * The fd was found by its number in /proc a moment ago: the process may
     * have closed it and reused the number for another socket since. Only
     * the inode says the duplicate we took is the socket we meant.
     */
    private static void requireSameSocket(UdpSocket socket, SocketRef target) {
        if (target.inode() != 0 && socket.inode() != target.inode()) {
            throw new TargetException(target + ": the fd now refers to another socket (inode " + socket.inode()
                    + ", found as " + target.inode() + "); the process reopened it: try again");
        }
    }

    /** A filter found on a socket, as the operator can act on it. */
    static String describe(int programId) {
        if (programId == 0) {
            return "a classic socket filter (SO_ATTACH_FILTER)";
        }
        Optional<String> filter = FilterPins.nameOfProgram(programId);
        if (filter.isPresent()) {
            return "udp-limit filter '" + filter.get() + "' (program id " + programId + ")";
        }
        String kernelName = ProgramInfo.ofId(programId).map(ProgramInfo::name).orElse("unloaded");
        return "a socket filter that is not a pinned udp-limit filter (program id " + programId + ", '"
                + kernelName + "')";
    }

    private static void rollBack(PinnedFilter filter, List<Attachment> done, RuntimeException cause) {
        for (Attachment a : done) {
            try (UdpSocket socket = open(new SocketRef(a.pid(), a.fd(), a.inode(), a.port()))) {
                SocketFilter.detach(socket);
                filter.forget(a);
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

    /** What detach did with one recorded attachment. */
    public record Detached(Attachment attachment, Outcome outcome, String detail) {
    }

    public enum Outcome {
        /** The socket carried this filter; it carries none now. */
        DETACHED,
        /** The socket is closed, or its process and fd no longer hold it: nothing to take off. */
        GONE,
        /** The socket carries another filter now (or none): left as it is. */
        NOT_OURS
    }

    /**
     * Detaches the filter from every socket it was attached to (or only
     * those of {@code pid}), forgetting each of them. A socket that carries
     * another program now (someone attached over ours) keeps it. When no
     * attachment is left and {@code keepPins} is false, the filter is unpinned.
     */
    public static List<Detached> detach(String name, Long pid, boolean keepPins) {
        List<Detached> removed = new ArrayList<>();
        boolean empty;
        try (PinnedFilter filter = PinnedFilter.open(name); UdpSocketWalker walker = UdpSocketWalker.load()) {
            int ours = filter.program().info().id();
            for (Attachment a : filter.attachments()) {
                if (pid == null || pid == a.pid()) {
                    removed.add(detachOne(filter, ours, walker, a));
                }
            }
            empty = filter.attachments().isEmpty();
        }
        if (empty && !keepPins) {
            FilterPins.remove(name);
        }
        return removed;
    }

    /** Takes the filter off one socket, if that socket still exists where it was recorded and still carries it. */
    static Detached detachOne(PinnedFilter filter, int ours, UdpSocketWalker walker, Attachment a) {
        Detached result;
        try (UdpSocket socket = open(new SocketRef(a.pid(), a.fd(), a.inode(), a.port()))) {
            // The fd number may have been reused for another socket since: only the inode says it is ours.
            if (socket.inode() != a.inode()) {
                result = new Detached(a, Outcome.GONE, "fd " + a.fd() + " is another socket now");
            } else {
                Optional<UdpSocketRecord> now = walker.of(socket);
                if (now.isPresent() && now.get().carries(ours)) {
                    SocketFilter.detach(socket);
                    result = new Detached(a, Outcome.DETACHED, "");
                } else if (now.isPresent() && now.get().hasFilter()) {
                    result = new Detached(a, Outcome.NOT_OURS, "it carries " + describe(now.get().filterProgramId())
                            + " now: left in place");
                } else {
                    result = new Detached(a, Outcome.NOT_OURS, "it carries no filter now");
                }
            }
        } catch (LibbpfException e) {
            if (e.errno() != ESRCH && e.errno() != EBADF && e.errno() != ENOTSOCK && e.errno() != EPROTOTYPE) {
                throw e;
            }
            // Process or fd gone: the socket closed with it (or lives on elsewhere, unrecorded).
            result = new Detached(a, Outcome.GONE, "pid " + a.pid() + " fd " + a.fd() + " is gone");
        }
        filter.forget(a);
        return result;
    }

    /** Whether the recorded socket is still open under the recorded pid and fd; false once the process has exited. */
    public static boolean alive(Attachment a) {
        try {
            return UdpSockets.fdOf(a.pid(), a.inode()).isPresent();
        } catch (TargetException processGone) {
            return false;
        }
    }
}
