// Counts UDP packets dropped for want of a socket (NO_SOCKET), keyed the way
// ebpf_exporter configs cut keys: tests send to a port nobody listens on, so
// the counts for that port are exactly what they sent.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "udp_drop.h"

char LICENSE[] SEC("license") = "GPL";

#define HIST_MAX 16

struct compat_drop_key {
	u32 daddr;	/* network order, as inet_ip expects */
	u16 dport;	/* host order, for uint */
	u8 proto;
	u8 pad;
};

struct compat_hist_key {
	u16 dport;
	u8 pad[6];
	u64 bucket;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct compat_drop_key);
	__type(value, u64);
} udp_drops_total SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct compat_hist_key);
	__type(value, u64);
} udp_drop_size_bytes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1024);
	__type(key, u16);
	__type(value, u64);
} udp_drops_percpu_total SEC(".maps");

static __always_inline void add(void *map, void *key, u64 n)
{
	u64 *v = bpf_map_lookup_elem(map, key);

	if (v) {
		__sync_fetch_and_add(v, n);
		return;
	}
	bpf_map_update_elem(map, key, &n, BPF_NOEXIST);
}

/* Smallest i with 2^i >= v: bucket i holds values up to 2^i. */
static __always_inline u64 exp2_bucket(u64 v)
{
	u64 i;

	for (i = 0; i < HIST_MAX; i++)
		if ((1ULL << i) >= v)
			return i;
	return HIST_MAX;
}

SEC("tp_btf/kfree_skb")
int BPF_PROG(compat_count, struct sk_buff *skb, void *location, enum skb_drop_reason reason)
{
	struct compat_drop_key key = {};
	struct compat_hist_key hkey = {};
	struct iphdr ip;
	struct udphdr uh;
	u64 payload;
	u16 dport;

	if (udp_no_socket_drop(skb, reason, &ip, &uh))
		return 0;

	dport = bpf_ntohs(uh.dest);
	key.daddr = ip.daddr;
	key.dport = dport;
	key.proto = ip.protocol;
	add(&udp_drops_total, &key, 1);

	payload = bpf_ntohs(uh.len) - sizeof(uh);
	hkey.dport = dport;
	hkey.bucket = exp2_bucket(payload);
	add(&udp_drop_size_bytes, &hkey, 1);
	hkey.bucket = HIST_MAX + 1; /* ebpf_exporter's convention: the sum sits past the last bucket */
	add(&udp_drop_size_bytes, &hkey, payload);

	add(&udp_drops_percpu_total, &dport, 1);
	return 0;
}
