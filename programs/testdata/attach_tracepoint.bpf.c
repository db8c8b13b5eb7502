// The syscalls:sys_enter_getpgid tracepoint: counts the test's magic calls.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "attach_test.h"

char LICENSE[] SEC("license") = "GPL";

SEC("tracepoint/syscalls/sys_enter_getpgid")
int tracepoint_getpgid(struct trace_event_raw_sys_enter *ctx)
{
	if ((u32)ctx->args[0] == ATTACH_MAGIC_PID)
		count_magic_call();
	return 0;
}
