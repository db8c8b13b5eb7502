#!/bin/bash
# Scrape at scale (issue 14): a hash map of u64 counters with one `uint`
# label at 100k and 1M entries, served by the agent in its own process with
# the shipped JVM flags, against a C program that batch-reads the same map
# and writes the same exposition (bench/c/scrape_floor.c). Then RSS after
# repeated scrapes, and after many concurrent scrapers on the default config.
#
#   bench/scrape-scale.sh            (after `make -C bench all scale-tools`)
#
# Environment (defaults in brackets):
#   JAR [exporter/target/bpfwatch.jar]  BUILD [bench/build]
#   JAVA_OPTS [the launcher's AGENT_OPTS, bin/bpfwatch: the flags the project ships]
#   SIZES ["100000 1000000"]  RUNS [5]  WARMUP [3] (the read alone, in a JVM of its own: 5 more)
#   REPEAT_SECONDS [600]: seconds of scrapes, one a second, before RSS is read (below 1M)
#   LARGE_REPEAT_SECONDS [60]: the same at 1M entries (a gzip scrape there takes seconds)
#   SCRAPERS [50] CONCURRENT_SECONDS [60]: concurrent scrapers on the default config
#
# Prints a human summary, and one "ROW|what|figure|baseline|ratio|target|met"
# line per figure, which the bench runner (BenchMain) turns into table rows.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
JAR=${JAR:-$ROOT/exporter/target/bpfwatch.jar}
BUILD=${BUILD:-$HERE/build}
# The shipped flags by default (heap bounds and free ratios change how often a scrape pays a
# collection), read from the launcher as the top-level Makefile reads them.
JAVA_OPTS=${JAVA_OPTS:-$(sed -n 's/^AGENT_OPTS="\(.*\)"$/\1/p' "$ROOT/bin/bpfwatch")}
SIZES=${SIZES:-100000 1000000}
RUNS=${RUNS:-5}
WARMUP=${WARMUP:-3}
REPEAT_SECONDS=${REPEAT_SECONDS:-600}
LARGE_REPEAT_SECONDS=${LARGE_REPEAT_SECONDS:-60}
SCRAPERS=${SCRAPERS:-50}
CONCURRENT_SECONDS=${CONCURRENT_SECONDS:-60}
PIN_ROOT=/sys/fs/bpf/bpfwatch-scale
WORK=$BUILD/work/scale
FLOOR=$BUILD/scrape_floor
OM_ACCEPT='application/openmetrics-text; version=1.0.0; charset=utf-8'

for f in "$JAR" "$FLOOR" "$BUILD/classes/dev/bpfwatch/bench/ReadOnlyTiming.class"; do
	[ -e "$f" ] || { echo "scrape-scale: $f missing: run make -C bench all scale-tools" >&2; exit 2; }
done
command -v curl >/dev/null || { echo "scrape-scale: curl is needed" >&2; exit 2; }
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
mkdir -p "$WORK"

