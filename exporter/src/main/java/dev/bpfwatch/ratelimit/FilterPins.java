package dev.bpfwatch.ratelimit;

import dev.bpfwatch.libbpf.BpfMap;
import dev.bpfwatch.libbpf.BpfObject;
import dev.bpfwatch.libbpf.Bpffs;
import dev.bpfwatch.libbpf.DirectoryLock;
import dev.bpfwatch.libbpf.LibbpfException;
import dev.bpfwatch.libbpf.PinnedProgram;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where filters live in bpffs: PIN_PATH/udp-limit/NAME (PIN_PATH is
 * --bpf.pin-path, /sys/fs/bpf/bpfwatch by default) holds the program
 * ("prog") and each of its maps under the map's name. The pins keep program
 * and maps in the kernel after bpfwatch exits, and let any process (status,
 * set, the exporter) find them by name.
 */
public final class FilterPins {
    public static final Path DEFAULT_PIN_PATH = Path.of("/sys/fs/bpf/bpfwatch");
    static final String DIRECTORY = "udp-limit";
    /**
     * One per process, set from --bpf.pin-path before anything is pinned or
     * looked up: a bpfwatch process (a CLI command, or `run`) works with one
     * pin path, and passing it through every call of the API would change
     * every caller for a value that never varies within a process.
     */
    private static volatile Path root = DEFAULT_PIN_PATH.resolve(DIRECTORY);
    static final String OBJECT = "/bpfwatch/configs/udp_ratelimit.bpf.o";
    static final String PROGRAM = "prog";
    static final String CONFIG = "udprl_config";
    static final String OVERRIDES = "udprl_overrides";
    static final String BUCKETS = "udprl_buckets";
    static final String TOTALS = "udprl_totals";
    static final String SOCKETS = "udprl_sockets";
    static final List<String> MAPS = List.of(CONFIG, OVERRIDES, BUCKETS, TOTALS, SOCKETS);
    private static final int ENOENT = 2;

    private FilterPins() {
    }

    /** Filters pin under {@code pinPath}/udp-limit from now on (the directory --bpf.pin-path names). */
    public static void useRoot(Path pinPath) {
        root = pinPath.resolve(DIRECTORY);
    }

    /** The directory every filter of this process has its own directory in. */
    public static Path root() {
        return root;
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
        return root().resolve(checkName(name));
    }

    public static boolean exists(String name) {
        return Files.exists(dir(name).resolve(PROGRAM));
    }

    /** Every filter pinned now; empty when bpffs or the directory is not there. */
    public static List<String> names() {
        Path at = root();
        if (!Files.isDirectory(at)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(at)) {
            return dirs.filter(d -> Files.exists(d.resolve(PROGRAM)))
                    .map(d -> d.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of(); // removed while we listed: nothing to export
        }
    }

    /** The pinned filter whose program has this kernel id, if any. */
    public static Optional<String> nameOfProgram(int programId) {
        for (String name : names()) {
            try (PinnedProgram p = PinnedProgram.open(dir(name).resolve(PROGRAM))) {
                if (p.info().id() == programId) {
                    return Optional.of(name);
                }
            } catch (RuntimeException e) {
                // unpinned while we looked: not this one
            }
        }
        return Optional.empty();
    }

    /**
     * Loads the bundled program this kernel takes ({@link FilterProgram}) and
     * pins it with its maps, unless a filter of that name is pinned already
     * (then its program and counts are reused).
     *
     * @return true when this call created the filter
     */
    static boolean ensure(String name) {
        return ensure(name, null);
    }

    /**
     * @param only that program, not the one this kernel would get (tests of the other); null: choose
     *
     * <p>Check and pin happen under a flock on the filter's own directory: two
     * `udp-limit attach --name X` at once both saw "not pinned", the loser's pin
     * failed (EEXIST) and its rollback removed the winner's pins. The pin root
     * is not the lock: a running agent holds that one for its whole life.
     */
    static boolean ensure(String name, FilterProgram only) {
        if (exists(name)) {
            return false;
        }
        Bpffs.ensureMounted(Bpffs.DEFAULT);
        Path dir = dir(name);
        while (true) {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("create " + dir + ": " + e.getMessage(), e);
            }
            DirectoryLock lock;
            try {
                lock = DirectoryLock.exclusive(dir);
            } catch (LibbpfException e) {
                if (e.errno() == ENOENT) {
                    continue; // removed (a detach, a failed attach) between create and open: make it again
                }
                throw e;
            }
            try (lock) {
                if (!lock.stillAtItsPath()) {
                    continue; // removed while we waited: pins made now would go to a new directory unguarded
                }
                if (exists(name)) {
                    return false;
                }
                pinNew(name, dir, only);
                return true;
            }
        }
    }

    /** Loads and pins under {@code dir}, whose lock the caller holds; on failure leaves nothing pinned. */
    private static void pinNew(String name, Path dir, FilterProgram only) {
        // Closing the object afterwards is safe: the pins hold program and maps.
        FilterProgram.Loaded loaded = null;
        try {
            loaded = only == null
                    ? FilterProgram.loadForThisKernel(name)
                    : new FilterProgram.Loaded(FilterProgram.load(only), only);
            BpfObject object = loaded.object();
            for (BpfMap m : object.maps()) {
                m.pin(dir.resolve(m.name()).toString());
            }
            // The program last: its pin is what marks the filter complete (see exists()).
            object.program(loaded.program().programName()).orElseThrow().pin(dir.resolve(PROGRAM).toString());
        } catch (RuntimeException e) {
            removeLocked(dir);
            throw e;
        } finally {
            if (loaded != null) {
                loaded.object().close();
            }
        }
    }

    /**
     * Unpins program and maps; the kernel frees them once no socket uses the
     * program. Under the directory's lock, so it never removes pins an
     * {@link #ensure} is making.
     */
    public static void remove(String name) {
        Path dir = dir(name);
        if (!Files.isDirectory(dir)) {
            return;
        }
        DirectoryLock lock;
        try {
            lock = DirectoryLock.exclusive(dir);
        } catch (LibbpfException e) {
            if (e.errno() == ENOENT) {
                return; // removed meanwhile
            }
            throw e;
        }
        try (lock) {
            removeLocked(dir);
        }
    }

    private static void removeLocked(Path dir) {
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
