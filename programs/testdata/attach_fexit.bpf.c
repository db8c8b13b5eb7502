// fexit on the getpgid syscall wrapper: sees the argument and the return
// value together, so it counts magic calls that returned -ESRCH with no
// entry marker.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "attach_test.h"

char LICENSE[] SEC("license") = "GPL";

SEC("fexit/__x64_sys_getpgid")
int BPF_PROG(fexit_getpgid, const struct pt_regs *regs, long ret)
{
	if ((u32)BPF_CORE_READ(regs, di) == ATTACH_MAGIC_PID && ret == -ATTACH_ESRCH)
		count_magic_call();
	return 0;
}
