// Rate-limits a UDP socket per destination IP: the local address each
// datagram was sent to, so one socket bound to 0.0.0.0 / :: that serves many
// addresses (a DNS server, say) gives each address its own token bucket and
// a flood against one of them does not starve the others.
//
// Attached with SO_ATTACH_BPF. UDP runs socket filters from
// udp_queue_rcv_one_skb() / udpv6_queue_rcv_one_skb() through
// sk_filter_trim_cap(), after ip_local_deliver_finish() has pulled the IP
// header: skb->data (offset 0 here) is the UDP header and skb->len the UDP
// length. The IP header is still in the linear area behind data, and
// skb->network_header still points at it, so it is read relative to
// BPF_HDR_START_NET rather than at a negative offset from data.
//
// A returned value of 0 drops the datagram (counted by the kernel as
// SKB_DROP_REASON_SOCKET_FILTER); anything >= skb->len keeps it whole.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

// Not in vmlinux.h: they are #defines in the kernel, not BTF types.
#define UDPRL_ETH_P_IP   0x0800
#define UDPRL_ETH_P_IPV6 0x86DD

#define UDPRL_NSEC_PER_SEC 1000000000ULL

// Each failed compare-and-swap means another CPU just admitted a packet on
// the same bucket, so the loop is short unless the bucket is being drained
// hard; the bound only keeps the verifier (and the worst case) finite.
#define UDPRL_CAS_TRIES 8

// Every struct below is part of the agent's interface: fixed size, naturally
// aligned, no implicit padding, so Java reads them by offset.

// 16 bytes. IPv4 is stored v4-mapped (::ffff:a.b.c.d) so one key type serves
// IPv4, IPv6 and dual-stack sockets receiving IPv4.
struct udprl_addr {
	__u8 addr[16];
};

// 20 bytes. LPM trie key: prefixlen counts bits of the 16-byte mapped form,
// so an IPv4 /24 is 96 + 24 = 120.
struct udprl_prefix {
	__u32 prefixlen;
	__u8 addr[16];
};

// 16 bytes. rate_pps == 0 means no limit: pass everything, still count.
struct udprl_config {
	__u64 rate_pps;
	__u64 burst;
};

// 24 bytes. tat_ns is the GCRA theoretical arrival time on the
// bpf_ktime_get_ns() clock (CLOCK_MONOTONIC).
struct udprl_bucket {
	__u64 tat_ns;
	__u64 passed;
	__u64 dropped;
};

// 24 bytes, per CPU: the agent sums over CPUs.
struct udprl_totals {
	__u64 passed;
	__u64 dropped;
	__u64 not_ip;
};

// Slot 0 (UDPRL_DEFAULT): the limit for addresses without an override.
// Slot 1 (UDPRL_OVERRIDE_COUNT): rate_pps holds how many entries
// udprl_overrides has, kept by bpfwatch whenever it changes one. Most
// filters have none, and the trie lookup is a function call and another
// cache line on every packet; this slot shares slot 0's cache line.
#define UDPRL_DEFAULT        0
#define UDPRL_OVERRIDE_COUNT 1

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct udprl_config);
} udprl_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC); // LPM tries require it
	__uint(max_entries, 1024);
	__type(key, struct udprl_prefix);
	__type(value, struct udprl_config);
} udprl_overrides SEC(".maps");

// LRU so that a flood over random destination addresses (possible on a
// socket bound to a whole routed prefix) evicts idle buckets instead of
// failing inserts once full; an evicted address simply starts a fresh burst.
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct udprl_addr);
	__type(value, struct udprl_bucket);
} udprl_buckets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct udprl_totals);
} udprl_totals SEC(".maps");

// Where user space attached this filter: socket inode -> who holds it.
// Written and read by bpfwatch only, never by the program. bpffs holds no
// regular files, so this record lives in a map pinned beside the others and
// any process that finds the pins also finds where the filter is attached.
struct udprl_socket {
	__u32 pid;
	__u32 fd;
	__u32 port;
	__u32 flags;		// bit 0: follow the port (udp-limit attach --follow)
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u64);
	__type(value, struct udprl_socket);
} udprl_sockets SEC(".maps");

