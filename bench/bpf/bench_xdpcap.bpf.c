// xdpcap benchmark: the same XDP program (passes everything) without a
// hook and with one (programs/include/xdpcap_hook.h), attached in turn to
// `lo` of the benchmark's own netns (generic XDP). Their run time from BPF
// stats includes whatever the hook tail-calls into, so "hooked" measures
// an empty hook, a capture whose filter never matches, and one that writes
// every packet.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "xdpcap_hook.h"

char LICENSE[] SEC("license") = "GPL";

XDPCAP_HOOK(bench_xdpcap_hook);

SEC("xdp/lo")
int bench_xdp_plain(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp/lo")
int bench_xdp_hooked(struct xdp_md *ctx)
{
	return xdpcap_exit(ctx, &bench_xdpcap_hook, XDP_PASS);
}
