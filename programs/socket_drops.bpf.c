// Counts freed-as-dropped packets by (drop reason, and the socket they were
// dropped at: its family, network namespace, local port and protocol for
// inet sockets, and the cgroup of the process that made it): the third-ACK
// overflow of a TCP listener (TCP_LISTEN_OVERFLOW), a UDP socket's full
// buffer (SOCKET_RCVBUFF, PROTO_MEM) or its filter (SOCKET_FILTER), a unix
// socket closed with unread messages. Sockets of other families (unix,
// netlink, packet) have no port or IP protocol: only their family is read.
//
// The socket is the tracepoint's rx_sk (Linux 6.11 and later), the socket a
// received packet was meant for. It is empty for packets being sent, whose
// skb->sk is their sender: a queue discipline's drops (QDISC_DROP) then
// count at the sending application's port. Kernels before 6.11 lack rx_sk
// and have only skb->sk, which the receive path has mostly not set yet, so
// there most receive drops count without a port.
//
// With rx_sk it also counts, per TCP listener, the bare ACKs it discarded
// because of TCP_DEFER_ACCEPT (the kernel's TCPDeferAcceptDrop): they add to
// the listener's sk_drops like a full queue does, but mean no overload.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "socket_cgroup.h"

char LICENSE[] SEC("license") = "GPL";

#define BPFWATCH_AF_INET 2
#define BPFWATCH_AF_INET6 10
#define BPFWATCH_TCP_LISTEN 10
#define BPFWATCH_TCPHDR_FIN 0x01
#define BPFWATCH_TCPHDR_SYN 0x02
#define BPFWATCH_TCPHDR_RST 0x04
#define BPFWATCH_TCPHDR_ACK 0x10

// Layout shared with SocketDropKey.java: 24 bytes.
struct bpfwatch_socket_drop_key {
	u32 reason;
	u16 port;	// host order; inet sockets only, else 0
	u16 protocol;	// IPPROTO_*; inet sockets only, else 0
	u16 family;	// AF_* of the socket; 0 when the packet had no socket
	u16 pad;
	u32 netns;	// inode of the socket's network namespace; 0 without a socket
	u64 cgroup_id;	// cgroup v2 id of the socket's creator; 0 for request and time-wait socks
};

// Layout shared with DeferAcceptDrops.java: a listener as the tcp_listeners
// iterator names it (netns inode, socket inode).
struct bpfwatch_listener_id {
	u32 netns;
	u32 pad;
	u64 inode;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct bpfwatch_socket_drop_key);
	__type(value, u64);
} socket_drops SEC(".maps");

// Listener -> bare ACKs discarded for TCP_DEFER_ACCEPT. LRU: entries of
// closed listeners age out; the agent reads only those of live listeners.
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct bpfwatch_listener_id);
	__type(value, u64);
} defer_accept_drops SEC(".maps");

struct trace_event_raw_kfree_skb___bpfwatch {
	void *rx_sk;
} __attribute__((preserve_access_index));

// Non-zero: take the socket from the skb even where rx_sk exists, as on
// kernels before 6.11. Set before load (a constant to the verifier), so the
// older kernels' path can be run and tested on a newer kernel.
const volatile u8 use_skb_socket = 0;

/*
 * A bare ACK (no data, SYN, FIN or RST) that a listener with
 * TCP_DEFER_ACCEPT discarded: tcp_check_req() holds the connection back
 * until data comes, counts TCPDeferAcceptDrop and returns no socket, and
 * tcp_v4_rcv()/tcp_v6_rcv() then add the ACK to the listener's sk_drops and
 * free it as NOT_SPECIFIED with the listener as rx_sk. A TCP-connect health
 * check (connect, close) makes one per check. Called only with rx_sk, so
 * kernels without it never see the helper calls below.
 */
