// Writes one fixed-size record per listening TCP socket (IPv4 and IPv6) of
// the network namespace the iterator was created in. The agent decodes the
// records (dev.bpfwatch.sockets.ListenerRecord) and resolves the socket
// inode to the processes that hold it, as `ss -p` does.
//
// Binary records rather than text: a host may have tens of thousands of
// listeners, and fixed offsets are cheaper to read than parsing.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "socket_cgroup.h"

char LICENSE[] SEC("license") = "GPL";

#define BPFWATCH_AF_INET 2
#define BPFWATCH_AF_INET6 10
#define BPFWATCH_TCP_LISTEN 10

// Layout shared with ListenerRecord.java: 64 bytes, little-endian.
struct bpfwatch_listener {
	u16 family;
	u16 port;		// host order
	u32 drops;		// sk_drops: every tcp_listendrop() adds one
	u8 addr[16];		// IPv4 in the first 4 bytes, network order
	u32 accept_queue;	// sk_ack_backlog
	u32 accept_queue_max;	// sk_max_ack_backlog
	u32 syn_queue;		// icsk_accept_queue.qlen: request socks
	u32 uid;
	u64 inode;		// socket inode, as /proc/PID/fd shows socket:[N]
	u64 cgroup_id;		// cgroup v2 id of the socket's creator
	u32 netns;		// netns inode
	u8 defer_accept;	// TCP_DEFER_ACCEPT set: rskq_defer_accept (SYN-ACK retransmits), 0 when off
	u8 pad[3];
};

// Kernels from 6.18 move UDP drops to per-NUMA counters; a listener's
// drops stay in sk_drops, but read both so the number is sk_drops_read().
struct numa_drop_counters___bpfwatch {
	atomic_t drops0;
	atomic_t drops1;
} __attribute__((preserve_access_index));

struct sock___bpfwatch {
	struct numa_drop_counters___bpfwatch *sk_drop_counters;
} __attribute__((preserve_access_index));

static __always_inline u32 socket_drops(struct sock *sk)
{
	u32 drops = BPF_CORE_READ(sk, sk_drops.counter);
	struct sock___bpfwatch *s = (void *)sk;

	if (bpf_core_field_exists(s->sk_drop_counters)) {
		struct numa_drop_counters___bpfwatch *c = BPF_CORE_READ(s, sk_drop_counters);

		if (c)
			drops += BPF_CORE_READ(c, drops0.counter) + BPF_CORE_READ(c, drops1.counter);
	}
	return drops;
}

SEC("iter/tcp")
int dump_tcp_listeners(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct seq_file *seq = ctx->meta->seq;
	struct bpfwatch_listener r = {};
	struct tcp_sock *tp;
	struct sock *sk;

	if (!skc || skc->skc_state != BPFWATCH_TCP_LISTEN)
		return 0;
	// Listeners are full sockets; the cast fails only for request and
	// time-wait minisocks, which never listen.
	tp = bpf_skc_to_tcp_sock(skc);
	if (!tp)
		return 0;
	sk = (struct sock *)tp;

	r.family = skc->skc_family;
	r.port = skc->skc_num;
	if (r.family == BPFWATCH_AF_INET) {
		__builtin_memcpy(r.addr, &skc->skc_rcv_saddr, 4);
	} else if (r.family == BPFWATCH_AF_INET6) {
		BPF_CORE_READ_INTO(&r.addr, skc, skc_v6_rcv_saddr.in6_u.u6_addr8);
	} else {
		return 0;
	}
	r.drops = socket_drops(sk);
	r.accept_queue = BPF_CORE_READ(sk, sk_ack_backlog);
	r.accept_queue_max = BPF_CORE_READ(sk, sk_max_ack_backlog);
	r.syn_queue = BPF_CORE_READ(tp, inet_conn.icsk_accept_queue.qlen.counter);
	r.uid = ctx->uid;
	r.inode = BPF_CORE_READ(sk, sk_socket, file, f_inode, i_ino);
	r.cgroup_id = socket_cgroup_id(sk);
	r.netns = BPF_CORE_READ(skc, skc_net.net, ns.inum);
	r.defer_accept = BPF_CORE_READ(tp, inet_conn.icsk_accept_queue.rskq_defer_accept);
	bpf_seq_write(seq, &r, sizeof(r));
	return 0;
}
