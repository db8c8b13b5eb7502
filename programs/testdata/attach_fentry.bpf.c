// fentry on the getpgid syscall wrapper (in vmlinux BTF since 5.5): counts
// the test's magic calls.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "attach_test.h"

char LICENSE[] SEC("license") = "GPL";

SEC("fentry/__x64_sys_getpgid")
int BPF_PROG(fentry_getpgid, const struct pt_regs *regs)
{
	if ((u32)BPF_CORE_READ(regs, di) == ATTACH_MAGIC_PID)
		count_magic_call();
	return 0;
}
