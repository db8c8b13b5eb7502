package dev.bpfwatch.agent;

import java.util.OptionalLong;

/**
 * A map a code module reads, as bpfwatch_ebpf_map_* report it.
 *
 * @param entries present for maps that can fill (hash types); arrays hold
 *                max_entries slots from creation and report no fill
 */
public record ModuleMap(String name, long maxEntries, OptionalLong entries) {
}
