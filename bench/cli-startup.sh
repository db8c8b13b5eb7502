#!/bin/sh
# CLI start-up (issue 14): `bpfwatch --version` and `bpfwatch udp-limit status` through the
# launcher (bin/bpfwatch: short-run flags, the CDS archive when one is made for the jar),
# against `ss -tlnp` in the same run for scale. Runs are interleaved (one of each, RUNS
# times) so a busy moment of the machine hits every command alike; medians of wall time
# and of CPU time (user + system of the process and its children).
#
#   bench/cli-startup.sh [RUNS]          (make bench-cli; target: each at most 400 ms wall)
#
# Optional rows: BASELINE_JAR=old.jar adds the same two commands run as the README used to
# show them (java -XX:+UseSerialGC -Xss512k -XX:MaxRAM=256m -jar JAR ...), e.g. a jar built
# from an older commit; NO_CDS=1 adds the launcher without the archive.
# Prints a Markdown table; exits non-zero only if a command fails.
set -eu
runs=${1:-15}
repo=$(cd "$(dirname "$0")/.." && pwd)
exec python3 - "$repo" "$runs" <<'PY'
import os, resource, shutil, statistics, subprocess, sys, time

repo, runs = sys.argv[1], int(sys.argv[2])
launcher = os.path.join(repo, "bin", "bpfwatch")
jar = os.path.join(repo, "exporter", "target", "bpfwatch.jar")
archive = os.path.join(repo, "exporter", "target", "bpfwatch.jsa")
old_flags = ["java", "-XX:+UseSerialGC", "-Xss512k", "-XX:MaxRAM=256m", "-jar"]

rows = []  # (label, argv, env)
if os.environ.get("BASELINE_JAR"):
    base = os.environ["BASELINE_JAR"]
    rows += [("before: java -jar bpfwatch.jar --version", old_flags + [base, "--version"], None),
             ("before: java -jar bpfwatch.jar udp-limit status", old_flags + [base, "udp-limit", "status"], None)]
if os.environ.get("NO_CDS"):
    # the JDK's own archive in place of bpfwatch's (the last -XX:SharedArchiveFile wins)
    jdk = os.path.dirname(os.path.dirname(os.path.realpath(shutil.which("java"))))
    no_cds = dict(os.environ, BPFWATCH_JAVA_OPTS="-XX:SharedArchiveFile=" + os.path.join(jdk, "lib", "server", "classes.jsa"))
    rows += [("bpfwatch --version (no CDS archive)", [launcher, "--version"], no_cds),
             ("bpfwatch udp-limit status (no CDS archive)", [launcher, "udp-limit", "status"], no_cds)]
rows += [("bpfwatch --version", [launcher, "--version"], None),
         ("bpfwatch udp-limit status", [launcher, "udp-limit", "status"], None),
         ("ss -tlnp", ["ss", "-tlnp"], None)]

def once(argv, env):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    r = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        sys.exit(f"cli-startup: {' '.join(argv)} exited {r.returncode}: {r.stderr.decode().strip()}")
    return wall * 1000, (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000

archive_fresh = os.path.exists(archive) and os.path.getmtime(archive) > os.path.getmtime(jar)
for label, argv, env in rows:  # one warm-up each: page cache, not JVM state (every run is a new JVM)
    once(argv, env)
samples = {label: [] for label, _, _ in rows}
load_before = os.getloadavg()[0]
for _ in range(runs):
    for label, argv, env in rows:
        samples[label].append(once(argv, env))
load_after = os.getloadavg()[0]

ss_wall = statistics.median(w for w, _ in samples["ss -tlnp"])
print(f"CLI start-up, median of {runs} interleaved runs; CDS archive for the jar: "
      f"{'yes' if archive_fresh else 'no (make build makes it)'}; "
      f"load average {load_before:.2f} -> {load_after:.2f} on {os.cpu_count()} CPUs.\n")
print("| command | wall ms (median) | CPU ms (median) | wall / ss | target |")
print("| --- | ---: | ---: | ---: | --- |")
for label, _, _ in rows:
    wall = statistics.median(w for w, _ in samples[label])
    cpu = statistics.median(c for _, c in samples[label])
    target = "" if label.startswith(("ss", "before")) or "no CDS" in label else \
        ("met (<= 400 ms)" if wall <= 400 else "missed (> 400 ms)")
    print(f"| `{label}` | {wall:.0f} | {cpu:.0f} | {wall / ss_wall:.1f}x | {target} |")
PY