// Per-CPU slots still use atomic adds: a run from process context can be
// interrupted by a softirq running this same filter on the same CPU, and a
// plain read-modify-write would lose a count. Uncontended, it costs little.
static __always_inline void count_total(__u64 *field, __u64 n)
{
	__sync_fetch_and_add(field, n);
}

// Fills *dst with the packet's destination address, v4-mapped for IPv4.
// Returns 0 on success, -1 if the packet is not IP or the header is not
// where the socket filter expects it.
//
// One bpf_skb_load_bytes_relative() call per packet: each helper call is a
// measurable share of the filter's cost, so the whole fixed header comes
// over at once and the version nibble and address are read from the copy.
static __always_inline int read_daddr(struct __sk_buff *skb,
				      struct udprl_addr *dst)
{
	union {
		struct iphdr v4;
		struct ipv6hdr v6;
	} hdr;

	// skb->protocol says which header to expect; the version nibble of
	// the header itself must agree, or network_header is not what we
	// think it is and the address would be garbage.
	if (skb->protocol == bpf_htons(UDPRL_ETH_P_IP)) {
		if (bpf_skb_load_bytes_relative(skb, 0, &hdr.v4, sizeof(hdr.v4),
						BPF_HDR_START_NET))
			return -1;
		if (hdr.v4.version != 4)
			return -1;
		__builtin_memset(dst->addr, 0, 10);
		dst->addr[10] = 0xff;
		dst->addr[11] = 0xff;
		__builtin_memcpy(&dst->addr[12], &hdr.v4.daddr, 4);
		return 0;
	}
	if (skb->protocol == bpf_htons(UDPRL_ETH_P_IPV6)) {
		if (bpf_skb_load_bytes_relative(skb, 0, &hdr.v6, sizeof(hdr.v6),
						BPF_HDR_START_NET))
			return -1;
		if (hdr.v6.version != 6)
			return -1;
		__builtin_memcpy(dst->addr, &hdr.v6.daddr, 16);
		return 0;
	}
	return -1;
}

// Returns the bucket for addr, creating it if needed; NULL only if the map
// refuses the insert (LRU eviction makes that rare: out of memory).
static __always_inline struct udprl_bucket *get_bucket(struct udprl_addr *addr)
{
	struct udprl_bucket *b, fresh = {};

	b = bpf_map_lookup_elem(&udprl_buckets, addr);
	if (b)
		return b;
	// tat_ns = 0 is "long idle": the first packet sees a full burst.
	// BPF_NOEXIST because another CPU may have created the bucket since
	// our lookup; overwriting it would wipe its tat and counts. Either
	// way, look up again and use whichever bucket is in the map.
	bpf_map_update_elem(&udprl_buckets, addr, &fresh, BPF_NOEXIST);
	return bpf_map_lookup_elem(&udprl_buckets, addr);
}

// GCRA: one u64 per bucket, the theoretical arrival time (tat) of the next
// packet if traffic ran exactly at rate. A packet at now is admitted when
// the new tat, max(tat, now) + T, is no more than burst * T ahead of now;
// that is the token bucket without a separate token count or refill step.
//
// T (interval) and burst * T (tolerance) from the settings, the same for
// both programs below.
static __always_inline void gcra_limits(const struct udprl_config *cfg,
					__u64 *interval, __u64 *tolerance)
{
	__u64 rate = cfg->rate_pps, burst = cfg->burst;

	// Clamped at one packet per nanosecond so the arithmetic stays
	// meaningful; integer division makes the effective rate at most a
	// hair above rate_pps (e.g. 3 pps -> T = 333333333 ns).
	*interval = UDPRL_NSEC_PER_SEC / rate;
	if (*interval == 0)
		*interval = 1;
	// burst 0 would admit nothing ever; a configured rate means at least
	// one packet per interval, so treat it as 1 (strict spacing).
	if (burst == 0)
		burst = 1;
	// interval <= 1e9, so capping burst at 2^32 - 1 keeps burst * T below
	// 2^63: no wrap, and no overflow check that clang would lower to a
	// 128-bit multiply BPF cannot do. Four billion packets is no limit.
	if (burst > 0xffffffffULL)
		burst = 0xffffffffULL;
	*tolerance = *interval * burst;
}

