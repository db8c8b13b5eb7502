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
 * Global-data maps (.rodata, .bss) are never pinned: they belong to one load.
 * Nor are maps that hold no entries (perf event arrays, ring buffers): their
 * events are counted in the agent, and nothing in them outlives it.
 */
final class MapPins {
    private static final Logger LOG = Logger.getLogger(MapPins.class.getName());

    private final Path dir;
    private final List<BpfMap> reused = new ArrayList<>();
    private final List<String> toPin = new ArrayList<>();

    private MapPins(Path dir) {
        this.dir = dir;
    }

    /** Call before load: points the object at the maps an earlier run pinned. */
    static MapPins reuse(Path pinRoot, String config, BpfObject object) {
        Bpffs.ensureMounted(Bpffs.DEFAULT);
        MapPins pins = new MapPins(pinRoot.resolve(dev.bpfwatch.config.PinName.encode(config)));
        for (MapSpec spec : object.mapSpecs()) {
            if (spec.name().contains(".") || !spec.type().iterable()) {
                continue;
            }
            Path pin = pins.dir.resolve(spec.name());
            if (Files.exists(pin)) {
                BpfMap old = BpfMap.openPinned(pin.toString());
                if (sameLayout(old, spec)) {
                    object.reuseMap(spec.name(), old);
                    pins.reused.add(old);
                    continue;
                }
                LOG.warning("config " + config + ": map " + spec.name() + " changed layout (" + describe(old)
                        + " -> " + describe(spec) + "); replacing its pin, its counts start from zero");
                old.close();
                delete(pin);
            }
            pins.toPin.add(spec.name());
        }
        return pins;
    }

    /** Call after load: pins the maps that were new this run. */
    void pinNew(BpfObject object) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("create " + dir + ": " + e.getMessage(), e);
        }
        for (String name : toPin) {
            BpfMap map = object.map(name).orElseThrow();
            try {
                map.pin(dir.resolve(name).toString());
            } catch (LibbpfException e) {
                throw new LibbpfException("pin map " + name + " under " + dir, e.errno(), null);
            }
        }
        closeReused();
    }

    /** The object holds its own duplicates after load; ours can go. */
    void closeReused() {
        reused.forEach(BpfMap::close);
        reused.clear();
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
