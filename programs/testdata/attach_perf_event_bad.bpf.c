// A perf_event section with a misspelt key ("frequncy"), beside a program and
// a map that are fine: loading must fail naming the program and the section,
// before anything of the object reaches the kernel.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} bad_section_runs SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int bad_section_fine_neighbour(void *ctx)
{
	u32 zero = 0;
	u64 *n = bpf_map_lookup_elem(&bad_section_runs, &zero);

	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}

SEC("perf_event/type=1,config=0,frequncy=100")
int bad_section_misspelt(struct bpf_perf_event_data *ctx)
{
	return 0;
}