// Admissions never push tat past now + tolerance, so a tat well beyond that
// was set under other settings (a lower rate or a larger burst before
// `udp-limit set`): it may owe up to burst_old x T_old, 100 s at 10 pps /
// burst 1000. Raising the rate must not black the address out for that
// long, so such a bucket is brought back to one token left under the new
// settings (tat = now + tolerance - T). The extra interval of margin keeps
// clock readings a few ns apart on two CPUs from looking like a change.
static __always_inline bool settings_changed(__u64 tat, __u64 now,
					     __u64 interval, __u64 tolerance)
{
	return tat > now + tolerance + interval;
}

// Program udp_ratelimit: lock-free and multi-CPU safe. tat only moves by a
// successful compare-and-swap from the exact value the decision was
// computed on, so each admitted packet advances tat by a full T on top of
// every other admission. Two CPUs "refilling" at once cannot both spend the
// same credit: the loser's CAS fails, it re-reads the advanced tat and
// decides again. Tokens never come from nothing.
//
// BPF_CMPXCHG needs Linux 5.12: older verifiers refuse the instruction
// ("BPF_STX uses reserved fields" on 5.10), and bpfwatch loads
// udprl_xadd there instead.
static __always_inline bool gcra_admit_cas(struct udprl_bucket *b,
					   const struct udprl_config *cfg,
					   __u64 segs)
{
	__u64 now, interval, tolerance, tat, base, next, seen, cap;
	int i;

	gcra_limits(cfg, &interval, &tolerance);
	// tat before the clock: any tat we see was then set on a clock
	// reading no later than ours (see the settings check below).
	tat = *(volatile __u64 *)&b->tat_ns;
	now = bpf_ktime_get_ns();

	for (i = 0; i < UDPRL_CAS_TRIES; i++) {
		if (settings_changed(tat, now, interval, tolerance)) {
			cap = now + tolerance - interval;
			seen = __sync_val_compare_and_swap(&b->tat_ns, tat, cap);
			if (seen != tat) {
				tat = seen;
				now = bpf_ktime_get_ns();
				continue;
			}
			tat = cap;
		}
		base = tat > now ? tat : now;
		// One token per datagram: a GRO socket (UDP_GRO) gets a whole
		// batch of segments in one skb and one run of this filter.
		// All or nothing, as the skb is: a batch needs segs tokens now.
		next = base + segs * interval;
		// next - now == (tat - now, if tat is ahead) + segs x T: how far
		// this skb would push the bucket past "on schedule". With
		// tolerance = burst * T a fresh bucket admits exactly burst
		// packets back to back, then one per T.
		if (next - now > tolerance)
			return false;
		seen = __sync_val_compare_and_swap(&b->tat_ns, tat, next);
		if (seen == tat)
			return true;
		// Another CPU moved tat, deciding on its own clock reading,
		// which may be later than ours: read the clock again, or its
		// admission could look like settings changed (tat past now +
		// tolerance) and be undone by the clamp above.
		tat = seen;
		now = bpf_ktime_get_ns();
	}
	// Still losing after UDPRL_CAS_TRIES: every loss was another CPU's
	// admission on this very bucket, so it is being drained as fast as it
	// refills. Dropping keeps the limit a hard upper bound; passing here
	// would admit a packet tat never paid for.
	return false;
}

