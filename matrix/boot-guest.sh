#!/bin/bash
# Boots a cached matrix kernel under QEMU (TCG: KVM guests hang on these
# machines) and runs OUT/guest-command.sh inside it, chrooted into the host's
# tree. The console goes to OUT/console.log. Exits with the command's exit
# code; 124 when the guest did not finish within TIMEOUT seconds (it is
# killed), 123 when its kernel died (an oops or a panic on the console,
# whatever the command returned), 125 when it stopped without reporting one.
#
#   boot-guest.sh KERNEL_DIR OUT TIMEOUT
#
# GUEST_DISK=FILE gives the guest FILE as a raw virtio disk with the serial
# bpfwatch-scratch (peer-examples.sh writes only to a disk of that serial).
#
# TCG runs both vCPUs in one host thread (thread=single): with a thread per
# vCPU, a guest kernel that patches its own text (static keys, ftrace, the
# kprobes and trampolines the tests attach) now and then hit an int3 that
# had already been patched away on the other vCPU and died of an "Oops:
# int3" (two of about forty guests, once in CI). One thread costs about a
# third more time per guest. BPFWATCH_TCG_THREAD=multi brings the faster,
# racy mode back for a quick local run.
set -euo pipefail
kdir=${1:?usage: boot-guest.sh KERNEL_DIR OUT TIMEOUT}
out=$(cd "${2:?}" && pwd)
limit=${3:?}
# The checkout gets its own share: the guest puts a tmpfs on /tmp, which
# would hide a clone that lives there.
repo=$(cd "$(dirname "$0")/.." && pwd)
rm -f "$out/guest-exit-code"
disk=()
if [ -n "${GUEST_DISK:-}" ]; then
  disk=(-drive "file=$GUEST_DISK,if=none,id=scratch,format=raw" -device "virtio-blk-pci,drive=scratch,serial=bpfwatch-scratch")
fi

timeout --kill-after=10 "$limit" qemu-system-x86_64 \
  -accel "tcg,thread=${BPFWATCH_TCG_THREAD:-single}" -cpu max -smp 2 -m 2560 \
  -nographic -no-reboot -nodefaults -monitor none -serial "file:$out/console.log" \
  -kernel "$kdir/vmlinuz" -initrd "$kdir/initramfs.cpio.gz" \
  -append "console=ttyS0 panic=-1 loglevel=4 mitigations=off bpfwatch_out=$out bpfwatch_repo=$repo" \
  -virtfs "local,path=/,mount_tag=root,security_model=none,readonly=on,multidevs=remap" \
  -virtfs "local,path=$repo,mount_tag=repo,security_model=none,readonly=on,multidevs=remap" \
  -virtfs "local,path=$out,mount_tag=out,security_model=none,multidevs=remap" \
  "${disk[@]}" \
  < /dev/null && rc=0 || rc=$?
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
  exit 124
fi
# The kernel's die header ("Oops: int3: 0000 [#1]" on 6.x, "int3: 0000 [#1]"
# before) or its panic line.
if grep -qE '^\[ *[0-9]+\.[0-9]+\] (.*: [0-9a-f]{4} \[#[0-9]+\]|Kernel panic - not syncing)' "$out/console.log"; then
  exit 123
fi
[ -s "$out/guest-exit-code" ] || exit 125
exit "$(cat "$out/guest-exit-code")"
