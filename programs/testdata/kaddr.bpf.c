// ebpf_exporter's kaddrs: the agent writes a kernel symbol's address into
// kaddr_<symbol> before load; the program hands it back through a map.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

const volatile u64 kaddr_tcp_v4_connect = 0;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} kaddr_seen SEC(".maps");

SEC("tp_btf/kfree_skb")
int BPF_PROG(report_kaddr)
{
	u32 zero = 0;
	u64 addr = kaddr_tcp_v4_connect;

	bpf_map_update_elem(&kaddr_seen, &zero, &addr, BPF_ANY);
	return 0;
}
