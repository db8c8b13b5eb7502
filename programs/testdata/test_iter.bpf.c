// Prints "port state" for every TCP socket of the caller's netns, so tests
// can find their own listener in what the iterator wrote.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/tcp")
int dump_tcp(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct seq_file *seq = ctx->meta->seq;

	if (!skc)
		return 0;
	BPF_SEQ_PRINTF(seq, "%u %u\n", skc->skc_num, skc->skc_state);
	return 0;
}
