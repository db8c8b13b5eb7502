/* For test programs: the headers of a UDP-over-IPv4 packet freed as NO_SOCKET. */
#ifndef BPFWATCH_UDP_DROP_H
#define BPFWATCH_UDP_DROP_H

#include <bpf/bpf_core_read.h>

/*
 * Copies the IPv4 and UDP headers of an skb that kfree_skb dropped for want
 * of a socket. Returns 0 when it is such a packet, -1 for any other drop:
 * tests send UDP to a port nobody listens on, so these are exactly theirs.
 */
static __always_inline int udp_no_socket_drop(struct sk_buff *skb, enum skb_drop_reason reason,
					      struct iphdr *ip, struct udphdr *uh)
{
	unsigned char *head;

	if (reason != bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_NO_SOCKET))
		return -1;
	head = BPF_CORE_READ(skb, head);
	if (bpf_probe_read_kernel(ip, sizeof(*ip), head + BPF_CORE_READ(skb, network_header)))
		return -1;
	if (ip->version != 4 || ip->protocol != IPPROTO_UDP)
		return -1;
	if (bpf_probe_read_kernel(uh, sizeof(*uh), head + BPF_CORE_READ(skb, transport_header)))
		return -1;
	return 0;
}

#endif
