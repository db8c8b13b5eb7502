package dev.bpfwatch.libbpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Kernel pseudo filesystems bpfwatch needs and machines often boot without:
 * bpffs, where pins outlive the process, and tracefs, where libbpf looks up
 * tracepoint ids.
 */
public final class Bpffs {
    public static final Path DEFAULT = Path.of("/sys/fs/bpf");
    public static final Path TRACEFS = Path.of("/sys/kernel/tracing");

    private Bpffs() {
    }

    public static boolean mounted(Path at) {
        return mounted(at, "bpf");
    }

    /** Mounts tracefs at its usual place unless it is there (or under debugfs) already. */
    public static void ensureTracefsMounted() {
        if (mounted(TRACEFS, "tracefs") || Files.isDirectory(Path.of("/sys/kernel/debug/tracing/events"))) {
            return;
        }
        mount("tracefs", TRACEFS);
    }

    private static boolean mounted(Path at, String fsType) {
        try {
            List<String> mounts = Files.readAllLines(Path.of("/proc/self/mounts"));
            String target = at.toAbsolutePath().normalize().toString();
            return mounts.stream().map(l -> l.split(" "))
                    .anyMatch(f -> f.length > 2 && f[1].equals(target) && f[2].equals(fsType));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Mounts bpffs at {@code at} unless it is there already. Machines often
     * boot without it; pinning needs it.
     */
    public static void ensureMounted(Path at) {
        if (mounted(at)) {
            return;
        }
        mount("bpf", at);
    }

    private static void mount(String fsType, Path at) {
        try {
            Files.createDirectories(at);
        } catch (IOException e) {
            throw new LibbpfException("create " + at, 13, e.getMessage());
        }
        int rc = Native.LIBC.mount(fsType, at.toString(), fsType, 0, null);
        if (rc < 0) {
            throw new LibbpfException("mount " + fsType + " at " + at, Native.errno());
        }
    }
}
