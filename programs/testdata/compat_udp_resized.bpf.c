// compat_udp's per-port counter map with another layout (twice the entries)
// and a program that loads: a new version of a config whose pinned map must
// be replaced, but only once the whole reload has loaded.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 2048);
	__type(key, u16);
	__type(value, u64);
} udp_drops_percpu_total SEC(".maps");

SEC("tp_btf/kfree_skb")
int BPF_PROG(compat_count_resized, struct sk_buff *skb)
{
	return 0;
}
