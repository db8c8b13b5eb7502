// An XDP program instrumented for xdpcap as a user would do it
// (programs/include/xdpcap_hook.h): passes every packet but IPv4 UDP to
// XDPCAP_DROP_PORT, which it drops, each verdict leaving through the hook.
// The section names the interface the capture tests make (bwcap1): bpfwatch
// attaches it there in the test's netns.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "xdpcap_hook.h"

char LICENSE[] SEC("license") = "GPL";

#define XDPCAP_DROP_PORT 47807
#define ETH_P_IP 0x0800
#define IPPROTO_UDP 17

XDPCAP_HOOK(xdpcap_hook);

SEC("xdp/bwcap1")
int xdpcap_instrumented(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);

	if ((void *)(udp + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5
	    || ip->protocol != IPPROTO_UDP || udp->dest != bpf_htons(XDPCAP_DROP_PORT))
		return xdpcap_exit(ctx, &xdpcap_hook, XDP_PASS);
	return xdpcap_exit(ctx, &xdpcap_hook, XDP_DROP);
}
