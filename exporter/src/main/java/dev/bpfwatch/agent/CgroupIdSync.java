package dev.bpfwatch.agent;

import dev.bpfwatch.cgroup.CgroupTree;
import dev.bpfwatch.config.CgroupIdMapSpec;
import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.libbpf.LibbpfException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Keeps a config's {@code cgroup_id_map} in step with the host's cgroups:
 * filled once before the config's programs attach, then rescanned every
 * {@link #PERIOD}, so cgroups that appear (a new container, a restarted
 * service) are counted within that time and removed ones leave the map.
 */
final class CgroupIdSync implements AutoCloseable {
    static final Duration PERIOD = Duration.ofSeconds(2);
    private static final Logger LOG = Logger.getLogger(CgroupIdSync.class.getName());
    private static final byte[] ONE = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(1).array();

    private final String config;
    private final CgroupIdMapSpec spec;
    private final BpfMap map;
    private final Path root;
    /** cgrp_storage: cgroups already given their value; the kernel drops storage with the cgroup. */
    private final Set<Long> stored = new HashSet<>();
    private final ScheduledExecutorService timer;
    private String lastError;

    private CgroupIdSync(String config, CgroupIdMapSpec spec, BpfMap map, Path root) {
        this.config = config;
        this.spec = spec;
        this.map = map;
        this.root = root;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cgroup-ids-" + config);
            t.setDaemon(true);
            return t;
        });
    }

    /** Fills the map now (a failure here fails the config), then keeps it current in the background. */
    static CgroupIdSync start(String config, CgroupIdMapSpec spec, BpfMap map) {
        CgroupIdSync sync = new CgroupIdSync(config, spec, map, CgroupTree.v2Root());
        sync.syncNow();
        sync.timer.scheduleWithFixedDelay(sync::syncQuietly, PERIOD.toMillis(), PERIOD.toMillis(), TimeUnit.MILLISECONDS);
        return sync;
    }

    /** One pass: the map holds exactly the matching cgroups' ids afterwards. */
    synchronized void syncNow() {
        Map<Long, Path> wanted = CgroupTree.walk(root).entrySet().stream()
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
                    map.update(ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(id).array(), ONE,
                            BpfMap.BPF_ANY);
                }
            }
        } else {
            stored.retainAll(wanted.keySet());
            wanted.forEach((id, dir) -> {
                if (!stored.contains(id)) {
                    map.updateCgroupStorage(dir, ONE);
                    stored.add(id);
                }
            });
        }
    }

    /** Background passes log a failure once, not every two seconds, and keep trying. */
    private void syncQuietly() {
        try {
            syncNow();
            lastError = null;
        } catch (LibbpfException | java.io.UncheckedIOException e) {
            if (!e.getMessage().equals(lastError)) {
                LOG.warning("config " + config + ": cgroup_id_map " + spec.map() + ": " + e.getMessage());
                lastError = e.getMessage();
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
