// bpfwatch's config extensions: a struct key described by BTF, a struct
// value feeding several metrics (counters and a gauge), and an iterator
// whose records become samples at scrape time.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "udp_drop.h"
#include "bpfwatch.h"

char LICENSE[] SEC("license") = "GPL";

struct ext_port_key {
	u32 port;
	u32 reason;
};

struct ext_port_stats {
	u64 packets;
	u64 bytes;
	u64 last_len;	/* a level, not a count: exported as a gauge */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct ext_port_key);
	__type(value, struct ext_port_stats);
} ext_port_stats SEC(".maps");

/* One record per UDP socket, written by the iterator below. */
struct ext_udp_socket {
	u32 port;
	u32 drops;
	u32 rcvbuf;
	u32 family;
};
BPFWATCH_RECORD(ext_udp_socket);

SEC("tp_btf/kfree_skb")
int BPF_PROG(ext_count, struct sk_buff *skb, void *location, enum skb_drop_reason reason)
{
	struct ext_port_key key = {};
	struct ext_port_stats zero = {}, *s;
	struct iphdr ip;
	struct udphdr uh;
	u64 len;

	if (udp_no_socket_drop(skb, reason, &ip, &uh))
		return 0;

	key.port = bpf_ntohs(uh.dest);
	key.reason = reason;
	len = bpf_ntohs(uh.len) - sizeof(uh);
	s = bpf_map_lookup_elem(&ext_port_stats, &key);
	if (!s) {
		bpf_map_update_elem(&ext_port_stats, &key, &zero, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&ext_port_stats, &key);
		if (!s)
			return 0;
	}
	__sync_fetch_and_add(&s->packets, 1);
	__sync_fetch_and_add(&s->bytes, len);
	s->last_len = len;
	return 0;
}

/*
 * A socket's drop count, as the kernel's sk_drops_read() adds it up: since
 * 6.17 UDP sockets count most drops in per-NUMA counters beside sk_drops.
 */
static __always_inline u32 socket_drops(struct sock *sk)
{
	u32 drops = BPF_CORE_READ(sk, sk_drops.counter);

	if (bpf_core_field_exists(sk->sk_drop_counters)) {
		struct numa_drop_counters *numa = BPF_CORE_READ(sk, sk_drop_counters);

		if (numa)
			drops += BPF_CORE_READ(numa, drops0.counter) + BPF_CORE_READ(numa, drops1.counter);
	}
	return drops;
}

SEC("iter/udp")
int ext_udp_sockets(struct bpf_iter__udp *ctx)
{
	struct udp_sock *udp = ctx->udp_sk;
	struct ext_udp_socket rec = {};
	struct sock *sk;

	if (!udp)
		return 0;
	sk = &udp->inet.sk;
	rec.port = BPF_CORE_READ(sk, __sk_common.skc_num);
	rec.drops = socket_drops(sk);
	rec.rcvbuf = BPF_CORE_READ(sk, sk_rcvbuf);
	rec.family = BPF_CORE_READ(sk, __sk_common.skc_family);
	bpf_seq_write(ctx->meta->seq, &rec, sizeof(rec));
	return 0;
}
