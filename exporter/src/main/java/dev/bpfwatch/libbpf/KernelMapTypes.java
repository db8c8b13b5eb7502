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
        if (creates(type) || !creates(BpfMapType.HASH)) {
            // The probe answers 0 for any failure: where not even a hash map can be made (no
            // CAP_BPF, a memlock limit), it cannot tell, and the load gives the real reason.
            return Optional.empty();
        }
        return Optional.of("map type " + type.name().toLowerCase() + " is not supported by this kernel");
    }

    /** Kept only when yes: a no may be this process's (capabilities), not the kernel's. */
    private static boolean creates(BpfMapType type) {
        Boolean known = KNOWN.get(type);
        if (known != null) {
            return known;
        }
        boolean yes = Native.BPF.libbpf_probe_bpf_map_type(type.ordinal(), null) == 1;
        if (yes) {
            KNOWN.put(type, true);
        }
        return yes;
    }
}
