package dev.bpfwatch.libbpf;

/** A map as the ELF declares it, before the kernel has it: what config validation checks against. */
public record MapSpec(String name, BpfMapType type, int keySize, int valueSize, int maxEntries,
                      int btfKeyTypeId, int btfValueTypeId) {
}
