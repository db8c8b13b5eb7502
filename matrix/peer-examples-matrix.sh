#!/bin/bash
# ebpf_exporter's examples on the kernel-matrix kernels (issue 15's table,
# example x kernel): boots each kernel as run-matrix.sh does and runs
# matrix/peer-examples.sh inside the guest on the given examples directory
# (its objects built by the peer's Makefile; see docs/peer-examples.md).
# Not part of `make test`: 43 agent starts under emulation take 15-25 min
# per kernel.
#
#   peer-examples-matrix.sh EXAMPLES_DIR [KERNEL...]    default: 5.10 6.1 6.12 newest
#
# EXAMPLES_DIR must not be under /tmp (the guest mounts a tmpfs there).
# Writes exporter/target/matrix/peer-examples/KERNEL/{table.md,console.log,logs/}
# (logs/: each example's agent log and last scrape)
# and prints each kernel's table. NAMES="a b" runs only those examples.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
examples=$(cd "${1:?usage: peer-examples-matrix.sh EXAMPLES_DIR [KERNEL...]}" && pwd)
shift
case $examples in
  /tmp|/tmp/*) echo "peer-examples-matrix: $examples is under /tmp, which the guest hides" >&2; exit 2 ;;
esac
kernels=("$@")
[ ${#kernels[@]} -gt 0 ] || kernels=(5.10 6.1 6.12 newest)
[ -f "$repo/exporter/target/bpfwatch.jar" ] || { echo "peer-examples-matrix: build first (make build)" >&2; exit 2; }
timeout_s=${BPFWATCH_PEER_TIMEOUT:-2400}

for k in "${kernels[@]}"; do
  start=$(date +%s)
  kdir=$("$here/fetch-kernel.sh" "$k")
  "$here/make-initramfs.sh" "$kdir"
  out=$repo/exporter/target/matrix/peer-examples/$k
  rm -rf "$out" && mkdir -p "$out"
  # Inside the guest: the client compiler only (the second tier costs more
  # than it gives under emulation), Debian's python3 first (its USDT notes),
  # and a longer wait after the agent serves (everything is slower there).
  cat > "$out/guest-command.sh" <<GUEST
set -u
cd "$repo"
ip link set lo up
export PATH=/usr/bin:\$PATH CHECK=1 CLEANUP=unlink WAIT=\${WAIT:-3} BPFWATCH_JAVA_OPTS="-XX:TieredStopAtLevel=1" KEEP_LOGS="$out/logs"
sh matrix/peer-examples.sh "$examples" ${NAMES:-} > "$out/table.md.tmp" 2> "$out/stderr.txt"
rc=\$?
mv "$out/table.md.tmp" "$out/table.md"
exit \$rc
GUEST
  # A scratch disk (sparse, 128 MiB) for the block-layer examples: the guest's root makes no
  # block requests. The script finds it by its serial and writes nowhere else.
  truncate -s 128M "$out/scratch.img"
  echo "peer examples: $k ($(cat "$kdir/version")): booting"
  rc=0
  GUEST_DISK="$out/scratch.img" "$here/boot-guest.sh" "$kdir" "$out" "$timeout_s" || rc=$?
  rm -f "$out/scratch.img"
  echo "peer examples: $k: exit $rc after $(( $(date +%s) - start ))s"
  if [ -f "$out/table.md" ]; then
    cat "$out/table.md"
  else
    tail -n 30 "$out/console.log"
  fi
done
