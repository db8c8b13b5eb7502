/* The xdpcap hook for your XDP programs: `bpfwatch xdpcap` captures the
 * packets of a program that ends every path with xdpcap_exit().
 *
 * Include after vmlinux.h (or linux/bpf.h) and bpf/bpf_helpers.h:
 *
 *     XDPCAP_HOOK(xdpcap_hook);
 *
 *     SEC("xdp")
 *     int my_prog(struct xdp_md *ctx)
 *     {
 *             ...
 *             return xdpcap_exit(ctx, &xdpcap_hook, XDP_PASS);
 *     }
 *
 * Pin the map (e.g. __uint(pinning, LIBBPF_PIN_BY_NAME) in a copy of the
 * definition, or bpftool map pin) and run `bpfwatch xdpcap PIN out.pcap`.
 * While no capture runs, every slot is empty and the tail call falls
 * through: the cost is one failed tail call (about 5 ns here).
 */
#ifndef BPFWATCH_XDPCAP_HOOK_H
#define BPFWATCH_XDPCAP_HOOK_H

/* One slot per XDP action: XDP_ABORTED 0, XDP_DROP 1, XDP_PASS 2, XDP_TX 3,
 * XDP_REDIRECT 4. A capture puts a program in the slot of each action it
 * captures; that program returns the same action. */
#define XDPCAP_SLOTS 5

/* A PROG_ARRAY with 4-byte keys and values, the layout bpfwatch checks.
 * Sizes rather than BTF types: the kernel keeps no BTF for a prog array. */
#define XDPCAP_HOOK(name)                                      \
	struct {                                               \
		__uint(type, BPF_MAP_TYPE_PROG_ARRAY);         \
		__uint(max_entries, XDPCAP_SLOTS);             \
		__uint(key_size, sizeof(__u32));               \
		__uint(value_size, sizeof(__u32));             \
	} name SEC(".maps")

/* Return through this with the verdict: a capture's program for that action
 * runs in place of the return (and returns the same action); with no
 * capture running the tail call fails and the action is returned here. */
static __always_inline int xdpcap_exit(struct xdp_md *ctx, void *hook, enum xdp_action action)
{
	bpf_tail_call(ctx, hook, action);
	return action;
}

#endif
