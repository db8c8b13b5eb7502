#!/bin/sh
# cds-archive.sh JAR ARCHIVE: a class-data-sharing archive for bpfwatch's short commands.
#
# The JVM maps the classes these commands load (the JDK's, picocli's, bpfwatch's) already
# parsed and verified from ARCHIVE instead of reading them from the jar: `bpfwatch --version`
# and `bpfwatch udp-limit status` start in about half the CPU time (bench/cli-startup.sh).
# The archive is tied to JAR's absolute path, size and time: make it where the jar is run
# from (at build for the source tree, at install for a package), and again after the jar
# changes. The launcher uses it only when it is newer than the jar; a JVM that finds it does
# not match ignores it, and starts as if there were none.
#
# Nothing here touches the kernel: the commands recorded only print or read bpffs.
set -eu
if [ $# -ne 2 ]; then
    echo "usage: cds-archive.sh JAR ARCHIVE" >&2
    exit 2
fi
jar=$(readlink -f "$1")
archive=$2
if [ -n "${JAVA_HOME:-}" ]; then java="$JAVA_HOME/bin/java"; else java=java; fi
# The short commands' flags (bin/bpfwatch CLI_OPTS): the archive records the GC it was made for.
opts="-XX:+UseSerialGC -Xss512k -XX:MaxRAM=256m -XX:TieredStopAtLevel=1"

work=$(mktemp -d "${TMPDIR:-/tmp}/bpfwatch-cds.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

n=0
for cmd in "--version" "--help" "udp-limit status" "udp-limit --help" "listen-drops --help" "probe --help"; do
    n=$((n + 1))
    # shellcheck disable=SC2086 # words of the command line
    "$java" $opts -XX:DumpLoadedClassList="$work/$n.classlist" -jar "$jar" $cmd >/dev/null 2>&1 || true
done
cat "$work"/*.classlist > "$work/all.classlist"

mkdir -p "$(dirname "$archive")"
# Dump beside the target, then rename: a launcher starting meanwhile sees the old file or the new.
# shellcheck disable=SC2086
if ! "$java" $opts -Xshare:dump -XX:SharedClassListFile="$work/all.classlist" \
        -XX:SharedArchiveFile="$archive.tmp" -cp "$jar" >"$work/dump.log" 2>&1; then
    cat "$work/dump.log" >&2
    rm -f "$archive.tmp"
    echo "cds-archive.sh: could not make $archive" >&2
    exit 1
fi
chmod 0644 "$archive.tmp"
mv -f "$archive.tmp" "$archive"
