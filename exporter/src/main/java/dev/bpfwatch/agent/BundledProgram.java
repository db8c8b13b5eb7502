package dev.bpfwatch.agent;

import dev.bpfwatch.libbpf.BpfLink;
import dev.bpfwatch.libbpf.BpfObject;
import dev.bpfwatch.libbpf.BpfProgram;
import dev.bpfwatch.libbpf.Bpffs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A program object shipped in the jar (bpfwatch/configs/NAME.bpf.o), loaded
 * and attached as a whole. A failure half-way closes what was made, so
 * nothing of it stays in the kernel.
 */
public final class BundledProgram implements AutoCloseable {
    /** Marks a bundled program's pin directory apart from configs' (whose names cannot hold it). */
    static final String PIN_PREFIX = "%";

    private final BpfObject object;
    private final List<BpfLink> links;

    private BundledProgram(BpfObject object, List<BpfLink> links) {
        this.object = object;
        this.links = links;
    }

    public static BundledProgram loadAndAttach(String name) {
        return loadAndAttach(name, null);
    }

    /**
     * @param pinRoot where its maps are kept between runs, as config maps
     *                are, under PIN_ROOT/%NAME (config names cannot hold a
     *                '%', so the two never meet); null: not pinned, counts
     *                start from zero each run
     */
    public static BundledProgram loadAndAttach(String name, Path pinRoot) {
        BpfObject object = BpfObject.openResource("/bpfwatch/configs/" + name + ".bpf.o");
        try {
            MapPins pins = pinRoot == null ? null : MapPins.reuse(pinRoot, PIN_PREFIX + name, object);
            object.load();
            if (pins != null) {
                pins.pinNew(object);
            }
            List<BpfLink> links = new ArrayList<>();
            for (BpfProgram p : object.programs()) {
                if (p.isIterator() || "socket".equals(p.section())) {
                    continue; // run at scrape time / attached per socket, not here
                }
                if (p.section().startsWith("tracepoint/")) {
                    Bpffs.ensureTracefsMounted();
                }
                links.add(p.attach());
            }
            return new BundledProgram(object, links);
        } catch (RuntimeException e) {
            object.close();
            throw e;
        }
    }

    public BpfObject object() {
        return object;
    }

    public List<BpfLink> links() {
        return List.copyOf(links);
    }

    @Override
    public void close() {
        object.close();
    }
}
