// ebpf_exporter's run-once-after-attach form: the program counts its runs,
// which must be exactly one per attach.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} post_attach_runs SEC(".maps");

SEC("uprobe//proc/self/exe:post_attach_mark")
int post_attach_init()
{
	u32 zero = 0;
	u64 *n = bpf_map_lookup_elem(&post_attach_runs, &zero);

	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}
