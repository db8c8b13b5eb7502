// A uprobe and a USDT probe on binaries that do not exist, one by a relative
// path (as ebpf_exporter's tracing examples name their demo programs) and one
// by an absolute path: attaching each must say which binary is missing.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

#include <bpf/usdt.bpf.h>

SEC("usdt/./no-such-dir/demo:bpfwatch:probe")
int BPF_USDT(usdt_missing_relative)
{
	return 0;
}

SEC("uprobe//no-such-dir/bpfwatch-demo:main")
int BPF_KPROBE(uprobe_missing_absolute)
{
	return 0;
}
