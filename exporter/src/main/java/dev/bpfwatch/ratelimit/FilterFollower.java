package dev.bpfwatch.ratelimit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Keeps filters attached with --follow on their port: a restarted server
 * binds a new socket, which carries no filter; this puts the filter on it.
 * Run by `bpfwatch run` every interval ({@link UdpRateLimitModule}), so a
 * new socket is unprotected for at most about one interval.
 *
 * <p>Only sockets that carry no filter at all are taken: one with another
 * filter is someone's choice. The port is followed in every network
 * namespace, as `attach --port` searches them all. Attachments whose socket
 * is gone are forgotten once their port has a new one, so the follow rule
 * (kept in udprl_sockets beside them) outlives the server being down.
 */
public final class FilterFollower {
    private static final Logger LOG = Logger.getLogger(FilterFollower.class.getName());

    private final UdpSocketWalker walker;

    public FilterFollower(UdpSocketWalker walker) {
        this.walker = walker;
    }

    /** One look at every followed port; returns the attachments made. Never throws for one filter's trouble. */
    public List<Attachment> followOnce() {
        Map<String, Set<Integer>> followed = new LinkedHashMap<>();
        for (String name : FilterPins.names()) {
            try (PinnedFilter f = PinnedFilter.open(name)) {
                Set<Integer> ports = f.attachments().stream().filter(Attachment::follow).map(Attachment::port)
                        .collect(Collectors.toCollection(TreeSet::new));
                if (!ports.isEmpty()) {
                    followed.put(name, ports);
                }
            } catch (RuntimeException e) {
                LOG.fine(() -> "udp-limit filter " + name + " not followed this time: " + e.getMessage());
            }
        }
        if (followed.isEmpty()) {
            return List.of();
        }
        Map<Long, UdpSocketRecord> host = walker.walkHost();
        List<Attachment> made = new ArrayList<>();
        for (Map.Entry<String, Set<Integer>> e : followed.entrySet()) {
            for (int port : e.getValue()) {
                try {
                    List<Attachment> now = follow(e.getKey(), port, host);
                    made.addAll(now);
                } catch (RuntimeException ex) {
                    LOG.warning("udp-limit filter " + e.getKey() + ": could not attach to new sockets on port "
                            + port + ": " + ex.getMessage());
                }
            }
        }
        return made;
    }

    private List<Attachment> follow(String name, int port, Map<Long, UdpSocketRecord> host) {
        Set<Long> bare = host.values().stream().filter(r -> r.port() == port && !r.hasFilter())
                .map(UdpSocketRecord::inode).collect(Collectors.toSet());
        if (bare.isEmpty()) {
            return List.of();
        }
        List<Attachment> made = new ArrayList<>();
        for (SocketRef ref : UdpSockets.holders(bare, port).byInode().values()) {
            try {
                // Its own settings (null limit), never over another filter (replace false).
                List<Attachment> a = UdpRateLimiter.attach(name, List.of(ref), null, false, true, walker);
                made.addAll(a);
                LOG.info(() -> "udp-limit filter " + name + " followed port " + port + ": attached to " + ref
                        + " (socket inode " + ref.inode() + ", netns " + host.get(ref.inode()).netns() + ")");
            } catch (RuntimeException e) {
                // Closed again meanwhile, or a filter arrived first: the next look decides again.
                LOG.fine(() -> "udp-limit filter " + name + ": " + ref + " not taken: " + e.getMessage());
            }
        }
        if (!made.isEmpty()) {
            try (PinnedFilter f = PinnedFilter.open(name)) {
                for (Attachment a : f.attachments()) {
                    if (a.port() == port && a.follow() && !host.containsKey(a.inode())) {
                        f.forget(a); // its socket closed: the new one carries the follow rule on
                    }
                }
            }
        }
        return made;
    }
}
