// XDP in ebpf_exporter's section form xdp/<interface>, which libbpf 1.1 does
// not know: bpfwatch attaches it to the interface of that name in the netns
// of the attaching thread. The test makes bwxdp1 in a namespace of its own.
// Counts IPv4 UDP datagrams to ATTACH_XDP_PORT and drops them (the receiving
// end has no address: they would be dropped anyway); passes everything else,
// such as the IPv6 neighbour discovery a new link sends.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

#define ATTACH_XDP_PORT 47806
#define ETH_P_IP 0x0800
#define IPPROTO_UDP 17

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} xdp_magic_packets SEC(".maps");

SEC("xdp/bwxdp1")
int xdp_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp;
	u32 zero = 0;
	u64 *n;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->protocol != IPPROTO_UDP
	    || ip->ihl != 5)
		return XDP_PASS;
	udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > end || udp->dest != bpf_htons(ATTACH_XDP_PORT))
		return XDP_PASS;
	n = bpf_map_lookup_elem(&xdp_magic_packets, &zero);
	if (n)
		__sync_fetch_and_add(n, 1);
	return XDP_DROP;
}
