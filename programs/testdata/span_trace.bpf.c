// Spans in ebpf_exporter's tracing layout for the processes a test runs:
// every exec of a program whose name starts with "bpfw-span" starts a trace.
// At exec a child span ("exec_child_spans", named after the program) is
// sent at once; at exit the process's own span ("exec_spans", the child's
// parent, lasting from exec to exit) follows. Tests run the program N times
// and expect N of each, joined by their ids.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

#define PREFIX "bpfw-span"
#define PREFIX_LEN (sizeof(PREFIX) - 1)

struct span_base {
	u64 trace_id_hi;
	u64 trace_id_lo;
	u64 parent_span_id;
	u64 span_id;
	u64 start_ns;
	u64 duration_ns;
};

/* The process's own span: attributes tgid and comm after the base. */
struct exec_span {
	struct span_base base;
	u32 tgid;
	char comm[16];
	u32 kind;	/* static_map: 1 -> "exec" */
};

/* Sent at exec: named by span_name (the program's name). */
struct exec_child_span {
	struct span_base base;
	char name[16];
	u32 cpu;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} exec_spans SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} exec_child_spans SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u32);
	__type(value, struct exec_span);
} running SEC(".maps");

static __always_inline bool traced(const char *comm)
{
	const char prefix[] = PREFIX;

	for (int i = 0; i < PREFIX_LEN; i++) {
		if (comm[i] != prefix[i])
			return false;
	}
	return true;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(span_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct exec_span span = {};
	struct exec_child_span *child;
	u64 now = bpf_ktime_get_ns();

	bpf_probe_read_kernel_str(span.comm, sizeof(span.comm), p->comm);
	if (!traced(span.comm))
		return 0;
	span.tgid = p->tgid;
	span.kind = 1;
	span.base.trace_id_hi = 0x62707700ULL;	/* "bpw" */
	span.base.trace_id_lo = now;
	span.base.span_id = now;
	span.base.start_ns = now;
	bpf_map_update_elem(&running, &span.tgid, &span, BPF_ANY);

	child = bpf_ringbuf_reserve(&exec_child_spans, sizeof(*child), 0);
	if (!child)
		return 0;
	child->base = span.base;
	child->base.parent_span_id = now;
	child->base.span_id = now + 1;
	child->base.duration_ns = 0;
	__builtin_memcpy(child->name, span.comm, sizeof(child->name));
	child->cpu = bpf_get_smp_processor_id();
	bpf_ringbuf_submit(child, 0);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(span_exit, struct task_struct *p)
{
	u32 tgid = p->tgid;
	struct exec_span *span, *out;

	if (p->pid != p->tgid)
		return 0;
	span = bpf_map_lookup_elem(&running, &tgid);
	if (!span)
		return 0;
	out = bpf_ringbuf_reserve(&exec_spans, sizeof(*out), 0);
	if (out) {
		*out = *span;
		out->base.duration_ns = bpf_ktime_get_ns() - span->base.start_ns;
		bpf_ringbuf_submit(out, 0);
	}
	bpf_map_delete_elem(&running, &tgid);
	return 0;
}
