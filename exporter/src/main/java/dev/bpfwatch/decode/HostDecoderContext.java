package dev.bpfwatch.decode;

import dev.bpfwatch.cgroup.CgroupTree;
import dev.bpfwatch.libbpf.KernelBtf;
import dev.bpfwatch.libbpf.LibbpfException;
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

    private final Map<String, Optional<Map<String, Long>>> enums = new ConcurrentHashMap<>();

    @Override
    public Optional<Map<String, Long>> kernelEnum(String name) {
        return enums.computeIfAbsent(name, HostDecoderContext::readEnum);
    }

    @Override
    public Path kallsyms() {
        return KALLSYMS;
    }

    @Override
    public Path cgroupRoot() {
        return CgroupTree.v2Root();
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
