// kretprobe on the getpgid syscall wrapper: counts returns of the test's
// magic calls (marked at entry by a kprobe on the same function) that
// returned -ESRCH, the answer for a pid that cannot exist.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#define ATTACH_RETURN_PROBE
#include "attach_test.h"

char LICENSE[] SEC("license") = "GPL";

SEC("kprobe/__x64_sys_getpgid")
int BPF_KPROBE(kretprobe_mark, const struct pt_regs *regs)
{
	if ((u32)PT_REGS_PARM1_CORE_SYSCALL(regs) == ATTACH_MAGIC_PID)
		mark_magic_entry();
	return 0;
}

SEC("kretprobe/__x64_sys_getpgid")
int BPF_KRETPROBE(kretprobe_getpgid, long ret)
{
	if (take_magic_entry() && ret == -ATTACH_ESRCH)
		count_magic_call();
	return 0;
}