declare -A C A
AGENT_PID=
SCRAPER_PIDS=()
cleanup() {
	for p in "${SCRAPER_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	if [ -n "$AGENT_PID" ]; then
		kill "$AGENT_PID" 2>/dev/null || true
		wait "$AGENT_PID" 2>/dev/null || true
	fi
	rm -rf "$PIN_ROOT"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_agent LOG ARGS...: the agent as users run it, in its own JVM.
start_agent() {
	local log=$1
	shift
	PORT=$(free_port)
	# shellcheck disable=SC2086
	java $JAVA_OPTS -jar "$JAR" run --web.listen-address=127.0.0.1:"$PORT" "$@" >"$log" 2>&1 &
	AGENT_PID=$!
	for _ in $(seq 600); do
		curl -sf -o /dev/null "http://127.0.0.1:$PORT/-/healthy" && return 0
		kill -0 "$AGENT_PID" 2>/dev/null || { echo "scrape-scale: agent exited:" >&2; cat "$log" >&2; exit 1; }
		sleep 0.1
	done
	echo "scrape-scale: agent did not answer in 60 s" >&2
	exit 1
}

stop_agent() {
	kill "$AGENT_PID"
	wait "$AGENT_PID" 2>/dev/null || true
	AGENT_PID=
}

rss_mb() { awk -v f="$2:" '$1 == f { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

# median of "ns T" lines on stdin, in ms
median_ms() {
	awk '$1 == "ns" { print $2 }' | sort -n | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "nan"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f", m / 1e6 }'
}

# read_alone_in_turns PIN DIR: sets CREAD and JREAD, the medians of the C floor's batch read and
# the agent's, taken in turns one read each (as the scrapes are below): measured a block of one
# then a block of the other, the C floor of a 100k read came out 8.2 ms in one run and 15-21 ms
# by hand right after it on the same quiet machine. The Java side is one JVM, warmed up first
# (the JIT), which reads once per line it is sent; each C read is a process that warms once.
read_alone_in_turns() {
	local pin=$1 dir=$2 cf=$2/floor-read.ns jf=$2/agent-read.ns line
	: >"$cf"
	: >"$jf"
	# shellcheck disable=SC2086
	coproc JREADER { exec java $JAVA_OPTS -cp "$BUILD/classes:$JAR" dev.bpfwatch.bench.ReadOnlyTiming \
		"$pin" --paced $((WARMUP + 5)); }
	read -r line <&"${JREADER[0]}" # "entries N" once warm
	for _ in $(seq "$RUNS"); do
		"$FLOOR" "$pin" read 1 1 >>"$cf"
		echo go >&"${JREADER[1]}"
		read -r line <&"${JREADER[0]}"
		echo "$line" >>"$jf"
	done
	exec {JREADER[1]}>&-
	wait "$JREADER_PID"
	CREAD=$(median_ms <"$cf")
	JREAD=$(median_ms <"$jf")
}

# scrape_ms ACCEPT ENCODING: median time of a full scrape, body read by curl (to /dev/null)
scrape_times() {
	local accept=$1 encoding=$2 i t
	for i in $(seq $((WARMUP + RUNS))); do
		t=$(curl -sS -o /dev/null -w '%{http_code} %{time_total}' -H "Accept: $accept" \
			${encoding:+-H "Accept-Encoding: $encoding"} --max-time 600 "http://127.0.0.1:$PORT/metrics")
		[ "${t%% *}" = 200 ] || { echo "scrape-scale: scrape returned ${t%% *}" >&2; exit 1; }
		if [ "$i" -gt "$WARMUP" ]; then
			awk -v s="${t#* }" 'BEGIN { printf "ns %.0f\n", s * 1e9 }'
		fi
	done
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
met() { awk -v a="$1" -v b="$2" -v k="$3" 'BEGIN { print (a <= k * b) ? "met" : "missed" }'; }
row() { echo "ROW|$1|$2|$3|$4|$5|$6"; }
note() { echo "NOTE|$*"; }
label() { if [ "$1" -ge 1000000 ]; then echo "$(($1 / 1000000))M"; else echo "$(($1 / 1000))k"; fi; }

# The agent must have served every entry, once, in each format.
check_count() {
	local n=$1 accept=$2 got
	got=$(curl -sS --compressed -H "Accept: $accept" -H 'Accept-Encoding: gzip' --max-time 600 \
		"http://127.0.0.1:$PORT/metrics" | grep -c '^bpfwatch_bench_map_total{')
	[ "$got" = "$n" ] || { echo "scrape-scale: served $got series, expected $n ($accept)" >&2; exit 1; }
}

echo "scrape-scale: JAVA_OPTS=$JAVA_OPTS, sizes $SIZES, $RUNS runs after $WARMUP warm-up"
for n in $SIZES; do
	L=$(label "$n")
	dir=$WORK/map-$n
	mkdir -p "$dir"
	cp "$BUILD/bpf/bench_map_$n.bpf.o" "$dir/bench_map.bpf.o"
	cat >"$dir/bench_map.yaml" <<-'EOF'
		# Scrape at scale: one counter per u64 key.
		metrics:
		  counters:
		    - name: bench_map
		      help: Benchmark counters, one per key.
		      labels:
		        - name: key
		          size: 8
		          decoders:
		            - name: uint
	EOF
	rm -rf "$PIN_ROOT"
	start_agent "$dir/agent.log" --config.dir="$dir" --config.names=bench_map --config.strict \
		--metrics.max-series=$((2 * n)) --bpf.pin-path="$PIN_ROOT"
	pin=$PIN_ROOT/bench_map/bench_map
	"$FLOOR" "$pin" fill "$n"
	read_alone_in_turns "$pin" "$dir"
	check_count "$n" 'text/plain'
	check_count "$n" "$OM_ACCEPT"
	# Floor and agent take turns, one run each, so that drift on a shared machine (the
	# kernel's batch read of 1M entries alone varied by 140 ms between blocks of runs)
	# falls on both alike.
	for fmt in text openmetrics gzip; do
		accept=$([ "$fmt" = openmetrics ] && echo "$OM_ACCEPT" || echo 'text/plain')
		encoding=$([ "$fmt" = gzip ] && echo gzip || true)
		"$FLOOR" "$pin" "$fmt" 1 "$WARMUP" /dev/null >/dev/null
		RUNS=0 scrape_times "$accept" "$encoding" >/dev/null
		cf=$dir/floor-$fmt.ns af=$dir/agent-$fmt.ns
		: >"$cf"
		: >"$af"
		for _ in $(seq "$RUNS"); do
			"$FLOOR" "$pin" "$fmt" 1 0 /dev/null >>"$cf"
			WARMUP=0 RUNS=1 scrape_times "$accept" "$encoding" >>"$af"
		done
		C[$fmt]=$(median_ms <"$cf")
		A[$fmt]=$(median_ms <"$af")
	done
	soak=$([ "$n" -ge 1000000 ] && echo "$LARGE_REPEAT_SECONDS" || echo "$REPEAT_SECONDS")
	end=$((SECONDS + soak))
	scrapes=0
	while [ $SECONDS -lt $end ]; do
		curl -sS -o /dev/null -H 'Accept-Encoding: gzip' --max-time 600 "http://127.0.0.1:$PORT/metrics"
		scrapes=$((scrapes + 1))
		sleep 1
	done
	RSS=$(rss_mb "$AGENT_PID" VmRSS)
	HWM=$(rss_mb "$AGENT_PID" VmHWM)
	OOM=$(grep -c OutOfMemoryError "$dir/agent.log" || true)
	stop_agent

	row "$L: read alone (agent's batch read, own JVM)" "$JREAD ms" "C batch read $CREAD ms" \
		"$(ratio "$JREAD" "$CREAD")" "<= 1.5x" "$(met "$JREAD" "$CREAD" 1.5)"
	for fmt in text openmetrics gzip; do
		row "$L: full scrape, $fmt (HTTP, body read by curl)" "${A[$fmt]} ms" "C read + $fmt ${C[$fmt]} ms" \
			"$(ratio "${A[$fmt]}" "${C[$fmt]}")" "<= 2x" "$(met "${A[$fmt]}" "${C[$fmt]}" 2)"
		if [ "$(met "${A[$fmt]}" "${C[$fmt]}" 2)" = missed ]; then
			note "$L $fmt scrape over 2x: what limits it is the agent's fixed cost per scrape (an HTTP" \
				"exchange, writes through the JDK server (4 KiB chunks where the body is gzip), every line formatted into a 64 KiB buffer)," \
				"about $(awk -v a="${A[$fmt]}" -v c="${C[$fmt]}" 'BEGIN { printf "%.0f", a - c }') ms beyond the" \
				"floor here; it weighs most where the floor is short. Each timed scrape comes right after a" \
				"floor run (they take turns), so none finds the agent's caches warm from the scrape before."
		fi
	done
	limit=$([ "$n" -ge 1000000 ] && echo 250 || echo 150)
	row "$L: RSS after $soak s of scrapes, one a second ($scrapes, gzip)" "$RSS MB" "peak (VmHWM) $HWM MB" "" \
		"<= $limit MB" \
		"$(met "$RSS" "$limit" 1)"
	row "$L: OutOfMemoryError in the agent's log" "$OOM" "" "" "0" "$([ "$OOM" = 0 ] && echo met || echo missed)"
done

# Many scrapers at once on the default config (every bundled config and module).
start_agent "$WORK/default.log" --bpf.pin-path=
RSS0=$(rss_mb "$AGENT_PID" VmRSS)
end=$((SECONDS + CONCURRENT_SECONDS))
for i in $(seq "$SCRAPERS"); do
	(while [ $SECONDS -lt $end ]; do
		curl -s -o /dev/null -H 'Accept-Encoding: gzip' --max-time 30 "http://127.0.0.1:$PORT/metrics" || true
	done) &
	SCRAPER_PIDS+=($!)
done
wait "${SCRAPER_PIDS[@]}"
SCRAPER_PIDS=()
RSS=$(rss_mb "$AGENT_PID" VmRSS)
HWM=$(rss_mb "$AGENT_PID" VmHWM)
stop_agent
row "default config: RSS after $SCRAPERS concurrent scrapers for $CONCURRENT_SECONDS s" "$RSS MB" \
	"before the scrapers $RSS0 MB; peak $HWM MB" "" "<= 150 MB" "$(met "$RSS" 150 1)"
if [ "$(met "$RSS" 150 1)" = missed ]; then
	note "Default-config RSS over 150 MB after $SCRAPERS scrapers: the agent at rest is already" \
		"$RSS0 MB (JVM, class data, code cache, the bundled programs' state); the scrapers add their" \
		"in-flight buffers and garbage (at most 4 scrapes are collected and written at once, the rest" \
		"wait) and the heap a collection has not given back yet when the loops end."
fi
