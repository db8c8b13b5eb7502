// A socket filter the verifier refuses only after a long straight run: its
// log (every instruction it walked, then the reason) is far longer than one
// line of libbpf's print callback. The reason, at the end, must still reach
// the user.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} long_reject_counts SEC(".maps");

SEC("socket")
int long_walk_reject(struct __sk_buff *skb)
{
	volatile __u64 acc = skb->len;

#pragma unroll
	for (int i = 0; i < 300; i++)
		acc = acc * 31 + i; /* volatile: a load, a multiply, an add, a store each time */
	/* The key needs the last value, so the lookup comes after the whole run; its result is
	 * used without the null check the verifier requires. */
	__u32 key = acc & 1;
	__u64 *count = bpf_map_lookup_elem(&long_reject_counts, &key);
	return *count;
}
