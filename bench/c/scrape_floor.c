// The floor of a full scrape of the scale benchmark's map (issue 14): read
// the pinned map with BPF_MAP_LOOKUP_BATCH and write the same exposition the
// agent serves for it (one u64 counter per u64 key, label `key` decoded as
// `uint`) to a file, in text 0.0.4, OpenMetrics 1.0.0 or gzip-compressed
// text. No allocation per entry; numbers are formatted by hand.
//
//   scrape_floor PIN fill N                       fill the map with N entries
//   scrape_floor PIN read RUNS WARMUP             batch read only
//   scrape_floor PIN text|openmetrics|gzip RUNS WARMUP OUT
//
// The keys and values written by `fill` are those of bench/src MapScrapeBench
// (key i * 0x9E3779B97F4A7C15, value i * 7 + 1), so every value stays below
// 1e7 and prints as Java's Double.toString does for such whole numbers ("N.0").
// Output: "entries N" then "ns T" for each measured run.
#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define CHUNK 4096
#define OUTBUF (64 * 1024)
#define NAME "bpfwatch_bench_map"
#define HELP "Benchmark counters, one per key."

enum format { TEXT, OPENMETRICS, GZIP };

struct sink {
	int fd;
	enum format format;
	z_stream z;
	char buf[OUTBUF];
	size_t used;
	unsigned char zbuf[OUTBUF];
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "scrape_floor: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n > 0) {
		ssize_t w = write(fd, c, n);
		if (w < 0)
			die("write");
		c += w;
		n -= (size_t)w;
	}
}

static void deflate_out(struct sink *s, int flush)
{
	do {
		s->z.next_out = s->zbuf;
		s->z.avail_out = sizeof(s->zbuf);
		if (deflate(&s->z, flush) == Z_STREAM_ERROR) {
			fprintf(stderr, "scrape_floor: deflate failed\n");
			exit(1);
		}
		write_all(s->fd, s->zbuf, sizeof(s->zbuf) - s->z.avail_out);
	} while (s->z.avail_out == 0);
}

static void sink_flush(struct sink *s, int finish)
{
	if (s->format == GZIP) {
		s->z.next_in = (unsigned char *)s->buf;
		s->z.avail_in = (uInt)s->used;
		deflate_out(s, finish ? Z_FINISH : Z_NO_FLUSH);
	} else {
		write_all(s->fd, s->buf, s->used);
	}
	s->used = 0;
}

static void put(struct sink *s, const char *p, size_t n)
{
	if (s->used + n > sizeof(s->buf))
		sink_flush(s, 0);
	memcpy(s->buf + s->used, p, n);
	s->used += n;
}

