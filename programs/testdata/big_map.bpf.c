// A large counter map for load tests: the test fills it from user space.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 131072);
	__type(key, u64);
	__type(value, u64);
} big_counter_total SEC(".maps");

SEC("socket")
int big_map_anchor(struct __sk_buff *skb)
{
	return skb->len;
}
