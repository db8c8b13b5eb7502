// iter/tcp: counts the TCP sockets one walk visits and prints each one's
// local port. A walk covers the netns of the thread that starts it, so in a
// namespace the test made the count is exactly the sockets it opened there.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} tcp_sockets_visited SEC(".maps");

SEC("iter/tcp")
int iter_tcp_count(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	u32 zero = 0;
	u64 *n;

	if (!skc)
		return 0; /* the walk's end: called once more with no socket */
	n = bpf_map_lookup_elem(&tcp_sockets_visited, &zero);
	if (n)
		__sync_fetch_and_add(n, 1);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%u\n", skc->skc_num);
	return 0;
}
