package dev.bpfwatch.sockets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every network namespace in use: those of running processes
 * (/proc/PID/ns/net, whose link reads net:[INODE]) and those `ip netns`
 * keeps open without a process (/run/netns/NAME). Containers each have
 * their own, so a walk of the agent's namespace alone misses them.
 */
public final class NetnsFinder {
    private final Path proc;
    private final Path runNetns;

    public NetnsFinder(Path proc, Path runNetns) {
        this.proc = proc;
        this.runNetns = runNetns;
    }

    public NetnsFinder() {
        this(Path.of("/proc"), Path.of("/run/netns"));
    }

    /** netns inode -> a file that opens it with setns(2), ordered by inode. */
    public Map<Long, Path> find() {
        return findNamed().files();
    }

    /**
     * Every namespace in use and what people call them: the `ip netns` name
     * (its file under /run/netns), else a container hint (ctr:ID, 12 hex
     * digits of the container id in the cgroup of the first process found in
     * it), else nothing.
     */
    public Namespaces findNamed() {
        Map<Long, Path> found = new TreeMap<>();
        Map<Long, String> names = new TreeMap<>();
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc,
                p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
            for (Path pidDir : pids) {
                Path ns = pidDir.resolve("ns").resolve("net");
                long inode = netnsInode(ns);
                if (inode > 0 && found.putIfAbsent(inode, ns) == null) {
                    String container = CgroupService.container(CgroupService.pathFromProcCgroup(
                            readOrEmpty(pidDir.resolve("cgroup"))));
                    if (!container.isEmpty()) {
                        names.put(inode, "ctr:" + container.substring(0, 12));
                    }
                }
            }
        } catch (IOException e) {
            // no /proc: only /run/netns below
        }
        if (Files.isDirectory(runNetns)) {
            try (DirectoryStream<Path> named = Files.newDirectoryStream(runNetns)) {
                for (Path ns : named) {
                    try {
                        long inode = ((Number) Files.getAttribute(ns, "unix:ino")).longValue();
                        // A placeholder left by a failed `ip netns add` is no netns: setns refuses it
                        // and the walk skips it then.
                        found.putIfAbsent(inode, ns);
                        names.put(inode, ns.getFileName().toString()); // the name given wins over a hint
                    } catch (IOException | UnsupportedOperationException e) {
                        // deleted meanwhile
                    }
                }
            } catch (IOException e) {
                // unreadable: skip
            }
        }
        return new Namespaces(found, names);
    }

    /**
     * @param files netns inode -> a file that opens it with setns(2), ordered by inode
     * @param names netns inode -> its `ip netns` name or container hint, for those that have one
     */
    public record Namespaces(Map<Long, Path> files, Map<Long, String> names) {
    }

    private static String readOrEmpty(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** INODE of a net:[INODE] link, or -1 (kernel threads, exited processes). */
    static long netnsInode(Path nsLink) {
        try {
            String target = Files.readSymbolicLink(nsLink).toString();
            if (target.startsWith("net:[") && target.endsWith("]")) {
                return Long.parseLong(target, 5, target.length() - 1, 10);
            }
        } catch (IOException | NumberFormatException | UnsupportedOperationException e) {
            // gone or not permitted
        }
        return -1;
    }
}
