// A kprobe on a function no kernel has: where kprobes exist, the attach
// failure must name the function, not claim kprobes are missing.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("kprobe/bpfwatch_no_such_function")
int kprobe_nowhere(void *ctx)
{
	return 0;
}
