// Counts UDP NO_SOCKET drops per destination port, only for senders in the
// cgroups the agent put in a cgroup_id_map (ebpf_exporter's feature): one
// program filters through a hash of cgroup ids, the other through
// cgroup-local storage. Tests send from processes in a matching and in a
// non-matching cgroup; the drop runs in the sender's context on loopback.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "udp_drop.h"

char LICENSE[] SEC("license") = "GPL";

extern struct cgroup *bpf_cgroup_from_id(u64 cgid) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u64);
	__type(value, u64);
} cgroup_ids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGRP_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, u64);
} cgroup_flags SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u16);
	__type(value, u64);
} drops_by_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u16);
	__type(value, u64);
} drops_by_storage SEC(".maps");

static __always_inline int udp_dport(struct sk_buff *skb, enum skb_drop_reason reason, u16 *dport)
{
	struct iphdr ip;
	struct udphdr uh;

	if (udp_no_socket_drop(skb, reason, &ip, &uh))
		return -1;
	*dport = bpf_ntohs(uh.dest);
	return 0;
}

static __always_inline void count(void *map, u16 *dport)
{
	u64 one = 1, *v = bpf_map_lookup_elem(map, dport);

	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(map, dport, &one, BPF_NOEXIST);
}

SEC("tp_btf/kfree_skb")
int BPF_PROG(count_by_cgroup_id, struct sk_buff *skb, void *location, enum skb_drop_reason reason)
{
	u64 cgid = bpf_get_current_cgroup_id();
	u16 dport;

	if (udp_dport(skb, reason, &dport) || !bpf_map_lookup_elem(&cgroup_ids, &cgid))
		return 0;
	count(&drops_by_hash, &dport);
	return 0;
}

SEC("tp_btf/kfree_skb")
int BPF_PROG(count_by_cgroup_storage, struct sk_buff *skb, void *location, enum skb_drop_reason reason)
{
	struct cgroup *cg;
	u64 *flag;
	u16 dport;

	if (udp_dport(skb, reason, &dport))
		return 0;
	cg = bpf_cgroup_from_id(bpf_get_current_cgroup_id());
	if (!cg)
		return 0;
	flag = bpf_cgrp_storage_get(&cgroup_flags, cg, 0, 0);
	bpf_cgroup_release(cg);
	if (flag)
		count(&drops_by_storage, &dport);
	return 0;
}
