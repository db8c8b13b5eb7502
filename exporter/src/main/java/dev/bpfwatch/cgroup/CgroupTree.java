package dev.bpfwatch.cgroup;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;

/**
 * The cgroup v2 hierarchy, where BPF cgroup ids live: on cgroup v2 the id
 * bpf_get_current_cgroup_id() returns is the inode number of the cgroup's
 * directory, so walking the tree maps ids to directories.
 */
public final class CgroupTree {
    public static final Path ROOT = Path.of("/sys/fs/cgroup");
    /** Where systemd mounts cgroup v2 on hosts that still run v1 controllers ("hybrid"). */
    public static final Path HYBRID_ROOT = Path.of("/sys/fs/cgroup/unified");

    private CgroupTree() {
    }

    /**
     * The cgroup v2 mount. On a hybrid host /sys/fs/cgroup is a tmpfs of v1
     * hierarchies, whose inode numbers would collide with v2 ids, so the v2
     * tree below it is the one to walk.
     */
    public static Path v2Root() {
        if (!isCgroup2(ROOT) && isCgroup2(HYBRID_ROOT)) {
            return HYBRID_ROOT;
        }
        return ROOT;
    }

    /** Only a cgroup v2 root has cgroup.controllers. */
    private static boolean isCgroup2(Path dir) {
        return Files.exists(dir.resolve("cgroup.controllers"));
    }

    /**
     * Every cgroup below {@code root}, by id. Cgroups that vanish while the
     * walk runs are skipped; an unreadable root gives an empty map.
     */
    public static Map<Long, Path> walk(Path root) {
        Map<Long, Path> found = new HashMap<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    try {
                        found.put(((Number) Files.getAttribute(dir, "unix:ino")).longValue(), dir);
                    } catch (IOException | UnsupportedOperationException e) {
                        // removed mid-walk: skip it
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // removed mid-walk, or unreadable: the rest still counts
                }
            });
        } catch (IOException e) {
            return Map.of();
        }
        return found;
    }
}
