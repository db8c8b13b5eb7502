package dev.bpfwatch.sockets;

import dev.bpfwatch.libbpf.LibbpfException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

    public ListenerScan(ListenerWalker walker, NetnsFinder namespaces, SocketOwners owners, CgroupPaths cgroups) {
        this.walker = walker;
        this.namespaces = namespaces;
        this.owners = owners;
        this.cgroups = cgroups;
    }

    public ListenerScan(ListenerWalker walker) {
        this(walker, new NetnsFinder(), new SocketOwners(), new CgroupPaths());
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
        Map<Long, SocketOwner> byInode = owners.resolve(sockets.stream().map(ListenerRecord::inode).toList());
        List<Listener> out = new ArrayList<>(sockets.size());
        for (ListenerRecord s : sockets) {
            SocketOwner o = byInode.getOrDefault(s.inode(), SocketOwner.NONE);
            out.add(new Listener(s, o.found() ? o : fromCgroup(s.cgroupId()), found.names().getOrDefault(s.netns(), "")));
        }
        return out;
    }

    private SocketOwner fromCgroup(long cgroupId) {
        String path = cgroups.path(cgroupId);
        return new SocketOwner("", 0, CgroupService.service(path), CgroupService.container(path));
    }
}