static __always_inline void count_defer_accept_drop(struct sock *sk, struct sk_buff *skb, u32 reason)
{
	struct inet_connection_sock *icsk = (void *)sk;
	struct tcp_skb_cb *tcb = (void *)skb->cb;
	struct bpfwatch_listener_id id = {};
	u64 one = 1, *count;
	u8 flags;

	if (!bpf_core_type_exists(enum skb_drop_reason) ||
	    reason != bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_NOT_SPECIFIED))
		return;
	if (!BPF_CORE_READ(icsk, icsk_accept_queue.rskq_defer_accept))
		return;
	// tcp_v4_fill_cb()/tcp_v6_fill_cb() set these before tcp_check_req().
	flags = BPF_CORE_READ(tcb, tcp_flags);
	if (!(flags & BPFWATCH_TCPHDR_ACK) ||
	    (flags & (BPFWATCH_TCPHDR_SYN | BPFWATCH_TCPHDR_FIN | BPFWATCH_TCPHDR_RST)) ||
	    BPF_CORE_READ(tcb, seq) != BPF_CORE_READ(tcb, end_seq))
		return;
	id.netns = sk->__sk_common.skc_net.net->ns.inum;
	id.inode = sk->sk_socket->file->f_inode->i_ino;
	count = bpf_map_lookup_elem(&defer_accept_drops, &id);
	if (count) {
		__sync_fetch_and_add(count, 1);
		return;
	}
	if (bpf_map_update_elem(&defer_accept_drops, &id, &one, BPF_NOEXIST)) {
		count = bpf_map_lookup_elem(&defer_accept_drops, &id); // another CPU made it first
		if (count)
			__sync_fetch_and_add(count, 1);
	}
}

SEC("tp_btf/kfree_skb")
int count_socket_drop(u64 *ctx)
{
	struct sk_buff *skb = (struct sk_buff *)ctx[0];
	struct bpfwatch_socket_drop_key key = {};
	struct sock *sk, *rx_sk;
	u64 one = 1, *count;
	u8 state;

	// Kernels before 5.17 pass no reason (the enum appeared with it): the
	// key keeps 0 there, and the agent names it NOT_SPECIFIED. volatile
	// keeps the read below the load-time constant check.
	if (bpf_core_type_exists(enum skb_drop_reason))
		key.reason = (u32)*(volatile u64 *)&ctx[2];
	// Dead code on kernels without rx_sk: the verifier never sees ctx[3] there.
	// The verifier types tp_btf arguments from BTF, so skb and rx_sk are
	// kernel pointers it lets the program read directly (faults caught):
	// plain loads, where BPF_CORE_READ would call a helper per field on a
	// hook that runs for every dropped packet. Field offsets still come
	// from CO-RE (vmlinux.h types carry preserve_access_index).
	sk = NULL;
	rx_sk = NULL;
	if (!use_skb_socket &&
	    bpf_core_field_exists(struct trace_event_raw_kfree_skb___bpfwatch, rx_sk))
		rx_sk = sk = (struct sock *)ctx[3];
	if (!sk)
		sk = skb->sk;
	if (sk) {
		key.family = sk->__sk_common.skc_family;
		key.netns = sk->__sk_common.skc_net.net->ns.inum;
		state = sk->__sk_common.skc_state;
		if (key.family == BPFWATCH_AF_INET || key.family == BPFWATCH_AF_INET6) {
			key.port = sk->__sk_common.skc_num;
			// A SYN-ACK's or time-wait ACK's skb->sk is a request or
			// time-wait socket: only its sock_common part exists, and
			// both are TCP's alone.
			if (state == TCP_NEW_SYN_RECV || state == TCP_TIME_WAIT) {
				key.protocol = IPPROTO_TCP;
			} else {
				key.protocol = sk->sk_protocol;
				key.cgroup_id = socket_cgroup_id(sk);
			}
		} else {
			// unix, netlink, packet...: full sockets whose skc_num and
			// sk_protocol are no port and no IP protocol.
			key.cgroup_id = socket_cgroup_id(sk);
		}
		if (sk == rx_sk && state == BPFWATCH_TCP_LISTEN && key.protocol == IPPROTO_TCP)
			count_defer_accept_drop(sk, skb, key.reason);
	}

	count = bpf_map_lookup_elem(&socket_drops, &key);
	if (count) {
		*count += 1; // per-CPU slot: no other writer
		return 0;
	}
	bpf_map_update_elem(&socket_drops, &key, &one, BPF_NOEXIST);
	return 0;
}
