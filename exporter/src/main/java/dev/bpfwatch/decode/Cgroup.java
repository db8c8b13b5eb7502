package dev.bpfwatch.decode;

import dev.bpfwatch.cgroup.CgroupTree;
import dev.bpfwatch.cgroup.CgroupWatcher;
import dev.bpfwatch.libbpf.LibbpfException;
import java.lang.ref.Cleaner;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Logger;

/**
 * {@code cgroup}: a cgroup v2 id, as the text {@code uint} wrote, to the
 * cgroup's directory ("/sys/fs/cgroup/system.slice/foo.service"). On cgroup
 * v2 the id bpf_get_current_cgroup_id() returns is the inode number of that
 * directory. Paths are printed as ebpf_exporter prints them: the root joined
 * with the path below it.
 *
 * <p>The tree is watched with inotify ({@link CgroupWatcher}), as
 * ebpf_exporter watches it with fanotify, so a cgroup created just before
 * its first event resolves at once. Where it cannot be watched, an unknown
 * id walks the tree again (at most once per {@link Throttle} interval).
 * Ids that name no directory become "unknown_cgroup_id:&lt;id&gt;", as in
 * ebpf_exporter: a provisional label, never cached, so a later look can
 * still name it.
 */
public final class Cgroup implements Decoder {
    private static final Logger LOG = Logger.getLogger(Cgroup.class.getName());
    private static final Cleaner CLEANER = Cleaner.create();

    private final Path root;
    private final Throttle rewalk;
    private volatile Map<Long, String> walked = Map.of();
    private CgroupWatcher watcher;
    private boolean watchTried;

    public Cgroup(DecoderContext context) {
        this(context.cgroupRoot(), Throttle.perSecond());
    }

    Cgroup(Path root, Throttle rewalk) {
        this.root = root;
        this.rewalk = rewalk;
    }

    @Override
    public byte[] decode(byte[] in, DecoderConfig config) throws DecoderException {
        return decodeLabel(in, config).value();
    }

    @Override
    public Decoded decodeLabel(byte[] in, DecoderConfig config) throws DecoderException {
        long id = Bytes.decimal(in);
        String path = lookup(id);
        return path != null ? Decoded.of(Bytes.utf8(path))
                : Decoded.fallback("unknown_cgroup_id:" + Long.toUnsignedString(id));
    }

    @Override
    public void validate(DecoderConfig config, int inputSize) {
        Inputs.requireNumberText(inputSize);
        watcher(); // watch from config load on, so cgroups made before the first scrape are seen
    }

    private String lookup(long id) {
        CgroupWatcher w = watcher();
        if (w != null && w.complete()) {
            return w.resolve(id).map(Path::toString).orElse(null);
        }
        String path = walked.get(id);
        if (path == null && rewalk.tryAcquire()) {
            walked = walk();
            path = walked.get(id);
        }
        return path;
    }

    /** The watcher, started on first use; null where inotify is not to be had. */
    private synchronized CgroupWatcher watcher() {
        if (!watchTried) {
            watchTried = true;
            try {
                CgroupWatcher w = CgroupWatcher.start(root);
                CLEANER.register(this, w::close);
                watcher = w;
            } catch (LibbpfException e) {
                LOG.warning("cannot watch cgroups under " + root + " (" + e.getMessage() + "): unknown ids walk the "
                        + "tree again, at most once a second");
            }
        }
        return watcher;
    }

    private Map<Long, String> walk() {
        Map<Long, String> found = new HashMap<>();
        CgroupTree.walk(root).forEach((id, dir) -> found.put(id, dir.toString()));
        return found.isEmpty() ? walked : Map.copyOf(found);
    }
}
