package dev.bpfwatch.ratelimit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds UDP sockets through /proc, as ss and lsof do: /proc/PID/net/udp{,6}
 * lists the sockets of PID's network namespace by inode and local port, and
 * /proc/PID/fd links each fd to "socket:[inode]". Reading the net tables
 * through the process, not /proc/self, finds sockets in other namespaces too.
 * Sockets by port over the whole host come from the kernel itself
 * ({@link UdpSocketWalker}): a namespace's table is only readable through a
 * process that lives in it.
 */
public final class UdpSockets {
    private static final Pattern SOCKET_LINK = Pattern.compile("socket:\\[(\\d+)]");
    private static final Path PROC = Path.of("/proc");

    private UdpSockets() {
    }

    /**
     * The UDP sockets of a process, optionally only those bound to
     * {@code port}. Without a port, the process must have UDP sockets on one
     * port only, so a flag never silently picks among several services.
     */
    public static List<SocketRef> ofProcess(long pid, Integer port) {
        Path proc = PROC.resolve(Long.toString(pid));
        if (!Files.isDirectory(proc)) {
            throw new TargetException("no process with pid " + pid);
        }
        Map<Long, Integer> udp = portsByInode(proc, "udp");
        Map<Long, Integer> fds = socketFds(proc);
        List<SocketRef> found = new ArrayList<>();
        for (Map.Entry<Long, Integer> e : fds.entrySet()) {
            Integer p = udp.get(e.getKey());
            if (p != null && (port == null || p.equals(port))) {
                found.add(new SocketRef(pid, e.getValue(), e.getKey(), p));
            }
        }
        if (found.isEmpty()) {
            throw noUdpSocket(pid, port, proc, fds);
        }
        TreeSet<Integer> ports = new TreeSet<>(found.stream().map(SocketRef::port).toList());
        if (port == null && ports.size() > 1) {
            throw new TargetException("pid " + pid + " has UDP sockets on ports " + ports
                    + ": pick one with --port");
        }
        return found;
    }

    /**
     * Every UDP socket bound to {@code port} in any network namespace of the
     * host (containers included), each once, with one process holding it.
     * Sockets are listed by the kernel (iter/udp in each namespace), then
     * found in the processes' fd tables by inode.
     */
    public static List<SocketRef> onPort(int port) {
        try (UdpSocketWalker walker = UdpSocketWalker.load()) {
            return onPort(port, walker.walkHost().values());
        }
    }

    static List<SocketRef> onPort(int port, Collection<UdpSocketRecord> hostSockets) {
        Set<Long> bound = new HashSet<>();
        Set<Long> namespaces = new TreeSet<>();
        for (UdpSocketRecord r : hostSockets) {
            if (r.port() == port) {
                bound.add(r.inode());
                namespaces.add(r.netns());
            }
        }
        if (bound.isEmpty()) {
            throw new TargetException("no UDP socket is bound to port " + port + " in any network namespace");
        }
        Holders found = holders(bound, port);
        Map<Long, SocketRef> byInode = found.byInode();
        TargetException denied = found.denied();
        if (byInode.isEmpty() && denied != null) {
            throw denied;
        }
        if (byInode.isEmpty()) {
            throw new TargetException("UDP port " + port + " is bound (network namespace(s) " + namespaces
                    + "), but no process visible here holds the socket");
        }
        return new ArrayList<>(byInode.values());
    }

    /** Sockets found in fd tables, and a permission error met on the way (null if none). */
    record Holders(Map<Long, SocketRef> byInode, TargetException denied) {
    }

    /** For each of these socket inodes, one process holding it and its fd there; sockets nobody visible holds are missing. */
    static Holders holders(Set<Long> inodes, int port) {
        Map<Long, SocketRef> byInode = new LinkedHashMap<>();
        TargetException denied = null;
        for (Path proc : processes()) {
            long pid = Long.parseLong(proc.getFileName().toString());
            Map<Long, Integer> fds;
            try {
                fds = socketFds(proc);
            } catch (TargetException exitedOrHidden) {
                // A process that exits while we scan holds nothing to filter;
                // one we may not read matters only if nothing else is found.
                denied = exitedOrHidden.getMessage().startsWith("permission") ? exitedOrHidden : denied;
                continue;
            }
            for (Map.Entry<Long, Integer> e : fds.entrySet()) {
                if (inodes.contains(e.getKey())) {
                    // A socket inherited over fork is one socket: one filter, attached once.
                    byInode.putIfAbsent(e.getKey(), new SocketRef(pid, e.getValue(), e.getKey(), port));
                }
            }
        }
        return new Holders(byInode, denied);
    }

