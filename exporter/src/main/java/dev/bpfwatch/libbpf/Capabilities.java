package dev.bpfwatch.libbpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which of the capabilities bpfwatch needs this process lacks, from CapEff
 * in /proc/self/status. EPERM errors said "missing capability?" even as
 * root with every capability, sending operators after the wrong cause
 * (lockdown, an LSM, a pin owned by someone else); the hint is now given
 * only when a capability really is missing, and names it.
 */
public final class Capabilities {
    static final int CAP_NET_ADMIN = 12;
    static final int CAP_SYS_ADMIN = 21;
    static final int CAP_PERFMON = 38;
    static final int CAP_BPF = 39;

    private static final Path STATUS = Path.of("/proc/self/status");

    private Capabilities() {
    }

    /** The effective set of this process; empty when it cannot be read (then nothing can be told). */
    public static Optional<Long> effective() {
        try {
            return Files.readAllLines(STATUS).stream().filter(l -> l.startsWith("CapEff:"))
                    .map(l -> Long.parseUnsignedLong(l.substring("CapEff:".length()).strip(), 16)).findFirst();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * The capabilities bpfwatch needs that {@code effective} lacks, by name.
     * CAP_SYS_ADMIN stands in for CAP_BPF and CAP_PERFMON, as the kernel
     * accepts it for both (and before 5.8 has no other).
     */
    public static List<String> missing(long effective) {
        boolean sysAdmin = has(effective, CAP_SYS_ADMIN);
        List<String> out = new ArrayList<>();
        if (!has(effective, CAP_BPF) && !sysAdmin) {
            out.add("CAP_BPF");
        }
        if (!has(effective, CAP_PERFMON) && !sysAdmin) {
            out.add("CAP_PERFMON");
        }
        if (!has(effective, CAP_NET_ADMIN)) {
            out.add("CAP_NET_ADMIN");
        }
        return out;
    }

    private static boolean has(long set, int cap) {
        return (set >>> cap & 1) != 0;
    }

    /** The hint for EPERM / EACCES: which capability is missing, null when none is. */
    static String permissionHint() {
        Optional<Long> caps = effective();
        if (caps.isEmpty()) {
            return "missing capability? bpfwatch needs CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN (or root)";
        }
        List<String> missing = missing(caps.get());
        return missing.isEmpty() ? null : "missing capability: " + String.join(", ", missing)
                + " (bpfwatch needs CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN, or root)";
    }
}
