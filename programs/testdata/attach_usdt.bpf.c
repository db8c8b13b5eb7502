// USDT python:audit in Debian's python3.11 (Debian's libc has no USDT
// notes). It fires on sys.audit(event), but only while its semaphore is
// raised, which libbpf asks the kernel to do on attach: the count also
// proves the semaphore handling. Counts events named ATTACH_USDT_EVENT per
// process; the interpreter's own audit events have other names.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "attach_test.h"

char LICENSE[] SEC("license") = "GPL";

#include <bpf/usdt.bpf.h>

#define ATTACH_USDT_EVENT "bpfwatch.magic"

SEC("usdt//usr/bin/python3.11:python:audit")
int BPF_USDT(usdt_python_audit, const char *event, void *args)
{
	const char want[] = ATTACH_USDT_EVENT;
	char got[sizeof(want)];

	if (bpf_probe_read_user_str(got, sizeof(got), event) != sizeof(got))
		return 0;
	for (int i = 0; i < sizeof(want); i++) {
		if (got[i] != want[i])
			return 0;
	}
	count_magic_call();
	return 0;
}
