// An LRU counter map smaller than the key space a test writes into it from
// user space, so keys come, go (evicted or deleted) and come back.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 64);
	__type(key, u64);
	__type(value, u64);
} churn_total SEC(".maps");

SEC("socket")
int churn_map_anchor(struct __sk_buff *skb)
{
	return skb->len;
}
