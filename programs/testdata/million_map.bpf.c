// A million-entry counter map for scrape-at-scale tests: the test fills it
// from user space, nothing in the kernel writes it.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1048576);
	__type(key, u64);
	__type(value, u64);
} million_total SEC(".maps");

SEC("socket")
int million_map_anchor(struct __sk_buff *skb)
{
	return skb->len;
}