// Unsigned decimal, written backwards into a small buffer.
static size_t u64_text(uint64_t v, char *out)
{
	char tmp[24];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

static void header(struct sink *s)
{
	static const char text[] = "# HELP " NAME "_total " HELP "\n# TYPE " NAME "_total counter\n";
	static const char om[] = "# TYPE " NAME " counter\n# HELP " NAME " " HELP "\n";
	if (s->format == OPENMETRICS)
		put(s, om, sizeof(om) - 1);
	else
		put(s, text, sizeof(text) - 1);
}

static void sample(struct sink *s, uint64_t key, uint64_t value)
{
	static const char prefix[] = NAME "_total{key=\"";
	char line[128];
	size_t n = sizeof(prefix) - 1;
	memcpy(line, prefix, n);
	n += u64_text(key, line + n);
	if (s->format == OPENMETRICS) {
		memcpy(line + n, "\"} ", 3);
		n += 3;
	} else {
		memcpy(line + n, "\",} ", 4);
		n += 4;
	}
	n += u64_text(value, line + n);
	memcpy(line + n, ".0\n", 3);
	n += 3;
	put(s, line, n);
}

static long scrape(int map, enum format format, int out)
{
	static struct sink s;
	uint64_t keys[CHUNK], values[CHUNK];
	uint64_t in = 0, next = 0;
	long total = 0;
	int first = 1;
	memset(&s.z, 0, sizeof(s.z));
	s.fd = out;
	s.format = format;
	s.used = 0;
	// Level 6 (the default) and a gzip wrapper: what java.util.zip.GZIPOutputStream writes.
	if (format == GZIP && deflateInit2(&s.z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
					   Z_DEFAULT_STRATEGY) != Z_OK) {
		fprintf(stderr, "scrape_floor: deflateInit2 failed\n");
		exit(1);
	}
	header(&s);
	for (;;) {
		uint32_t count = CHUNK;
		int rc = bpf_map_lookup_batch(map, first ? NULL : &in, &next, keys, values, &count, NULL);
		if (rc < 0 && errno != ENOENT)
			die("lookup_batch");
		for (uint32_t i = 0; i < count; i++)
			sample(&s, keys[i], values[i]);
		total += count;
		if (rc < 0)
			break;
		in = next;
		first = 0;
	}
	if (format == OPENMETRICS)
		put(&s, "# EOF\n", 6);
	sink_flush(&s, 1);
	if (format == GZIP)
		deflateEnd(&s.z);
	return total;
}

static long read_only(int map)
{
	uint64_t keys[CHUNK], values[CHUNK];
	uint64_t in = 0, next = 0;
	long total = 0;
	int first = 1;
	for (;;) {
		uint32_t count = CHUNK;
		int rc = bpf_map_lookup_batch(map, first ? NULL : &in, &next, keys, values, &count, NULL);
		if (rc < 0 && errno != ENOENT)
			die("lookup_batch");
		total += count;
		if (rc < 0)
			return total;
		in = next;
		first = 0;
	}
}

static void fill(int map, long n)
{
	uint64_t keys[CHUNK], values[CHUNK];
	for (long done = 0; done < n;) {
		uint32_t count = 0;
		for (; count < CHUNK && done < n; count++, done++) {
			keys[count] = (uint64_t)done * 0x9E3779B97F4A7C15ull;
			values[count] = (uint64_t)done * 7 + 1;
		}
		if (bpf_map_update_batch(map, keys, values, &count, NULL))
			die("update_batch");
	}
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: scrape_floor PIN fill N | PIN read RUNS WARMUP | "
				"PIN text|openmetrics|gzip RUNS WARMUP OUT\n");
		return 2;
	}
	int map = bpf_obj_get(argv[1]);
	if (map < 0)
		die(argv[1]);
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info);
	if (bpf_obj_get_info_by_fd(map, &info, &len))
		die("map info");
	if (info.key_size != 8 || info.value_size != 8) {
		fprintf(stderr, "scrape_floor: %s is not a u64 -> u64 map\n", argv[1]);
		return 1;
	}
	const char *mode = argv[2];
	if (strcmp(mode, "fill") == 0) {
		fill(map, atol(argv[3]));
		return 0;
	}
	if (argc < 5)
		return 2;
	int runs = atoi(argv[3]), warmup = atoi(argv[4]);
	int is_read = strcmp(mode, "read") == 0;
	enum format format = strcmp(mode, "gzip") == 0 ? GZIP : strcmp(mode, "openmetrics") == 0 ? OPENMETRICS : TEXT;
	if (!is_read && argc != 6)
		return 2;
	for (int i = 0; i < warmup + runs; i++) {
		int out = -1;
		if (!is_read) {
			out = open(argv[5], O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (out < 0)
				die(argv[5]);
		}
		uint64_t t0 = now_ns();
		long n = is_read ? read_only(map) : scrape(map, format, out);
		uint64_t t1 = now_ns();
		if (out >= 0)
			close(out);
		if (i == 0)
			printf("entries %ld\n", n);
		if (i >= warmup)
			printf("ns %llu\n", (unsigned long long)(t1 - t0));
	}
	return 0;
}
