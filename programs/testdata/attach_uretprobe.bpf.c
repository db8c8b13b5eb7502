// uretprobe on libc's getpgid: counts returns of the test's magic calls
// (marked at entry by a uprobe on the same function) that returned -1, libc's
// failure value (errno ESRCH).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#define ATTACH_RETURN_PROBE
#include "attach_test.h"

char LICENSE[] SEC("license") = "GPL";

SEC("uprobe//lib/x86_64-linux-gnu/libc.so.6:getpgid")
int BPF_KPROBE(uretprobe_mark, int pid)
{
	if ((u32)pid == ATTACH_MAGIC_PID)
		mark_magic_entry();
	return 0;
}

SEC("uretprobe//lib/x86_64-linux-gnu/libc.so.6:getpgid")
int BPF_KRETPROBE(uretprobe_getpgid, int ret)
{
	if (take_magic_entry() && ret == -1)
		count_magic_call();
	return 0;
}
