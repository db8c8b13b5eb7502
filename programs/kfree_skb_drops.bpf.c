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
//
// Kernels before 5.17 have no drop reasons: the tracepoint passes only the
// skb and the caller's address. There every kfree_skb() counts in slot 0,
// which the config labels NOT_SPECIFIED (its enum decoder's if_missing).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

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
int count_drop(u64 *ctx)
{
	u32 key = 0;
	u64 one = 1, *count;

	// The third argument exists only where the enum does; the CO-RE check
	// becomes a constant at load, so older kernels' verifiers never see the
	// read (volatile keeps the compiler from hoisting it above the check).
	if (bpf_core_type_exists(enum skb_drop_reason))
		key = *(volatile u64 *)&ctx[2];

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
