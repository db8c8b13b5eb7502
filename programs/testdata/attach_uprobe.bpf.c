// uprobe on libc's getpgid (Debian's multiarch path, absolute: libbpf 1.1
// searches only /usr/lib64 and /usr/lib for bare library names): counts the
// test's magic calls, made through libc by the test's JVM.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "attach_test.h"

char LICENSE[] SEC("license") = "GPL";

SEC("uprobe//lib/x86_64-linux-gnu/libc.so.6:getpgid")
int BPF_KPROBE(uprobe_getpgid, int pid)
{
	if ((u32)pid == ATTACH_MAGIC_PID)
		count_magic_call();
	return 0;
}
