// A socket filter the verifier must refuse: it reads packet memory through
// a pointer it never bounds-checked. Tests use it to see the verifier's
// complaint reach the user and nothing stay in the kernel.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} reject_counts SEC(".maps");

SEC("tp_btf/kfree_skb")
int accepted_first(void *ctx)
{
	return 0;
}

SEC("socket")
int unchecked_read(struct __sk_buff *skb)
{
	unsigned char *data = (void *)(long)skb->data;

	return data[64];
}