// Program udprl_xadd, for kernels without BPF_CMPXCHG (before 5.12). The
// same decision, but tat cannot be moved conditionally on the value it was
// decided on: the decision reads tat, then moves it with an atomic add
// without fetch (BPF_XADD, in every kernel bpfwatch runs on), so the
// advances of concurrent admissions add up instead of overwriting each
// other. What it costs: packets for one destination that reach the filter
// on different CPUs within the same few nanoseconds can all be admitted on
// the last token (at most one extra packet per other CPU at that instant);
// each of them still advances tat by T, so while the destination stays busy
// later packets pay the excess back.
//
// The add is tat's distance to max(tat, now) + T. Every racer adds its own
// catch-up (now - tat) too, which overcharges the bucket by that much per
// extra racer: harmless while tat is at most one interval behind now. A
// bucket further behind (its destination paused) is set with a plain store
// of the same value instead; racers there can both be admitted and advance
// tat once, an excess that is not paid back. Uncontended, both programs
// decide exactly the same.
static __always_inline bool gcra_admit_xadd(struct udprl_bucket *b,
					    const struct udprl_config *cfg,
					    __u64 segs)
{
	__u64 now, interval, tolerance, tat, base, next;

	gcra_limits(cfg, &interval, &tolerance);
	tat = *(volatile __u64 *)&b->tat_ns;
	now = bpf_ktime_get_ns();
	// Set under other settings: one token left (a plain store, so a
	// racing admission's advance may be lost: at most one packet).
	if (settings_changed(tat, now, interval, tolerance)) {
		tat = now + tolerance - interval;
		*(volatile __u64 *)&b->tat_ns = tat;
	}
	base = tat > now ? tat : now;
	next = base + segs * interval;
	if (next - now > tolerance)
		return false;
	if (tat + interval >= now)
		__sync_fetch_and_add(&b->tat_ns, next - tat); // result unused: BPF_XADD
	else
		*(volatile __u64 *)&b->tat_ns = next;
	return true;
}

// The whole filter; cas picks how the bucket moves (a constant in each
// program, so each holds only its own variant's instructions).
static __always_inline int ratelimit(struct __sk_buff *skb, bool cas)
{
	struct udprl_totals *totals;
	struct udprl_config *cfg, *count;
	struct udprl_bucket *b;
	struct udprl_prefix pfx;
	struct udprl_addr addr;
	__u32 zero = UDPRL_DEFAULT, count_slot = UDPRL_OVERRIDE_COUNT;
	__u64 segs;
	bool pass;

	totals = bpf_map_lookup_elem(&udprl_totals, &zero);
	if (!totals)
		return skb->len; // never for key 0; the verifier needs the check

	// Datagrams in this skb: 0 or 1 for a plain one, up to 64 for the
	// batch a UDP_GRO socket receives whole (skb_shinfo()->gso_segs).
	segs = skb->gso_segs;
	if (segs == 0)
		segs = 1;

	// Not IP or unparsable: not ours to judge, so never dropped.
	if (read_daddr(skb, &addr)) {
		count_total(&totals->not_ip, segs);
		return skb->len;
	}

	// Config is read on every packet so a map update changes rate and
	// burst live, without reloading or re-attaching. An override for the
	// longest matching prefix wins over the default. A concurrent update
	// from user space can pair a new rate with the old burst for one
	// packet; that is harmless.
	cfg = NULL;
	count = bpf_map_lookup_elem(&udprl_config, &count_slot);
	if (count && count->rate_pps) {
		__builtin_memcpy(pfx.addr, addr.addr, sizeof(pfx.addr));
		pfx.prefixlen = 128;
		cfg = bpf_map_lookup_elem(&udprl_overrides, &pfx);
	}
	if (!cfg)
		cfg = bpf_map_lookup_elem(&udprl_config, &zero);

	b = get_bucket(&addr);

	if (!cfg || cfg->rate_pps == 0)
		pass = true;
	else if (!b)
		// No bucket means no state to limit with; failing open keeps
		// the service up, and the totals still show the traffic.
		pass = true;
	else if (cas)
		pass = gcra_admit_cas(b, cfg, segs);
	else
		pass = gcra_admit_xadd(b, cfg, segs);

	if (pass) {
		count_total(&totals->passed, segs);
		if (b)
			__sync_fetch_and_add(&b->passed, segs);
		return skb->len;
	}
	count_total(&totals->dropped, segs);
	__sync_fetch_and_add(&b->dropped, segs);
	return 0;
}

// Two programs in one object: bpfwatch loads udp_ratelimit, and udprl_xadd
// only where the kernel refuses udp_ratelimit's BPF_CMPXCHG (Linux < 5.12).
// Both use the same maps, so everything that reads a filter reads either.
SEC("socket")
int udp_ratelimit(struct __sk_buff *skb)
{
	return ratelimit(skb, true);
}

SEC("socket")
int udprl_xadd(struct __sk_buff *skb)
{
	return ratelimit(skb, false);
}
