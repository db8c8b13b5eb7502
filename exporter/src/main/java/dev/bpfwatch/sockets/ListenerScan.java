package dev.bpfwatch.sockets;

import dev.bpfwatch.libbpf.LibbpfException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One look at every listener on the host: each network namespace in use
 * walked by the iterator, each socket joined to the application holding it.
 */
public final class ListenerScan {
    private static final Logger LOG = Logger.getLogger(ListenerScan.class.getName());

    private final ListenerWalker walker;
    private final NetnsFinder namespaces;
    private final SocketOwners owners;
    private final CgroupPaths cgroups;
    private final Supplier<Optional<Map<ListenerId, Long>>> deferDrops;

    /**
     * @param deferDrops deferred-ACK drops per listener (socket_drops.bpf.c), read right after the walks
     *                   so they go with the sk_drops just read; empty where they cannot be counted
     */
    public ListenerScan(ListenerWalker walker, NetnsFinder namespaces, SocketOwners owners, CgroupPaths cgroups,
                        Supplier<Optional<Map<ListenerId, Long>>> deferDrops) {
        this.walker = walker;
        this.namespaces = namespaces;
        this.owners = owners;
        this.cgroups = cgroups;
        this.deferDrops = deferDrops;
    }

    public ListenerScan(ListenerWalker walker, Supplier<Optional<Map<ListenerId, Long>>> deferDrops) {
        this(walker, new NetnsFinder(), new SocketOwners(), new CgroupPaths(), deferDrops);
    }

    public ListenerScan(ListenerWalker walker) {
        this(walker, Optional::empty);
    }

    public synchronized List<Listener> scan() {
        List<ListenerRecord> sockets = new ArrayList<>();
        NetnsFinder.Namespaces found = namespaces.findNamed();
        for (Map.Entry<Long, Path> ns : found.files().entrySet()) {
            try {
                sockets.addAll(walker.walk(ns.getValue()));
            } catch (LibbpfException e) {
                // The namespace's last process exited between finding and joining it: nothing to walk.
                LOG.log(Level.FINE, "netns " + ns.getKey() + " not walked: " + e.getMessage());
            } catch (RuntimeException e) {
                // One namespace that cannot be read must not fail the scrape of all the others.
                LOG.log(Level.WARNING, "netns " + ns.getKey() + " not walked: " + e.getMessage());
            }
        }
        // Before owners are looked for in /proc, which takes long: a deferred ACK between the walk and
        // this read is counted here but not in sk_drops, so the window is kept short.
        Optional<Map<ListenerId, Long>> deferred;
        try {
            deferred = deferDrops.get();
        } catch (RuntimeException e) {
            // The listeners still count; a TCP_DEFER_ACCEPT listener's drops show as unknown this time.
            LOG.log(Level.WARNING, "deferred-accept drops not read: " + e.getMessage());
            deferred = Optional.empty();
        }
        Map<Long, SocketOwner> byInode = owners.resolve(sockets.stream().map(ListenerRecord::inode).toList());
        List<Listener> out = new ArrayList<>(sockets.size());
        for (ListenerRecord s : sockets) {
            SocketOwner o = byInode.getOrDefault(s.inode(), SocketOwner.NONE);
            OptionalLong d = deferred.map(m -> OptionalLong.of(m.getOrDefault(s.id(), 0L))).orElse(OptionalLong.empty());
            out.add(new Listener(s, o.found() ? o : fromCgroup(s.cgroupId()), found.names().getOrDefault(s.netns(), ""),
                    d));
        }
        return out;
    }

    private SocketOwner fromCgroup(long cgroupId) {
        String path = cgroups.path(cgroupId);
        return new SocketOwner("", 0, CgroupService.service(path), CgroupService.container(path));
    }
}
