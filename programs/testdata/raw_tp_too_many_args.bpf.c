// A raw tracepoint program that reads more arguments than its tracepoint has:
// sys_enter has two (regs, id), this reads a fifth. The verifier takes it (a
// raw tracepoint's arguments are untyped); the kernel refuses the attach
// with EINVAL. Programs written for another kernel's tracepoint (an argument
// added or removed since) fail the same way.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("raw_tp/sys_enter")
int raw_tp_reads_too_far(struct bpf_raw_tracepoint_args *ctx)
{
	return ctx->args[4] != 0;
}
