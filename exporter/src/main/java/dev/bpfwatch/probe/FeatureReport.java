package dev.bpfwatch.probe;

import java.util.Map;

/** What the start-up probe learnt about this kernel. */
public record FeatureReport(String kernelRelease, boolean btf, Feature bpffs, Map<String, Feature> attachTypes) {

    public boolean attachAvailable(String type) {
        Feature f = attachTypes.get(type);
        return f != null && f.available();
    }

    /** A few lines for the start-up log and `bpfwatch probe`. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("kernel ").append(kernelRelease)
                .append(", BTF ").append(btf ? "present" : "MISSING (CO-RE programs cannot load)")
                .append(", bpffs ").append(bpffs.available() ? bpffs.detail() : "unavailable: " + bpffs.detail())
                .append('\n');
        attachTypes.forEach((type, f) -> sb.append(String.format("  %-14s %-13s %s%n", type,
                f.status().name().toLowerCase().replace('_', ' '), f.detail())));
        return sb.toString();
    }
}