    /** The fd number under which this process holds the socket with that inode. */
    static Optional<Integer> fdOf(long pid, long inode) {
        return socketFds(PROC.resolve(Long.toString(pid))).entrySet().stream()
                .filter(e -> e.getKey() == inode).map(Map.Entry::getValue).findFirst();
    }

    /** The UDP sockets of this process bound to that port (for channels this JVM owns). */
    static List<SocketRef> ofThisProcess(int port) {
        long pid = ProcessHandle.current().pid();
        Map<Long, Integer> udp = portsByInode(PROC.resolve("self"), "udp");
        List<SocketRef> found = new ArrayList<>();
        socketFds(PROC.resolve("self")).forEach((inode, fd) -> {
            if (Integer.valueOf(port).equals(udp.get(inode))) {
                found.add(new SocketRef(pid, fd, inode, port));
            }
        });
        return found;
    }

    private static TargetException noUdpSocket(long pid, Integer port, Path proc, Map<Long, Integer> fds) {
        Map<Long, Integer> tcp = portsByInode(proc, "tcp");
        boolean tcpThere = fds.keySet().stream().anyMatch(i -> tcp.containsKey(i)
                && (port == null || tcp.get(i).equals(port)));
        String where = port == null ? "" : " on port " + port;
        if (tcpThere) {
            return new TargetException("pid " + pid + " has a TCP socket" + where
                    + ", not a UDP one: udp-limit filters UDP sockets only");
        }
        return new TargetException("pid " + pid + " has no UDP socket" + where);
    }

    /** inode -> local port from PID's net/PROTO and net/PROTO6 tables. */
    static Map<Long, Integer> portsByInode(Path proc, String proto) {
        Map<Long, Integer> out = new HashMap<>();
        for (String table : List.of(proto, proto + "6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(proc.resolve("net").resolve(table));
            } catch (IOException e) {
                continue; // no IPv6 in this kernel/namespace, or the process just exited
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 10) {
                    continue;
                }
                String local = f[1];
                int port = Integer.parseInt(local.substring(local.lastIndexOf(':') + 1), 16);
                out.put(Long.parseLong(f[9]), port);
            }
        }
        return out;
    }

    /** socket inode -> fd number, for every socket fd of the process (lowest fd wins for dups). */
    static Map<Long, Integer> socketFds(Path proc) {
        Map<Long, Integer> out = new HashMap<>();
        try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    Matcher m = SOCKET_LINK.matcher(Files.readSymbolicLink(fd).toString());
                    if (m.matches()) {
                        out.merge(Long.parseLong(m.group(1)), Integer.parseInt(fd.getFileName().toString()),
                                Math::min);
                    }
                } catch (java.nio.file.AccessDeniedException e) {
                    throw noPermission(proc, e);
                } catch (IOException closedMeanwhile) {
                    // the fd went away between list and readlink
                }
            }
        } catch (java.nio.file.AccessDeniedException e) {
            throw noPermission(proc, e);
        } catch (IOException e) {
            if (!Files.isDirectory(proc)) {
                throw new TargetException("no process with pid " + proc.getFileName(), e);
            }
            throw new TargetException("cannot read " + proc.resolve("fd") + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static TargetException noPermission(Path proc, Exception e) {
        return new TargetException("permission denied reading the sockets of pid " + proc.getFileName()
                + " (" + proc.resolve("fd") + "): udp-limit needs root, or CAP_SYS_PTRACE + CAP_BPF + CAP_NET_ADMIN", e);
    }

    private static List<Path> processes() {
        try (Stream<Path> s = Files.list(PROC)) {
            return s.filter(p -> p.getFileName().toString().matches("\\d+")).toList();
        } catch (IOException e) {
            throw new TargetException("cannot list /proc: " + e.getMessage(), e);
        }
    }
}
