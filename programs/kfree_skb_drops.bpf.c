// Counts every freed-as-dropped skb by its drop reason.
//
// The key is the raw enum skb_drop_reason value of the running kernel; the
// agent names it from the kernel's BTF, so the numbers never need to be
// known here and stay right when a kernel renumbers the enum.
//
// kfree_skb fires for every dropped packet on the host, so the common path
// must be cheap: core reasons are small numbers (128 on 6.18), counted in a
// per-CPU array indexed by the reason, a lookup the verifier inlines into a
// bounds check and an add. Reasons from a subsystem's own table (the upper
// 16 bits name the subsystem: mac80211, openvswitch), and any core reason
// past the array, go to a small per-CPU hash instead.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

#define CORE_REASONS 512

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CORE_REASONS);
	__type(key, u32);
	__type(value, u64);
} kfree_skb_drops SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1024);
	__type(key, u32);
	__type(value, u64);
} kfree_skb_subsystem_drops SEC(".maps");

SEC("tp_btf/kfree_skb")
int BPF_PROG(count_drop, struct sk_buff *skb, void *location,
	     enum skb_drop_reason reason)
{
	u32 key = reason;
	u64 one = 1, *count;

	if (key < CORE_REASONS) {
		count = bpf_map_lookup_elem(&kfree_skb_drops, &key);
		if (count)
			*count += 1; // per-CPU slot: no other CPU writes it
		return 0;
	}
	count = bpf_map_lookup_elem(&kfree_skb_subsystem_drops, &key);
	if (count) {
		*count += 1;
		return 0;
	}
	// Tracing programs do not nest on one CPU, so nothing else created
	// this CPU's slot since the lookup; a failure here means a full map,
	// which the agent reports through its map-fill metric.
	bpf_map_update_elem(&kfree_skb_subsystem_drops, &key, &one, BPF_NOEXIST);
	return 0;
}
