// Socket filter for a UDP socket: counts datagrams whose payload starts with
// the test's magic word and keeps every datagram whole. On a UDP socket the
// filter sees skb->data at the UDP header, so the payload starts at 8.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

#define UDP_HEADER_LEN 8
#define ATTACH_MAGIC_WORD 0x7eadbeef /* in network byte order in the payload */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} magic_datagrams SEC(".maps");

SEC("socket")
int socket_filter_count(struct __sk_buff *skb)
{
	u32 word, zero = 0;
	u64 *n;

	if (bpf_skb_load_bytes(skb, UDP_HEADER_LEN, &word, sizeof(word)) == 0
	    && word == __builtin_bswap32(ATTACH_MAGIC_WORD)) {
		n = bpf_map_lookup_elem(&magic_datagrams, &zero);
		if (n)
			__sync_fetch_and_add(n, 1);
	}
	return skb->len;
}
