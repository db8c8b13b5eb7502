package dev.bpfwatch.ratelimit;

import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.libbpf.BpfObject;
import dev.bpfwatch.libbpf.Bpffs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where filters live in bpffs: /sys/fs/bpf/bpfwatch/udp-limit/NAME holds the
 * program ("prog") and each of its maps under the map's name. The pins keep
 * program and maps in the kernel after bpfwatch exits, and let any process
 * (status, set, the exporter) find them by name.
 */
public final class FilterPins {
    public static final Path ROOT = Path.of("/sys/fs/bpf/bpfwatch/udp-limit");
    static final String OBJECT = "/bpfwatch/configs/udp_ratelimit.bpf.o";
    static final String PROGRAM_NAME = "udp_ratelimit";
    static final String PROGRAM = "prog";
    static final String CONFIG = "udprl_config";
    static final String OVERRIDES = "udprl_overrides";
    static final String BUCKETS = "udprl_buckets";
    static final String TOTALS = "udprl_totals";
    static final String SOCKETS = "udprl_sockets";
    static final List<String> MAPS = List.of(CONFIG, OVERRIDES, BUCKETS, TOTALS, SOCKETS);

    private FilterPins() {
    }

    /** Names become directory names: keep them to what a path and a label value take without escaping. */
    public static String checkName(String name) {
        if (name == null || !name.matches("[A-Za-z0-9_.-]{1,64}") || name.startsWith(".")) {
            throw new IllegalArgumentException("filter name '" + name
                    + "': use 1-64 letters, digits, '_', '-' or '.', not starting with '.'");
        }
        return name;
    }

    public static Path dir(String name) {
        return ROOT.resolve(checkName(name));
    }

    public static boolean exists(String name) {
        return Files.exists(dir(name).resolve(PROGRAM));
    }

    /** Every filter pinned now; empty when bpffs or the directory is not there. */
    public static List<String> names() {
        if (!Files.isDirectory(ROOT)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(ROOT)) {
            return dirs.filter(d -> Files.exists(d.resolve(PROGRAM)))
                    .map(d -> d.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of(); // removed while we listed: nothing to export
        }
    }

    /**
     * Loads the bundled program and pins it with its maps, unless a filter of
     * that name is pinned already (then its program and counts are reused).
     *
     * @return true when this call created the filter
     */
    static boolean ensure(String name) {
        if (exists(name)) {
            return false;
        }
        Bpffs.ensureMounted(Bpffs.DEFAULT);
        Path dir = dir(name);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("create " + dir + ": " + e.getMessage(), e);
        }
        // Closing the object afterwards is safe: the pins hold program and maps.
        try (BpfObject object = BpfObject.openResource(OBJECT)) {
            object.load();
            for (BpfMap m : object.maps()) {
                m.pin(dir.resolve(m.name()).toString());
            }
            // The program last: its pin is what marks the filter complete (see exists()).
            object.program(PROGRAM_NAME).orElseThrow().pin(dir.resolve(PROGRAM).toString());
            return true;
        } catch (RuntimeException e) {
            remove(name);
            throw e;
        }
    }

    /** Unpins program and maps; the kernel frees them once no socket uses the program. */
    public static void remove(String name) {
        Path dir = dir(name);
        try {
            for (String pin : Stream.concat(Stream.of(PROGRAM), MAPS.stream()).toList()) {
                Files.deleteIfExists(dir.resolve(pin));
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("remove " + dir + ": " + e.getMessage(), e);
        }
    }
}
