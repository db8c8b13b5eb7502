package dev.bpfwatch.sockets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Socket inode -> the application holding it, found as `ss -p` finds it:
 * the /proc/PID/fd links that read socket:[INODE]. Walking every fd of
 * every process is the expensive part of a scrape, so owners are cached by
 * inode and /proc is walked again only when a listener is new (at most once
 * per call). The cache holds only the inodes asked for last time, so it is
 * bounded by the number of listeners.
 */
public final class SocketOwners {
    private static final long MISS_TTL_NANOS = 30_000_000_000L;

    private final Path proc;
    private final Map<Long, SocketOwner> owners = new HashMap<>();
    /** inode -> when a walk last failed to find it: not walked for again until the TTL passes. */
    private final Map<Long, Long> misses = new HashMap<>();
    private int walks;

    public SocketOwners(Path proc) {
        this.proc = proc;
    }

    public SocketOwners() {
        this(Path.of("/proc"));
    }

    /** Owners of the given socket inodes; inodes no process holds map to {@link SocketOwner#NONE}. */
    public synchronized Map<Long, SocketOwner> resolve(Collection<Long> inodes) {
        Set<Long> wanted = new HashSet<>(inodes);
        owners.keySet().retainAll(wanted);
        misses.keySet().retainAll(wanted);
        long now = System.nanoTime();
        Set<Long> unknown = new HashSet<>();
        Map<Integer, Boolean> alive = new HashMap<>(); // one stat per process, not per socket
        for (long inode : wanted) {
            SocketOwner cached = owners.get(inode);
            if (cached != null && alive.computeIfAbsent(cached.pid(),
                    pid -> Files.isDirectory(proc.resolve(Integer.toString(pid))))) {
                continue;
            }
            owners.remove(inode); // its process went away: the socket may have passed to another
            Long missedAt = misses.get(inode);
            if (missedAt == null || now - missedAt > MISS_TTL_NANOS) {
                unknown.add(inode);
            }
        }
        if (!unknown.isEmpty()) {
            walkProc(unknown);
            for (long inode : unknown) {
                if (owners.containsKey(inode)) {
                    misses.remove(inode);
                } else {
                    misses.put(inode, now);
                }
            }
        }
        Map<Long, SocketOwner> out = new HashMap<>();
        for (long inode : wanted) {
            out.put(inode, owners.getOrDefault(inode, SocketOwner.NONE));
        }
        return out;
    }

    /** How many times /proc was walked: tests check the cache with it. */
    public synchronized int walks() {
        return walks;
    }

    private void walkProc(Set<Long> unknown) {
        walks++;
        Map<Long, Integer> mainPid = new HashMap<>();
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, SocketOwners::isPidDir)) {
            for (Path pidDir : pids) {
                int pid = Integer.parseInt(pidDir.getFileName().toString());
                for (long inode : socketInodes(pidDir.resolve("fd"))) {
                    if (unknown.contains(inode)) {
                        mainPid.merge(inode, pid, SocketOwners::mainOf);
                    }
                }
            }
        } catch (IOException e) {
            return; // no /proc: every listener falls back to its cgroup and uid
        }
        Map<Integer, SocketOwner> byPid = new HashMap<>();
        mainPid.forEach((inode, pid) -> {
            SocketOwner o = byPid.computeIfAbsent(pid, this::describe);
            if (o != null) {
                owners.put(inode, o);
            }
        });
    }

    /**
     * The lowest pid holding the socket, which is a pre-forking server's
     * parent; but not pid 1 when another process holds it too, since with
     * socket activation systemd keeps a copy of every socket it hands out.
     */
    static int mainOf(int a, int b) {
        if (a == 1 || b == 1) {
            return a == 1 ? b : a;
        }
        return Math.min(a, b);
    }

    private SocketOwner describe(int pid) {
        Path dir = proc.resolve(Integer.toString(pid));
        try {
            String comm = Files.readString(dir.resolve("comm"), StandardCharsets.UTF_8).strip();
            String cgroup = CgroupService.pathFromProcCgroup(readOrEmpty(dir.resolve("cgroup")));
            return new SocketOwner(comm, pid, CgroupService.service(cgroup), CgroupService.container(cgroup));
        } catch (IOException e) {
            return null; // exited since its fds were read
        }
    }

    private static String readOrEmpty(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static Set<Long> socketInodes(Path fdDir) {
        Set<Long> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
            for (Path fd : fds) {
                long inode = socketInode(fd);
                if (inode >= 0) {
                    inodes.add(inode);
                }
            }
        } catch (IOException | SecurityException e) {
            // the process exited, or is a kernel thread without fds
        }
        return inodes;
    }

    /** The INODE of a socket:[INODE] link, or -1. */
    static long socketInode(Path fd) {
        try {
            String target = Files.readSymbolicLink(fd).toString();
            if (target.startsWith("socket:[") && target.endsWith("]")) {
                return Long.parseLong(target, 8, target.length() - 1, 10);
            }
        } catch (IOException | NumberFormatException | UnsupportedOperationException e) {
            // closed meanwhile, or not a link
        }
        return -1;
    }

    private static boolean isPidDir(Path p) {
        String name = p.getFileName().toString();
        return !name.isEmpty() && name.chars().allMatch(Character::isDigit);
    }
}
