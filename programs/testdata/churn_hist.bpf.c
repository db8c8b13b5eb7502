// A histogram in an LRU map smaller than the keys a test writes into it
// from user space (label, bucket): bucket keys are evicted and come back
// with small counts, and label sets outnumber a low series limit.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct churn_hist_key {
	u32 label;
	u32 bucket;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 64);
	__type(key, struct churn_hist_key);
	__type(value, u64);
} churn_hist SEC(".maps");

SEC("socket")
int churn_hist_anchor(struct __sk_buff *skb)
{
	return skb->len;
}
