// Maps of each kind the binding walks, filled by the tests from Java.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, u64);
	__type(value, u64);
} test_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, u32);
	__type(value, u32);
} test_percpu_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 64);
	__type(key, u32);
	__type(value, u64);
} test_array SEC(".maps");

struct test_lpm_key {
	u32 prefixlen;
	u8 addr[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 256);
	__type(key, struct test_lpm_key);
	__type(value, u64);
} test_lpm SEC(".maps");

// Maps without a program never load: give the object one that does nothing.
SEC("socket")
int test_maps_anchor(struct __sk_buff *skb)
{
	return skb->len;
}
