/*
 * Shared by the attach-type tests (testdata/attach_*.bpf.c): each program
 * counts, per process, the calls a test makes on purpose and no others.
 * getpgid(ATTACH_MAGIC_PID) is such a call: the value is above any pid_max
 * (at most 2^22), so no real caller passes it, and the kernel answers ESRCH.
 */
#ifndef ATTACH_TEST_H
#define ATTACH_TEST_H

#define ATTACH_MAGIC_PID 0x7eadbeef
#define ATTACH_ESRCH 3

/* Calls seen, keyed by the tgid (the pid as user space knows it) that made them. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, u32);
	__type(value, u64);
} magic_calls SEC(".maps");

static __always_inline void count_magic_call(void)
{
	u32 tgid = bpf_get_current_pid_tgid() >> 32;
	u64 zero = 0, *n;

	/* Create-then-add, so two threads' first calls cannot overwrite each other. */
	bpf_map_update_elem(&magic_calls, &tgid, &zero, BPF_NOEXIST);
	n = bpf_map_lookup_elem(&magic_calls, &tgid);
	if (n)
		__sync_fetch_and_add(n, 1);
}

#ifdef ATTACH_RETURN_PROBE
/*
 * Return probes (kretprobe, uretprobe) see the return value but not the
 * argument: the entry probe marks the thread making a magic call, the
 * return probe counts only for a marked thread, and unmarks it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, u32);
	__type(value, u8);
} magic_in_flight SEC(".maps");

static __always_inline void mark_magic_entry(void)
{
	u32 tid = (u32)bpf_get_current_pid_tgid();
	u8 one = 1;

	bpf_map_update_elem(&magic_in_flight, &tid, &one, BPF_ANY);
}

/* True once per marked entry: the return of the call the entry probe marked. */
static __always_inline int take_magic_entry(void)
{
	u32 tid = (u32)bpf_get_current_pid_tgid();

	return bpf_map_delete_elem(&magic_in_flight, &tid) == 0;
}
#endif /* ATTACH_RETURN_PROBE */

#endif
