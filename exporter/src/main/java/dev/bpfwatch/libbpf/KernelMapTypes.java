package dev.bpfwatch.libbpf;

import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which map types the running kernel can create, asked once per type
 * (libbpf_probe_bpf_map_type creates and frees a small map of the type).
 * Without this, an object holding a map type the kernel predates fails its
 * load as a bare EINVAL from map creation.
 */
public final class KernelMapTypes {
    private static final Map<BpfMapType, Boolean> KNOWN = new EnumMap<>(BpfMapType.class);

    private KernelMapTypes() {
    }

    /** @return empty when the kernel has the type (or the probe cannot tell); else why not, in words */
    public static synchronized Optional<String> missing(BpfMapType type) {
        if (type == BpfMapType.UNKNOWN || type == BpfMapType.UNSPEC) {
            return Optional.empty(); // newer than this build: let the kernel answer at load
        }
        boolean supported = KNOWN.computeIfAbsent(type,
                t -> Native.BPF.libbpf_probe_bpf_map_type(t.ordinal(), null) != 0);
        return supported ? Optional.empty()
                : Optional.of("map type " + type.name().toLowerCase() + " is not supported by this kernel");
    }
}
