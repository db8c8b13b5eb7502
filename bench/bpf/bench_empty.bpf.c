// Baselines: programs that do nothing, on the hooks the bundled programs
// use. Their run time from BPF stats is the cost of the hook itself (the
// trampoline or filter call), measured in the same run as the real program.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/kfree_skb")
int BPF_PROG(empty_kfree_skb, struct sk_buff *skb, void *location, enum skb_drop_reason reason)
{
	return 0;
}

SEC("socket")
int empty_filter(struct __sk_buff *skb)
{
	return skb->len;
}

SEC("iter/tcp")
int empty_iter_tcp(struct bpf_iter__tcp *ctx)
{
	return 0;
}
