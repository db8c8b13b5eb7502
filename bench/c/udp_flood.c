// A UDP sender that saturates loopback: 64-byte datagrams in batches of 64
// with sendmmsg(2), as fast as one core can, for a given time. Loopback or
// a namespace of the benchmark's own only: it refuses any other address.
//
//   udp_flood ADDR PORT SECONDS [TAG]
//
// The first payload byte is TAG ('F' by default) so a receiver can tell
// flood from other traffic. Prints "sent N ns T" at the end.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define PAYLOAD 64

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: udp_flood ADDR PORT SECONDS [TAG]\n");
		return 2;
	}
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[2]))};
	if (inet_pton(AF_INET, argv[1], &to.sin_addr) != 1 || (ntohl(to.sin_addr.s_addr) >> 24) != 127) {
		fprintf(stderr, "udp_flood: %s: only 127.0.0.0/8\n", argv[1]);
		return 2;
	}
	double seconds = atof(argv[3]);
	char tag = argc > 4 ? argv[4][0] : 'F';
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&to, sizeof(to))) {
		perror("udp_flood: socket");
		return 1;
	}
	static char payload[PAYLOAD];
	payload[0] = tag;
	struct iovec iov = {.iov_base = payload, .iov_len = PAYLOAD};
	struct mmsghdr msgs[BATCH];
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < BATCH; i++) {
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	uint64_t start = now_ns(), end = start + (uint64_t)(seconds * 1e9), t = start;
	unsigned long long sent = 0;
	while (t < end) {
		int n = sendmmsg(s, msgs, BATCH, 0);
		if (n > 0)
			sent += n;
		else if (errno != ECONNREFUSED && errno != ENOBUFS && errno != EAGAIN) {
			perror("udp_flood: sendmmsg");
			return 1;
		}
		t = now_ns();
	}
	printf("sent %llu ns %llu\n", sent, (unsigned long long)(t - start));
	return 0;
}
