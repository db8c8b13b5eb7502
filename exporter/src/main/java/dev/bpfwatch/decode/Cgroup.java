package dev.bpfwatch.decode;

import dev.bpfwatch.cgroup.CgroupTree;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code cgroup}: a cgroup v2 id, as the text {@code uint} wrote, to the
 * cgroup's directory ("/sys/fs/cgroup/system.slice/foo.service"). On cgroup
 * v2 the id bpf_get_current_cgroup_id() returns is the inode number of that
 * directory, so a walk of the tree maps ids to paths. Paths are printed as
 * ebpf_exporter prints them: the root joined with the path below it.
 *
 * <p>The map is cached; an unknown id re-walks the tree (at most once a
 * second, since a big host has thousands of cgroups and short-lived ones
 * would otherwise walk it per key per scrape). Ids that name no directory
 * become "unknown_cgroup_id:&lt;id&gt;", as in ebpf_exporter.
 */
public final class Cgroup implements Decoder {
    private final Path root;
    private final Throttle rewalk;
    private volatile Map<Long, String> paths = Map.of();

    public Cgroup(DecoderContext context) {
        this(context.cgroupRoot(), Throttle.perSecond());
    }

    Cgroup(Path root, Throttle rewalk) {
        this.root = root;
        this.rewalk = rewalk;
    }

    @Override
    public byte[] decode(byte[] in, DecoderConfig config) throws DecoderException {
        long id = Bytes.decimal(in);
        String path = paths.get(id);
        if (path == null && rewalk.tryAcquire()) {
            paths = walk();
            path = paths.get(id);
        }
        return Bytes.utf8(path != null ? path : "unknown_cgroup_id:" + Long.toUnsignedString(id));
    }

    @Override
    public void validate(DecoderConfig config, int inputSize) {
        Inputs.requireNumberText(inputSize);
    }

    private Map<Long, String> walk() {
        Map<Long, String> found = new HashMap<>();
        CgroupTree.walk(root).forEach((id, dir) -> found.put(id, dir.toString()));
        return found.isEmpty() ? paths : Map.copyOf(found);
    }
}
