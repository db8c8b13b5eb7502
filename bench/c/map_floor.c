// The physical floor of reading a BPF map from user space: open the map the
// benchmark pinned, read every entry, keep nothing, and print how long each
// full read took. Nothing is decoded, allocated per entry or formatted, so
// the time is the kernel's copy-out plus the syscalls, and nothing else.
//
//   map_floor PIN batch|keys RUNS WARMUP
//
// batch: BPF_MAP_LOOKUP_BATCH in chunks of 4096 entries (bpfwatch's chunk),
// keys:  BPF_MAP_GET_NEXT_KEY + BPF_MAP_LOOKUP_ELEM per entry, the way
//        ebpf_exporter reads maps.
// Output: "entries N" then "ns T" for each measured run.
#include <bpf/bpf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHUNK 4096

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static long read_batch(int fd, void *keys, void *values, uint32_t key_size)
{
	uint64_t in = 0, out = 0;
	long total = 0;
	int first = 1;
	(void)key_size;
	for (;;) {
		uint32_t count = CHUNK;
		int rc = bpf_map_lookup_batch(fd, first ? NULL : &in, &out, keys, values, &count, NULL);
		if (rc < 0 && errno != ENOENT) {
			fprintf(stderr, "map_floor: lookup_batch: %s\n", strerror(errno));
			exit(1);
		}
		total += count;
		if (rc < 0)
			return total;
		in = out;
		first = 0;
	}
}

static long read_keys(int fd, uint32_t key_size, uint32_t value_size)
{
	char key[64], next[64], value[4096];
	void *cur = NULL;
	long total = 0;
	(void)key_size;
	(void)value_size;
	while (bpf_map_get_next_key(fd, cur, next) == 0) {
		memcpy(key, next, sizeof(key));
		cur = key;
		if (bpf_map_lookup_elem(fd, key, value) == 0)
			total++;
	}
	if (errno != ENOENT) {
		fprintf(stderr, "map_floor: get_next_key: %s\n", strerror(errno));
		exit(1);
	}
	return total;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: map_floor PIN batch|keys RUNS WARMUP\n");
		return 2;
	}
	int fd = bpf_obj_get(argv[1]);
	if (fd < 0) {
		fprintf(stderr, "map_floor: open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		fprintf(stderr, "map_floor: map info: %s\n", strerror(errno));
		return 1;
	}
	if (info.key_size > 64 || info.value_size > 4096) {
		fprintf(stderr, "map_floor: key or value too large\n");
		return 1;
	}
	int batch = strcmp(argv[2], "batch") == 0;
	int runs = atoi(argv[3]), warmup = atoi(argv[4]);
	void *keys = malloc((size_t)CHUNK * info.key_size);
	void *values = malloc((size_t)CHUNK * info.value_size);
	long n = 0;
	for (int i = 0; i < warmup + runs; i++) {
		uint64_t t0 = now_ns();
		n = batch ? read_batch(fd, keys, values, info.key_size)
			  : read_keys(fd, info.key_size, info.value_size);
		uint64_t t1 = now_ns();
		if (i == 0)
			printf("entries %ld\n", n);
		if (i >= warmup)
			printf("ns %llu\n", (unsigned long long)(t1 - t0));
	}
	return 0;
}
