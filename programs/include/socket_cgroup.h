/* The cgroup v2 id of the process that created a (full) socket, on every kernel bpfwatch runs on. */
#ifndef BPFWATCH_SOCKET_CGROUP_H
#define BPFWATCH_SOCKET_CGROUP_H

// Before 5.15 struct sock_cgroup_data was a union: `val` held the cgroup
// pointer, or, with its low bit set, classid/prioidx data and then the
// socket belongs to the root cgroup (sock_cgroup_ptr() in those kernels).
struct sock_cgroup_data___pre515 {
	u64 val;
} __attribute__((preserve_access_index));

struct sock___pre515 {
	struct sock_cgroup_data___pre515 sk_cgrp_data;
} __attribute__((preserve_access_index));

#define BPFWATCH_ROOT_CGROUP_ID 1

static __always_inline u64 socket_cgroup_id(struct sock *sk)
{
	if (bpf_core_field_exists(sk->sk_cgrp_data.cgroup))
		return BPF_CORE_READ(sk, sk_cgrp_data.cgroup, kn, id);

	struct sock___pre515 *old = (void *)sk;
	u64 val = BPF_CORE_READ(old, sk_cgrp_data.val);
	struct cgroup *cgrp = (struct cgroup *)val;

	if (!val || (val & 1))
		return BPFWATCH_ROOT_CGROUP_ID;
	return BPF_CORE_READ(cgrp, kn, id);
}

#endif
