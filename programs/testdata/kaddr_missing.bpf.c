// A kaddrs config naming a symbol no kernel has: the agent must refuse this
// config alone (the kernel lacks the symbol) and start the others.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

const volatile u64 kaddr_bpfwatch_no_such_symbol = 0;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} kaddr_missing_seen SEC(".maps");

SEC("tp_btf/kfree_skb")
int BPF_PROG(report_missing_kaddr)
{
	u32 zero = 0;
	u64 addr = kaddr_bpfwatch_no_such_symbol;

	bpf_map_update_elem(&kaddr_missing_seen, &zero, &addr, BPF_ANY);
	return 0;
}
