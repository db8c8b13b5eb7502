// Every freed-as-dropped skb by network namespace and drop reason: the
// default config's count with the namespace beside the reason, so a test
// whose traffic runs in a namespace it made reads exactly its own drops
// while the rest of the host drops packets too.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

struct netns_drop_key {
	u32 netns;
	u32 reason;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct netns_drop_key);
	__type(value, u64);
} netns_drops SEC(".maps");

SEC("tp_btf/kfree_skb")
int BPF_PROG(count_netns_drop, struct sk_buff *skb, void *location, enum skb_drop_reason reason)
{
	struct netns_drop_key key = { .reason = reason };
	struct net_device *dev = BPF_CORE_READ(skb, dev);
	u64 one = 1, *count;

	// Received packets carry their device (loopback of the namespace); others
	// their socket; a packet with neither counts under namespace 0.
	if (dev)
		key.netns = BPF_CORE_READ(dev, nd_net.net, ns.inum);
	else if (BPF_CORE_READ(skb, sk))
		key.netns = BPF_CORE_READ(skb, sk, __sk_common.skc_net.net, ns.inum);
	count = bpf_map_lookup_elem(&netns_drops, &key);
	if (count)
		__sync_fetch_and_add(count, 1);
	else
		bpf_map_update_elem(&netns_drops, &key, &one, BPF_NOEXIST);
	return 0;
}
