package dev.bpfwatch.sockets;

import dev.bpfwatch.cgroup.CgroupTree;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * cgroup v2 id -> path, for sockets no process holds: the socket keeps the
 * cgroup of the process that created it. On cgroup v2 the id is the inode
 * of the cgroup's directory, so the tree is walked (again only when an id
 * is not known yet, at most once per call) to find it.
 */
public final class CgroupPaths {

    private final Path root;
    private Map<Long, String> byId = Map.of();

    public CgroupPaths(Path root) {
        this.root = root;
    }

    public CgroupPaths() {
        this(CgroupTree.v2Root());
    }

    /** The cgroup's path from the cgroup v2 root ("/system.slice/x.service"), or "" when not found. */
    public synchronized String path(long id) {
        String p = byId.get(id);
        if (p == null) {
            byId = walk();
            p = byId.getOrDefault(id, "");
        }
        return p;
    }

    private Map<Long, String> walk() {
        Map<Long, String> out = new HashMap<>();
        CgroupTree.walk(root).forEach((id, dir) -> out.put(id, "/" + root.relativize(dir)));
        return out;
    }
}
