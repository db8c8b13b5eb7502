// The map the scrape benchmark fills: N u64-keyed u64 counters, sized to N
// (BENCH_MAX_ENTRIES, set per build) so a read walks only the buckets of N.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

#ifndef BENCH_MAX_ENTRIES
#define BENCH_MAX_ENTRIES 1024
#endif

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BENCH_MAX_ENTRIES);
	__type(key, u64);
	__type(value, u64);
} bench_map SEC(".maps");

// Maps without a program never load: an anchor that does nothing.
SEC("socket")
int bench_map_anchor(struct __sk_buff *skb)
{
	return skb->len;
}
