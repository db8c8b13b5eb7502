package dev.bpfwatch.config;

import java.util.List;
import java.util.regex.Pattern;

/**
 * ebpf_exporter's {@code cgroup_id_map}: the agent keeps a map of the cgroups
 * whose path (under /sys/fs/cgroup) matches one of {@code regexps}, so the
 * program can count only for them. A {@code hash} map is keyed by cgroup id
 * (u64) with value 1; a {@code cgrp_storage} map gets value 1 in the storage
 * of each matching cgroup.
 */
public record CgroupIdMapSpec(String map, Type type, List<Pattern> regexps, int line) {
    public enum Type {
        HASH, CGRP_STORAGE
    }

    /** True when the cgroup at this path (e.g. /sys/fs/cgroup/system.slice/nginx.service) is wanted. */
    public boolean matches(String path) {
        return regexps.stream().anyMatch(r -> r.matcher(path).find());
    }
}
