// Sends one perf event per UDP packet dropped for want of a socket
// (NO_SOCKET), as ebpf_exporter's perf_event_array counters expect: the
// event's leading bytes are the labels. Tests send to a port nobody listens
// on, so the events for that port are exactly what they sent.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "udp_drop.h"

char LICENSE[] SEC("license") = "GPL";

struct udp_drop_event {
	u32 daddr;	/* network order, for inet_ip */
	u16 dport;	/* host order, for uint */
	u16 pad;
	u64 payload;	/* past the labels: ignored by the counter */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(u32));
	__uint(value_size, sizeof(u32));
} udp_drop_events SEC(".maps");

SEC("tp_btf/kfree_skb")
int BPF_PROG(emit_udp_drop, struct sk_buff *skb, void *location, enum skb_drop_reason reason)
{
	struct udp_drop_event ev = {};
	struct iphdr ip;
	struct udphdr uh;

	if (udp_no_socket_drop(skb, reason, &ip, &uh))
		return 0;
	ev.daddr = ip.daddr;
	ev.dport = bpf_ntohs(uh.dest);
	ev.payload = bpf_ntohs(uh.len) - sizeof(uh);
	bpf_perf_event_output(ctx, &udp_drop_events, BPF_F_CURRENT_CPU, &ev, sizeof(ev));
	return 0;
}
