package dev.bpfwatch.decode;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What decoders need from the host: kernel BTF enums, kernel symbols,
 * the cgroup tree. Tests hand in fixed answers.
 */
public interface DecoderContext {

    /** Enumerator name -> value of a kernel BTF enum, empty if this kernel has none by that name. */
    Optional<Map<String, Long>> kernelEnum(String name);

    /** Where /proc/kallsyms is (tests use a fixture file). */
    Path kallsyms();

    /** Root of the cgroup v2 hierarchy (normally /sys/fs/cgroup). */
    Path cgroupRoot();

    /** The PCI ID database, if the host has one (Debian: the pci.ids package). */
    default Optional<Path> pciIds() {
        return PciIds.PATHS.stream().filter(java.nio.file.Files::isReadable).findFirst();
    }
}
