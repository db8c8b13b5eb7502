// An LRU counter map big enough for the exposition fast path (1,000+
// series): a test writes 2,000 keys into its 1,500 entries from user space,
// so keys are evicted and come back with smaller counts.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1500);
	__type(key, u64);
	__type(value, u64);
} churn_lru_total SEC(".maps");

SEC("socket")
int churn_lru_anchor(struct __sk_buff *skb)
{
	return skb->len;
}
