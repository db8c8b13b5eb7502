// raw_tp on sys_enter (every syscall): counts the test's magic getpgid calls.
// A raw tracepoint gets untyped arguments, so the registers are read with
// CO-RE probe reads.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "attach_test.h"

char LICENSE[] SEC("license") = "GPL";

#define X86_64_NR_GETPGID 121

SEC("raw_tp/sys_enter")
int BPF_PROG(raw_tp_sys_enter, struct pt_regs *regs, long id)
{
	if (id == X86_64_NR_GETPGID && (u32)BPF_CORE_READ(regs, di) == ATTACH_MAGIC_PID)
		count_magic_call();
	return 0;
}
