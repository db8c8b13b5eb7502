package dev.bpfwatch.agent;

import dev.bpfwatch.cgroup.CgroupTree;
import dev.bpfwatch.cgroup.CgroupWatcher;
import dev.bpfwatch.config.CgroupIdMapSpec;
import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.libbpf.LibbpfException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Keeps a config's {@code cgroup_id_map} in step with the host's cgroups:
 * filled once before the config's programs attach, then followed as the
 * kernel reports changes (inotify, {@link CgroupWatcher}): a cgroup made
 * below a watched one is in the map a moment after its mkdir, before a
 * process started in it has done much, and a removed one leaves the map.
 * The whole tree is compared again only when events were lost (the inotify
 * queue overflowed). Where the tree cannot be watched (no inotify, or past
 * fs.inotify.max_user_watches), it is walked every {@link #PERIOD} instead.
 */
final class CgroupIdSync implements AutoCloseable {
    static final Duration PERIOD = Duration.ofSeconds(2);
    /** How long the follower sleeps between looks at {@link #closed} when nothing changes. */
    private static final int WAIT_MS = 250;
    private static final Logger LOG = Logger.getLogger(CgroupIdSync.class.getName());
    private static final byte[] ONE = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(1).array();

    private final String config;
    private final CgroupIdMapSpec spec;
    private final BpfMap map;
    private final Path root;
    /** Null where the tree cannot be watched: then it is walked every PERIOD. */
    private final CgroupWatcher watcher;
    /** cgrp_storage: cgroups already given their value; the kernel drops storage with the cgroup. */
    private final Set<Long> stored = new HashSet<>();
    private final Thread thread;
    private volatile boolean closed;
    private String lastError;

    private CgroupIdSync(String config, CgroupIdMapSpec spec, BpfMap map, Path root, CgroupWatcher watcher) {
        this.config = config;
        this.spec = spec;
        this.map = map;
        this.root = root;
        this.watcher = watcher;
        this.thread = new Thread(this::follow, "cgroup-ids-" + config);
        this.thread.setDaemon(true);
    }

    /** Fills the map now (a failure here fails the config), then keeps it current in the background. */
    static CgroupIdSync start(String config, CgroupIdMapSpec spec, BpfMap map) {
        Path root = CgroupTree.v2Root();
        CgroupWatcher watcher = null;
        try {
            watcher = CgroupWatcher.following(root);
        } catch (LibbpfException e) {
            LOG.warning("config " + config + ": cgroup_id_map " + spec.map() + ": cannot watch " + root + " ("
                    + e.getMessage() + "): new cgroups are found by walking the tree every " + PERIOD.toSeconds()
                    + " s");
        }
        CgroupIdSync sync = new CgroupIdSync(config, spec, map, root, watcher);
        try {
            sync.syncNow();
        } catch (RuntimeException e) {
            sync.closeWatcher();
            throw e;
        }
        sync.thread.start();
        return sync;
    }

    private boolean watching() {
        return watcher != null && watcher.complete();
    }

    /** One full pass: the map holds exactly the matching cgroups' ids afterwards. */
    synchronized void syncNow() {
        Map<Long, Path> tree = watching() ? watcher.snapshot() : CgroupTree.walk(root);
        Map<Long, Path> wanted = tree.entrySet().stream()
                .filter(e -> spec.matches(e.getValue().toString()))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        if (spec.type() == CgroupIdMapSpec.Type.HASH) {
            Set<Long> present = new HashSet<>();
            for (BpfMap.Entry e : map.entries()) {
                long id = ByteBuffer.wrap(e.key()).order(ByteOrder.nativeOrder()).getLong();
                if (wanted.containsKey(id)) {
                    present.add(id);
                } else {
                    map.delete(e.key());
                }
            }
            for (long id : wanted.keySet()) {
                if (!present.contains(id)) {
                    map.update(key(id), ONE, BpfMap.BPF_ANY);
                }
            }
        } else {
            stored.retainAll(wanted.keySet());
            wanted.forEach(this::store);
        }
    }

    /** One change the watcher reported: only the cgroup it names is touched. */
    private synchronized void apply(CgroupWatcher.Change change) {
        switch (change.kind()) {
            case RESCANNED -> syncNow();
            case CREATED -> {
                if (spec.matches(change.dir().toString())) {
                    if (spec.type() == CgroupIdMapSpec.Type.HASH) {
                        map.update(key(change.id()), ONE, BpfMap.BPF_ANY);
                    } else {
                        store(change.id(), change.dir());
                    }
                }
            }
            case REMOVED -> {
                if (spec.type() == CgroupIdMapSpec.Type.HASH) {
                    map.delete(key(change.id())); // false when it never matched
                } else {
                    stored.remove(change.id());
                }
            }
        }
    }

    private void store(long id, Path dir) {
        if (stored.contains(id)) {
            return;
        }
        try {
            map.updateCgroupStorage(dir, ONE);
            stored.add(id);
        } catch (LibbpfException e) {
            // removed before its storage was set: its REMOVED change follows
            if (dir.toFile().isDirectory()) {
                throw e;
            }
        }
    }

    private static byte[] key(long id) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(id).array();
    }

    /** The background thread: follows the watcher's changes, or walks every PERIOD without one. */
    private void follow() {
        long nextWalk = 0;
        while (!closed) {
            try {
                if (watching()) {
                    List<CgroupWatcher.Change> changes = watcher.awaitChanges(WAIT_MS);
                    if (!watching()) {
                        continue; // a watch failed while reading: from now on the tree is walked
                    }
                    for (CgroupWatcher.Change c : changes) {
                        apply(c);
                    }
                } else {
                    if (System.nanoTime() - nextWalk >= 0) {
                        syncNow();
                        nextWalk = System.nanoTime() + PERIOD.toNanos();
                    }
                    Thread.sleep(Math.min(WAIT_MS, PERIOD.toMillis()));
                }
                lastError = null;
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // Logged once per distinct error, not on every pass; the thread keeps going,
                // and a full pass puts right whatever the failed change left undone.
                if (!String.valueOf(e.getMessage()).equals(lastError)) {
                    LOG.warning("config " + config + ": cgroup_id_map " + spec.map() + ": " + e.getMessage());
                    lastError = String.valueOf(e.getMessage());
                }
                sleepQuietly();
                try {
                    syncNow();
                } catch (RuntimeException again) {
                    // logged above; tried again after the next change or pause
                }
            }
        }
    }

    private void sleepQuietly() {
        try {
            Thread.sleep(PERIOD.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    private void closeWatcher() {
        if (watcher != null) {
            watcher.close();
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeWatcher();
    }
}
