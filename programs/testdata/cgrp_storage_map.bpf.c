// An object holding a map type that kernels before 6.2 cannot create
// (cgrp_storage), beside a program that would load anywhere: the agent must
// name the map and its type, not fail on a bare EINVAL.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_CGRP_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, u64);
} per_cgroup SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} cgrp_storage_runs SEC(".maps");

SEC("raw_tp/sys_enter")
int BPF_PROG(cgrp_storage_count)
{
	u32 zero = 0;
	u64 *n = bpf_map_lookup_elem(&cgrp_storage_runs, &zero);

	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}
