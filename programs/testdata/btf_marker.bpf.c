// Counts getpgid calls under whether CO-RE found struct bpfwatch_btf_marker in
// the target BTF: never in a kernel's, always in this object's own BTF, which
// the --btf.path test hands to libbpf in place of the kernel's.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

struct bpfwatch_btf_marker {
	int bpfwatch_marker_field;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, u32);
	__type(value, u64);
} btf_marker_calls_total SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getpgid")
int btf_marker(void *ctx)
{
	u32 found = bpf_core_type_exists(struct bpfwatch_btf_marker) ? 1 : 0;
	u64 *n = bpf_map_lookup_elem(&btf_marker_calls_total, &found);

	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}
