// One program on a hook every kernel has, one on a kprobe: on kernels
// without CONFIG_KPROBES the second cannot attach, which is how tests see
// --config.strict decide between "fail" and "run without it".
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} hook_runs_total SEC(".maps");

SEC("tp_btf/kfree_skb")
int BPF_PROG(always_there)
{
	u32 zero = 0;
	u64 *runs = bpf_map_lookup_elem(&hook_runs_total, &zero);

	if (runs)
		__sync_fetch_and_add(runs, 1);
	return 0;
}

SEC("kprobe/tcp_v4_connect")
int maybe_missing(void *ctx)
{
	return 0;
}
