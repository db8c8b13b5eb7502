// tp_btf on sys_enter: as raw_tp, but the arguments are BTF-typed, so the
// registers are read with plain loads the verifier checks.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "attach_test.h"

char LICENSE[] SEC("license") = "GPL";

#define X86_64_NR_GETPGID 121

SEC("tp_btf/sys_enter")
int BPF_PROG(tp_btf_sys_enter, struct pt_regs *regs, long id)
{
	if (id == X86_64_NR_GETPGID && (u32)regs->di == ATTACH_MAGIC_PID)
		count_magic_call();
	return 0;
}
