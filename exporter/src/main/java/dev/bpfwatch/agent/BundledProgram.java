package dev.bpfwatch.agent;

import dev.bpfwatch.libbpf.BpfLink;
import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.libbpf.BpfObject;
import dev.bpfwatch.libbpf.BpfProgram;
import dev.bpfwatch.libbpf.Bpffs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
    /** Names of the programs with a link (attached at load, or iterators attached later). */
    private final Set<String> attached = ConcurrentHashMap.newKeySet();

    private BundledProgram(BpfObject object, List<BpfLink> links, Set<String> attached) {
        this.object = object;
        this.links = links;
        this.attached.addAll(attached);
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
            Set<String> attached = new HashSet<>();
            for (BpfProgram p : object.programs()) {
                if (p.isIterator() || "socket".equals(p.section())) {
                    continue; // run at scrape time / attached per socket, not here
                }
                if (p.section().startsWith("tracepoint/")) {
                    Bpffs.ensureTracefsMounted();
                }
                links.add(p.attach());
                attached.add(p.name());
            }
            return new BundledProgram(object, links, attached);
        } catch (RuntimeException e) {
            object.close();
            throw e;
        }
    }

    public BpfObject object() {
        return object;
    }

    /** Attaches the iterator program {@code name}, so that it counts as attached in self-metrics. */
    public BpfLink attachIterator(String name) {
        BpfLink link = object.program(name).orElseThrow(
                () -> new IllegalStateException("bundled object has no program " + name)).attachIterator();
        attached.add(name);
        return link;
    }

    /** Each loaded program with what the kernel says of it now. */
    public List<ModuleProgram> programs() {
        List<ModuleProgram> out = new ArrayList<>();
        for (BpfProgram p : object.programs()) {
            if (p.autoload()) {
                out.add(new ModuleProgram(p.name(), p.section(), attached.contains(p.name()), p.info()));
            }
        }
        return out;
    }

    /**
     * Each map (not .rodata/.bss), with its entry count for hash types. The
     * count walks the map: these maps are the small ones the module reads on
     * every scrape anyway.
     */
    public List<ModuleMap> maps() {
        List<ModuleMap> out = new ArrayList<>();
        for (BpfMap m : object.maps()) {
            if (m.name().contains(".")) {
                continue;
            }
            out.add(new ModuleMap(m.name(), m.maxEntries(),
                    !m.type().iterable() || m.type().array() ? OptionalLong.empty() : OptionalLong.of(m.entries().size())));
        }
        return out;
    }

    public List<BpfLink> links() {
        return List.copyOf(links);
    }

    @Override
    public void close() {
        object.close();
    }
}
