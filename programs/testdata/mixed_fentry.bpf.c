// One object, five programs, for "a program this kernel cannot take does
// not stop the rest": a raw tracepoint that loads everywhere, an fentry on
// the getpgid syscall wrapper (kernels with trampolines), an fentry on a
// function no kernel has, a tp_btf and a raw_tp on a tracepoint no kernel
// has. Each counts the test's magic getpgid calls in a map of its own (the
// last three share one).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

#define MAGIC_PID 0x7eadbeef
#define X86_64_NR_GETPGID 121

struct calls_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, u32);
	__type(value, u64);
};

struct calls_map raw_tp_calls SEC(".maps");
struct calls_map fentry_calls SEC(".maps");
struct calls_map missing_calls SEC(".maps");

static __always_inline void count(void *map)
{
	u32 tgid = bpf_get_current_pid_tgid() >> 32;
	u64 zero = 0, *n;

	bpf_map_update_elem(map, &tgid, &zero, BPF_NOEXIST);
	n = bpf_map_lookup_elem(map, &tgid);
	if (n)
		__sync_fetch_and_add(n, 1);
}

SEC("raw_tp/sys_enter")
int BPF_PROG(mixed_raw_tp, struct pt_regs *regs, long id)
{
	if (id == X86_64_NR_GETPGID && (u32)BPF_CORE_READ(regs, di) == MAGIC_PID)
		count(&raw_tp_calls);
	return 0;
}

SEC("fentry/__x64_sys_getpgid")
int BPF_PROG(mixed_fentry, const struct pt_regs *regs)
{
	if ((u32)BPF_CORE_READ(regs, di) == MAGIC_PID)
		count(&fentry_calls);
	return 0;
}

SEC("fentry/bpfwatch_no_such_function")
int BPF_PROG(mixed_fentry_missing, const struct pt_regs *regs)
{
	count(&missing_calls);
	return 0;
}

// A BTF tracepoint no kernel has: libbpf failed the whole object with ESRCH.
SEC("tp_btf/bpfwatch_no_such_tracepoint")
int BPF_PROG(mixed_tp_btf_missing)
{
	count(&missing_calls);
	return 0;
}

// A raw tracepoint no kernel has: it loads (raw_tp programs name no target
// at load) and fails at attach, where libbpf's line was a bare ENOENT.
SEC("raw_tp/bpfwatch_no_such_tracepoint")
int BPF_PROG(mixed_raw_tp_missing)
{
	count(&missing_calls);
	return 0;
}
