// Writes one fixed-size record per UDP socket (IPv4 and IPv6) of the
// network namespace the iterator was created in, with the id of the BPF
// program attached to it as a socket filter. This is how bpfwatch knows,
// from the kernel rather than from its own notes, which sockets carry a
// udp-limit filter: a restarted server's new socket carries none, and a
// filter someone else attached over ours carries another id.
//
// getsockopt(SO_GET_FILTER) cannot tell: for an eBPF filter it only says
// EACCES (there is no classic program to copy back), never which program.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

#define BPFWATCH_UDP_HAS_FILTER 1

// Layout shared with UdpSocketRecord.java: 24 bytes, little-endian.
struct bpfwatch_udp_socket {
	u16 family;
	u16 port;		// local port, host order
	u32 filter_prog_id;	// 0: no filter, or a classic one (no id)
	u64 inode;		// socket inode, as /proc/PID/fd shows socket:[N]
	u32 netns;		// netns inode
	u32 flags;		// BPFWATCH_UDP_HAS_FILTER: some filter is attached
};

SEC("iter/udp")
int dump_udp_sockets(struct bpf_iter__udp *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct udp_sock *udp = ctx->udp_sk;
	struct bpfwatch_udp_socket r = {};
	struct sk_filter *filter;
	struct sock *sk;

	if (!udp)
		return 0;
	sk = (struct sock *)udp;
	r.family = BPF_CORE_READ(sk, __sk_common.skc_family);
	r.port = BPF_CORE_READ(sk, __sk_common.skc_num);
	// sk_filter is RCU-protected; the iterator runs under the bucket
	// lock with RCU held, so the pointer and the program stay valid here.
	filter = BPF_CORE_READ(sk, sk_filter);
	if (filter) {
		r.flags |= BPFWATCH_UDP_HAS_FILTER;
		r.filter_prog_id = BPF_CORE_READ(filter, prog, aux, id);
	}
	r.inode = BPF_CORE_READ(sk, sk_socket, file, f_inode, i_ino);
	r.netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	bpf_seq_write(seq, &r, sizeof(r));
	return 0;
}
