// An instrumented XDP program that handles multi-buffer frames (SEC
// "xdp.frags": loaded with BPF_F_XDP_HAS_FRAGS). The kernel lets a program
// tail-call only programs that agree on frags, and the hook takes that from
// the first program using it: a capture must load its programs with the
// flag too. Loading this program is enough to mark its hook; it is never
// attached.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "xdpcap_hook.h"

char LICENSE[] SEC("license") = "GPL";

XDPCAP_HOOK(xdpcap_frags_hook);

SEC("xdp.frags")
int xdpcap_frags(struct xdp_md *ctx)
{
	return xdpcap_exit(ctx, &xdpcap_frags_hook, XDP_PASS);
}
