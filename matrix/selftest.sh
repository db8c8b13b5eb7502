#!/bin/bash
# Checks the guest runner itself on one kernel before the matrix relies on
# it: a command's exit code comes back, a guest whose kernel dies is reported
# as 123 (run-matrix.sh boots such a guest once more), and a guest that hangs
# is killed at its timeout and reported as 124 with its console kept. About
# 45 s on an idle host.
#
#   selftest.sh [KERNEL]     default: 6.1
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kernel=${1:-6.1}
kdir=$("$here/fetch-kernel.sh" "$kernel")
"$here/make-initramfs.sh" "$kdir"
out=$(cd "$here/.." && pwd)/exporter/target/matrix/selftest
rm -rf "$out" && mkdir -p "$out"

echo 'echo selftest-ran; exit 3' > "$out/guest-command.sh"
start=$(date +%s)
rc=0; "$here/boot-guest.sh" "$kdir" "$out" 120 || rc=$?
booted=$(( $(date +%s) - start ))
if [ "$rc" != 3 ] || ! grep -q selftest-ran "$out/console.log"; then
  echo "kernel matrix selftest: a guest command's exit code 3 came back as $rc" >&2
  cat "$out/console.log" >&2
  exit 1
fi

# A kernel that panics under the command (as one that oopses in an
# interrupt does) is told apart from a command that failed.
echo 'echo selftest-crashes; echo c > /proc/sysrq-trigger; sleep 60; exit 0' > "$out/guest-command.sh"
rc=0; "$here/boot-guest.sh" "$kdir" "$out" 120 || rc=$?
if [ "$rc" != 123 ] || ! grep -q selftest-crashes "$out/console.log"; then
  echo "kernel matrix selftest: a guest whose kernel panicked gave $rc (want 123)" >&2
  tail -n 20 "$out/console.log" >&2
  exit 1
fi

# The hung guest must get as far as its command before the timeout: give it
# twice what a whole guest run just took (a loaded host boots slowly), 20 s at least.
limit=$(( booted * 2 > 20 ? booted * 2 : 20 ))
echo 'echo selftest-hangs; sleep 3600' > "$out/guest-command.sh"
start=$(date +%s)
rc=0; "$here/boot-guest.sh" "$kdir" "$out" "$limit" || rc=$?
took=$(( $(date +%s) - start ))
if [ "$rc" != 124 ] || [ "$took" -gt $(( limit + 20 )) ] || ! grep -q selftest-hangs "$out/console.log"; then
  echo "kernel matrix selftest: a hung guest gave $rc after ${took}s (want 124 at its ${limit} s timeout)" >&2
  exit 1
fi
if pgrep -f "qemu-system-x86_64.*$out" >/dev/null; then
  echo "kernel matrix selftest: the hung guest's QEMU is still running" >&2
  exit 1
fi
echo "kernel matrix selftest: exit codes come back; a kernel crash is told apart; a hung guest is killed at its timeout (${took}s)"
