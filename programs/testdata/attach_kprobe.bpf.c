// kprobe on the x86_64 syscall wrapper of getpgid: counts the test's magic
// calls. Since 4.17 the wrapper's one argument is the user's struct pt_regs,
// so the pid is that struct's first syscall argument, read with CO-RE.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "attach_test.h"

char LICENSE[] SEC("license") = "GPL";

SEC("kprobe/__x64_sys_getpgid")
int BPF_KPROBE(kprobe_getpgid, const struct pt_regs *regs)
{
	if ((u32)PT_REGS_PARM1_CORE_SYSCALL(regs) == ATTACH_MAGIC_PID)
		count_magic_call();
	return 0;
}
