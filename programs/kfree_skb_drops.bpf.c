// Counts every freed-as-dropped skb by its drop reason.
//
// The key is the raw enum skb_drop_reason value of the running kernel; the
// agent names it from the kernel's BTF, so the numbers never need to be
// known here and stay right when a kernel renumbers the enum.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1024);
	__type(key, u32);
	__type(value, u64);
} kfree_skb_drops SEC(".maps");

SEC("tp_btf/kfree_skb")
int BPF_PROG(count_drop, struct sk_buff *skb, void *location,
	     enum skb_drop_reason reason)
{
	u32 key = reason;
	u64 one = 1, *count;

	count = bpf_map_lookup_elem(&kfree_skb_drops, &key);
	if (count) {
		// Per-CPU value: no other CPU writes this slot.
		*count += 1;
		return 0;
	}
	// Tracing programs do not nest on one CPU, so nothing else created
	// this CPU's slot since the lookup; a failure here means a full map,
	// which the agent reports through its map-fill metric.
	bpf_map_update_elem(&kfree_skb_drops, &key, &one, BPF_NOEXIST);
	return 0;
}
