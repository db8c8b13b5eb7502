package dev.bpfwatch.cgroup;

import dev.bpfwatch.libbpf.Inotify;
import dev.bpfwatch.libbpf.LibbpfException;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The cgroup v2 tree by id, kept current by inotify rather than by walking
 * it again: one watch per cgroup directory reports the cgroups created,
 * removed and renamed below it. The kernel queues those events as part of
 * the mkdir itself, so a lookup that misses first reads what is queued: a
 * cgroup created just before its first BPF event resolves at once.
 *
 * <p>A watcher made by {@link #following} also keeps the changes it read,
 * for a caller that mirrors the tree into a BPF map: {@link #awaitChanges}
 * sleeps until the kernel queues an event and hands over what changed.
 *
 * <p>Without inotify, or past the watch limit (fs.inotify.max_user_watches,
 * one watch per cgroup), {@link #complete()} turns false and callers go back
 * to walking the tree.
 */
public final class CgroupWatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CgroupWatcher.class.getName());
    private static final int MASK = Inotify.IN_CREATE | Inotify.IN_DELETE | Inotify.IN_MOVED_FROM
            | Inotify.IN_MOVED_TO | Inotify.IN_ONLYDIR;
    private static final int ENOENT = 2;
    private static final int ENOTDIR = 20;

    private final Path root;
    private final Inotify inotify;
    private final Map<Integer, Path> watched = new HashMap<>();
    private final Map<Long, Path> byId = new HashMap<>();
    private final Map<Path, Long> idOf = new HashMap<>();
    private boolean complete = true;
    /** Changes not yet handed over; null when nobody follows them. */
    private List<Change> pending;

    /**
     * What changed in the tree: a cgroup appeared or went away (a rename is
     * both), or events were lost (the queue overflowed) and the whole tree was
     * read again, so a follower must compare against {@link #snapshot()}.
     */
    public record Change(Kind kind, long id, Path dir) {
        public enum Kind { CREATED, REMOVED, RESCANNED }
    }

    private CgroupWatcher(Path root, Inotify inotify) {
        this.root = root;
        this.inotify = inotify;
    }

    /**
     * Watches {@code root} and every cgroup below it.
     *
     * @throws LibbpfException when no inotify instance can be had
     */
    public static CgroupWatcher start(Path root) {
        CgroupWatcher w = new CgroupWatcher(root, Inotify.open());
        synchronized (w) {
            w.addTree(root);
        }
        return w;
    }

    /** Like {@link #start}, and keeps every change read for {@link #awaitChanges}. */
    public static CgroupWatcher following(Path root) {
        CgroupWatcher w = new CgroupWatcher(root, Inotify.open());
        synchronized (w) {
            w.addTree(root);
            w.pending = new ArrayList<>();
        }
        return w;
    }

    /**
     * Waits up to {@code timeoutMs} for the kernel to queue an event, then
     * reads what is queued and returns every change not handed over yet
     * (those read by {@link #resolve} or {@link #snapshot} meanwhile too).
     */
    public List<Change> awaitChanges(int timeoutMs) {
        inotify.await(timeoutMs); // outside the lock: lookups go on while this sleeps
        synchronized (this) {
            catchUp();
            if (pending == null || pending.isEmpty()) {
                return List.of();
            }
            List<Change> out = pending;
            pending = new ArrayList<>();
            return out;
        }
    }

    private void record(Change.Kind kind, long id, Path dir) {
        if (pending != null) {
            pending.add(new Change(kind, id, dir));
        }
    }

    /**
     * The cgroup's directory, if it exists. Queued events are read first (one
     * non-blocking read when there are none): callers ask only for keys their
     * label cache lacks, and an id must not name a directory removed since.
     */
    public synchronized Optional<Path> resolve(long id) {
        catchUp();
        return Optional.ofNullable(byId.get(id));
    }

    /** False once some cgroup could not be watched: lookups then miss what was created below it. */
    public synchronized boolean complete() {
        return complete;
    }

    /** Cgroups known now, by id (a copy). */
    public synchronized Map<Long, Path> snapshot() {
        catchUp();
        return Map.copyOf(byId);
    }

    private void catchUp() {
        for (Inotify.Event e : inotify.drain()) {
            if (e.is(Inotify.IN_Q_OVERFLOW)) {
                // Events were lost: read the whole tree again (watches already there are reused).
                byId.clear();
                idOf.clear();
                List<Change> following = pending;
                pending = null; // one RESCANNED says it all, not one CREATED per cgroup
                addTree(root);
                pending = following;
                if (pending != null) {
                    pending.clear();
                    record(Change.Kind.RESCANNED, 0, root);
                }
                continue;
            }
            Path dir = watched.get(e.watch());
            if (e.is(Inotify.IN_IGNORED)) {
                watched.remove(e.watch());
            }
            if (dir == null || !e.is(Inotify.IN_ISDIR) || e.name().isEmpty()) {
                continue;
            }
            Path child = dir.resolve(e.name());
            if (e.is(Inotify.IN_CREATE) || e.is(Inotify.IN_MOVED_TO)) {
                addTree(child);
            } else if (e.is(Inotify.IN_DELETE)) {
                Long id = idOf.remove(child); // rmdir takes empty cgroups only: nothing below it
                if (id != null) {
                    byId.remove(id, child);
                    record(Change.Kind.REMOVED, id, child);
                }
            } else if (e.is(Inotify.IN_MOVED_FROM)) {
                removeTree(child);
            }
        }
    }

    /**
     * Watches {@code top} and everything below it, recording ids. Watch first,
     * list after: a child made in between is both listed and queued, and
     * adding it twice does no harm.
     */
    private void addTree(Path top) {
        try {
            Files.walkFileTree(top, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    try {
                        watched.put(inotify.watch(dir, MASK), dir);
                    } catch (LibbpfException e) {
                        if (e.errno() == ENOENT || e.errno() == ENOTDIR) {
                            return FileVisitResult.SKIP_SUBTREE; // removed meanwhile
                        }
                        if (complete) {
                            LOG.warning("cannot watch cgroup " + dir + " (" + e.getMessage() + "): cgroups are "
                                    + "found by walking " + root + " instead");
                        }
                        complete = false;
                    }
                    try {
                        long id = ((Number) Files.getAttribute(dir, "unix:ino")).longValue();
                        Long old = idOf.put(dir, id);
                        if (old != null && old != id) {
                            byId.remove(old); // a cgroup of the same name, made again
                            record(Change.Kind.REMOVED, old, dir);
                        }
                        if (old == null || old != id) {
                            record(Change.Kind.CREATED, id, dir);
                        }
                        byId.put(id, dir);
                    } catch (IOException | UnsupportedOperationException e) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // the top went away: its delete event follows
        }
    }

    /** Forgets {@code top} and, for a rename, everything that was below it. */
    private void removeTree(Path top) {
        Iterator<Map.Entry<Path, Long>> it = idOf.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Path, Long> e = it.next();
            if (e.getKey().startsWith(top)) {
                byId.remove(e.getValue(), e.getKey());
                record(Change.Kind.REMOVED, e.getValue(), e.getKey());
                it.remove();
            }
        }
    }

    @Override
    public void close() {
        inotify.close();
    }
}
