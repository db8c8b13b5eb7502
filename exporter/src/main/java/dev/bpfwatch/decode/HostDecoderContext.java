package dev.bpfwatch.decode;

import dev.bpfwatch.libbpf.KernelBtf;
import dev.bpfwatch.libbpf.LibbpfException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The real host: /proc/kallsyms, /sys/fs/cgroup, and enums from the running
 * kernel's BTF. Each enum is read once; the BTF is loaded only for that and
 * freed again, since parsing vmlinux BTF costs tens of megabytes.
 */
public final class HostDecoderContext implements DecoderContext {
    public static final Path KALLSYMS = Path.of("/proc/kallsyms");
    public static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
    /** Where systemd mounts cgroup v2 on hosts that still run v1 controllers ("hybrid"). */
    public static final Path HYBRID_CGROUP_ROOT = Path.of("/sys/fs/cgroup/unified");

    private final Map<String, Optional<Map<String, Long>>> enums = new ConcurrentHashMap<>();

    @Override
    public Optional<Map<String, Long>> kernelEnum(String name) {
        return enums.computeIfAbsent(name, HostDecoderContext::readEnum);
    }

    @Override
    public Path kallsyms() {
        return KALLSYMS;
    }

    /**
     * The cgroup v2 mount: BPF cgroup ids are v2 ids. On a hybrid host
     * /sys/fs/cgroup is a tmpfs of v1 hierarchies, whose inode numbers would
     * collide with v2 ids, so the v2 tree below it is walked instead.
     */
    @Override
    public Path cgroupRoot() {
        if (!isCgroup2(CGROUP_ROOT) && isCgroup2(HYBRID_CGROUP_ROOT)) {
            return HYBRID_CGROUP_ROOT;
        }
        return CGROUP_ROOT;
    }

    /** Only a cgroup v2 root has cgroup.controllers. */
    private static boolean isCgroup2(Path dir) {
        return Files.exists(dir.resolve("cgroup.controllers"));
    }

    private static Optional<Map<String, Long>> readEnum(String name) {
        if (!KernelBtf.present()) {
            return Optional.empty(); // no CONFIG_DEBUG_INFO_BTF: no enum can be found
        }
        try (KernelBtf btf = KernelBtf.load()) {
            // Keep declaration order: of aliases sharing a value, the first declared names it.
            return btf.enumerators(name).map(m -> Collections.unmodifiableMap(new LinkedHashMap<>(m)));
        } catch (LibbpfException e) {
            return Optional.empty();
        }
    }
}
