package dev.bpfwatch.sockets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * cgroup v2 id -> path, for sockets no process holds: the socket keeps the
 * cgroup of the process that created it. On cgroup v2 the id is the inode
 * of the cgroup's directory, so the tree is walked (again only when an id
 * is not known yet, at most once per call) to find it.
 */
public final class CgroupPaths {
    private static final int MAX_DEPTH = 16;

    private final Path root;
    private Map<Long, String> byId = Map.of();

    public CgroupPaths(Path root) {
        this.root = root;
    }

    public CgroupPaths() {
        this(Path.of("/sys/fs/cgroup"));
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
        try (Stream<Path> dirs = Files.walk(root, MAX_DEPTH)) {
            dirs.filter(Files::isDirectory).forEach(d -> {
                try {
                    long ino = ((Number) Files.getAttribute(d, "unix:ino")).longValue();
                    out.put(ino, "/" + root.relativize(d).toString());
                } catch (IOException | UnsupportedOperationException e) {
                    // removed while walking
                }
            });
        } catch (IOException | RuntimeException e) {
            // no cgroup v2 here: fallbacks carry the uid only
        }
        return out;
    }
}
