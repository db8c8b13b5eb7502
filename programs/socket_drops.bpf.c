// Counts freed-as-dropped packets by (drop reason, local port, protocol)
// of the socket they were dropped at: the third-ACK overflow of a TCP
// listener (TCP_LISTEN_OVERFLOW), a UDP socket's full buffer
// (SOCKET_RCVBUFF, PROTO_MEM) or its filter (SOCKET_FILTER), per port.
//
// The socket is the tracepoint's rx_sk (Linux 6.11 and later), the socket a
// received packet was meant for. It is empty for packets being sent, whose
// skb->sk is their sender: a queue discipline's drops (QDISC_DROP) then
// count at the sending application's port. Kernels before 6.11 lack rx_sk
// and have only skb->sk, which the receive path has mostly not set yet, so
// there most receive drops count without a port.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

// Layout shared with SocketDropKey.java: 8 bytes.
struct bpfwatch_socket_drop_key {
	u32 reason;
	u16 port;	// host order; 0 when the packet had no socket
	u16 protocol;	// IPPROTO_*; 0 when the packet had no socket
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct bpfwatch_socket_drop_key);
	__type(value, u64);
} socket_drops SEC(".maps");

struct trace_event_raw_kfree_skb___bpfwatch {
	void *rx_sk;
} __attribute__((preserve_access_index));

// Non-zero: take the socket from the skb even where rx_sk exists, as on
// kernels before 6.11. Set before load (a constant to the verifier), so the
// older kernels' path can be run and tested on a newer kernel.
const volatile u8 use_skb_socket = 0;

SEC("tp_btf/kfree_skb")
int count_socket_drop(u64 *ctx)
{
	struct sk_buff *skb = (struct sk_buff *)ctx[0];
	struct bpfwatch_socket_drop_key key = {};
	struct sock *sk;
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
	if (!use_skb_socket &&
	    bpf_core_field_exists(struct trace_event_raw_kfree_skb___bpfwatch, rx_sk))
		sk = (struct sock *)ctx[3];
	if (!sk)
		sk = skb->sk;
	if (sk) {
		key.port = sk->__sk_common.skc_num;
		state = sk->__sk_common.skc_state;
		// A SYN-ACK's or time-wait ACK's skb->sk is a request or
		// time-wait socket: only its sock_common part exists, and both
		// are TCP's alone.
		if (state == TCP_NEW_SYN_RECV || state == TCP_TIME_WAIT)
			key.protocol = IPPROTO_TCP;
		else
			key.protocol = sk->sk_protocol;
	}

	count = bpf_map_lookup_elem(&socket_drops, &key);
	if (count) {
		*count += 1; // per-CPU slot: no other writer
		return 0;
	}
	bpf_map_update_elem(&socket_drops, &key, &one, BPF_NOEXIST);
	return 0;
}
