// One trivial program per attach type. The agent loads and attaches each on
// its own at start-up to learn which hook types this kernel offers: a
// kernel can have the program type yet refuse the attachment (no
// CONFIG_KPROBES, fentry blocked by lockdown), so only a real attach tells.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

// Cold hooks only. Attaching patches kernel text at the hook (a static key, a
// function's entry), and a hook on a path every process takes makes the whole
// machine pay while the probe holds it: a sys_enter tracepoint sends every
// syscall of every task through the slow path. Under emulation (the kernel
// matrix's guests) patching a site another CPU is running can also oops the
// guest (int3), which sys_enter and an open() path, both hot during the JVM's
// start, did. Exec and getpgid are rare; both exist on every kernel bpfwatch
// supports.
SEC("tracepoint/sched/sched_process_exec")
int probe_tracepoint(void *ctx) { return 0; }

SEC("raw_tp/sched_process_exec")
int probe_raw_tp(void *ctx) { return 0; }

SEC("tp_btf/sched_process_exec")
int probe_tp_btf(void *ctx) { return 0; }

SEC("kprobe/__x64_sys_getpgid")
int probe_kprobe(void *ctx) { return 0; }

SEC("fentry/__x64_sys_getpgid")
int BPF_PROG(probe_fentry) { return 0; }

SEC("iter/tcp")
int probe_iter_tcp(struct bpf_iter__tcp *ctx) { return 0; }

SEC("iter/udp")
int probe_iter_udp(struct bpf_iter__udp *ctx) { return 0; }

// No field access anywhere in this object: vmlinux.h marks its structs for
// CO-RE, and a single relocation (skb->len here once) makes libbpf parse the
// kernel's BTF for every probe loaded from the object, tracepoint and kprobe
// included: four parses of tens of MB each at every start, for nothing.
// Loaded only, never attached, so what it returns does not matter.
SEC("socket")
int probe_socket_filter(void *skb) { return 0; }
