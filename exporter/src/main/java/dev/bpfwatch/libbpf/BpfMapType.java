package dev.bpfwatch.libbpf;

/** enum bpf_map_type, in the kernel's order (the ordinal is the uapi number). */
public enum BpfMapType {
    UNSPEC, HASH, ARRAY, PROG_ARRAY, PERF_EVENT_ARRAY, PERCPU_HASH, PERCPU_ARRAY, STACK_TRACE,
    CGROUP_ARRAY, LRU_HASH, LRU_PERCPU_HASH, LPM_TRIE, ARRAY_OF_MAPS, HASH_OF_MAPS, DEVMAP, SOCKMAP,
    CPUMAP, XSKMAP, SOCKHASH, CGROUP_STORAGE, REUSEPORT_SOCKARRAY, PERCPU_CGROUP_STORAGE, QUEUE,
    STACK, SK_STORAGE, DEVMAP_HASH, STRUCT_OPS, RINGBUF, INODE_STORAGE, TASK_STORAGE, BLOOM_FILTER,
    USER_RINGBUF, CGRP_STORAGE, ARENA,
    /** A type newer than this build knows. */
    UNKNOWN;

    public static BpfMapType of(int number) {
        return number >= 0 && number < UNKNOWN.ordinal() ? values()[number] : UNKNOWN;
    }

    /** Lookups return one value per possible CPU, each padded to 8 bytes. */
    public boolean perCpu() {
        return this == PERCPU_HASH || this == PERCPU_ARRAY || this == LRU_PERCPU_HASH
                || this == PERCPU_CGROUP_STORAGE;
    }

    /** Every index exists from creation, holding zero until written: a walk sees max_entries entries. */
    public boolean array() {
        return this == ARRAY || this == PERCPU_ARRAY;
    }

    /** Maps that hold key/value entries a scrape can walk. */
    public boolean iterable() {
        switch (this) {
            case HASH: case ARRAY: case PERCPU_HASH: case PERCPU_ARRAY: case LRU_HASH:
            case LRU_PERCPU_HASH: case LPM_TRIE: case STACK_TRACE:
                return true;
            default:
                return false;
        }
    }
}
