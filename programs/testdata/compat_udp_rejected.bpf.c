// compat_udp's per-port counter map with another layout (twice the entries)
// and a program the verifier refuses (a map value read without the NULL
// check). Tests reload a running compat_udp config to this object: the
// reload must fail and leave the running config's pinned map alone.
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
int BPF_PROG(compat_count_unchecked, struct sk_buff *skb)
{
	u16 port = 0;
	u64 *v = bpf_map_lookup_elem(&udp_drops_percpu_total, &port);

	return *v > 0; /* no NULL check: rejected */
}
