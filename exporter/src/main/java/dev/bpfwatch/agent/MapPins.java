package dev.bpfwatch.agent;

import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.libbpf.BpfObject;
import dev.bpfwatch.libbpf.Bpffs;
import dev.bpfwatch.libbpf.LibbpfException;
import dev.bpfwatch.libbpf.MapSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Keeps a config's maps in bpffs (PIN_ROOT/CONFIG/MAP) so counters survive an
 * agent restart: before load, a pinned map with the same layout is reused;
 * one whose layout changed (a new program) is replaced, and the log says so.
 * Pins change only in {@link #pinNew}, called once the new object (and, on a
 * reload, every other config) has loaded: a load that fails leaves the
 * running config's pins where they are.
 * Global-data maps (.rodata, .bss) are never pinned: they belong to one load.
 * Nor are maps that hold no entries (perf event arrays, ring buffers): their
 * events are counted in the agent, and nothing in them outlives it.
 */
final class MapPins {
    private static final Logger LOG = Logger.getLogger(MapPins.class.getName());

    private final Path dir;
    private final List<String> toPin = new ArrayList<>();
    /** Pins of another layout: removed for the new map's pin at {@link #pinNew}, not before. */
    private final List<String> toReplace = new ArrayList<>();
    private final String config;

    private MapPins(Path dir, String config) {
        this.dir = dir;
        this.config = config;
    }

    /**
     * Call before load: points the object at the maps an earlier run pinned.
     * Each pinned map is open only while libbpf takes its own duplicate, so
     * a step that fails half-way leaves no fd of ours behind.
     */
    static MapPins reuse(Path pinRoot, String config, BpfObject object) {
        Bpffs.ensureMounted(Bpffs.DEFAULT);
        MapPins pins = new MapPins(pinRoot.resolve(dev.bpfwatch.config.PinName.encode(config)), config);
        for (MapSpec spec : object.mapSpecs()) {
            if (spec.name().contains(".") || !spec.type().iterable()) {
                continue;
            }
            Path pin = pins.dir.resolve(spec.name());
            if (Files.exists(pin)) {
                try (BpfMap old = BpfMap.openPinned(pin.toString())) {
                    if (sameLayout(old, spec)) {
                        object.reuseMap(spec.name(), old); // libbpf keeps its own duplicate of the fd
                        continue;
                    }
                    pins.toReplace.add(spec.name() + " (" + describe(old) + " -> " + describe(spec) + ")");
                }
            }
            pins.toPin.add(spec.name());
        }
        return pins;
    }

    /**
     * Call after load, once nothing else of the start or reload can fail:
     * pins the maps that were new this run, replacing pins of another layout.
     */
    void pinNew(BpfObject object) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("create " + dir + ": " + e.getMessage(), e);
        }
        toReplace.forEach(change -> LOG.warning("config " + config + ": map " + change
                + " changed layout; replacing its pin, its counts start from zero"));
        for (String name : toPin) {
            BpfMap map = object.map(name).orElseThrow();
            Path pin = dir.resolve(name);
            delete(pin); // a pin of another layout (none otherwise)
            try {
                map.pin(pin.toString());
            } catch (LibbpfException e) {
                throw new LibbpfException("pin map " + name + " under " + dir, e.errno(), null);
            }
        }
        toPin.clear();
        toReplace.clear();
    }

    private static boolean sameLayout(BpfMap pinned, MapSpec spec) {
        return pinned.type() == spec.type() && pinned.keySize() == spec.keySize()
                && pinned.valueSize() == spec.valueSize() && pinned.maxEntries() == spec.maxEntries();
    }

    private static String describe(BpfMap m) {
        return m.type() + " " + m.keySize() + "/" + m.valueSize() + " x" + m.maxEntries();
    }

    private static String describe(MapSpec m) {
        return m.type() + " " + m.keySize() + "/" + m.valueSize() + " x" + m.maxEntries();
    }

    private static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("remove " + p + ": " + e.getMessage(), e);
        }
    }
}
