// perf_event programs in ebpf_exporter's section form, which libbpf 1.1 does
// not know: bpfwatch opens one cpu-clock event (type 1 PERF_TYPE_SOFTWARE,
// config 0 PERF_COUNT_SW_CPU_CLOCK) per online CPU and attaches to each.
// Both ways of giving the rate ask for 100 samples a second per CPU
// (cpu-clock counts nanoseconds, so a period of 10,000,000 is 10 ms).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* Samples per CPU: [0] the frequency program's, [1] the sample_period program's. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, u32);
	__type(value, u64);
} cpu_clock_samples SEC(".maps");

static __always_inline void count_sample(u32 slot)
{
	u64 *n = bpf_map_lookup_elem(&cpu_clock_samples, &slot);

	if (n)
		(*n)++; /* per-CPU slot, and a perf event never nests on its CPU */
}

SEC("perf_event/type=1,config=0,frequency=100")
int cpu_clock_by_frequency(struct bpf_perf_event_data *ctx)
{
	count_sample(0);
	return 0;
}

SEC("perf_event/type=1,config=0,sample_period=10000000")
int cpu_clock_by_period(struct bpf_perf_event_data *ctx)
{
	count_sample(1);
	return 0;
}

/* A software event number no kernel has (PERF_COUNT_SW_MAX is far below): attaching must fail cleanly. */
SEC("perf_event/type=1,config=4242,frequency=100")
int no_such_event(struct bpf_perf_event_data *ctx)
{
	return 0;
}
