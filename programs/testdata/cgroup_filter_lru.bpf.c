// cgroup_filter's hash variant with the cgroup id map as an LRU_HASH, the
// type ebpf_exporter's own cgroup_id_map example uses: counts UDP NO_SOCKET
// drops per destination port, only for senders in the cgroups the agent put
// in the map.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "udp_drop.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, u64);
	__type(value, u64);
} cgroup_ids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u16);
	__type(value, u64);
} drops_by_lru SEC(".maps");

SEC("tp_btf/kfree_skb")
int BPF_PROG(count_by_cgroup_id, struct sk_buff *skb, void *location, enum skb_drop_reason reason)
{
	u64 cgid = bpf_get_current_cgroup_id(), one = 1, *v;
	struct iphdr ip;
	struct udphdr uh;
	u16 dport;

	if (udp_no_socket_drop(skb, reason, &ip, &uh) || !bpf_map_lookup_elem(&cgroup_ids, &cgid))
		return 0;
	dport = bpf_ntohs(uh.dest);
	v = bpf_map_lookup_elem(&drops_by_lru, &dport);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&drops_by_lru, &dport, &one, BPF_NOEXIST);
	return 0;
}
