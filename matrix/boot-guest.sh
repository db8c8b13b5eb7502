#!/bin/bash
# Boots a cached matrix kernel under QEMU (TCG: KVM guests hang on these
# machines) and runs OUT/guest-command.sh inside it, chrooted into the host's
# tree. The console goes to OUT/console.log. Exits with the command's exit
# code; 124 when the guest did not finish within TIMEOUT seconds (it is
# killed), 125 when it stopped without reporting one.
#
#   boot-guest.sh KERNEL_DIR OUT TIMEOUT
#
# GUEST_DISK=FILE gives the guest FILE as a raw virtio disk with the serial
# bpfwatch-scratch (peer-examples.sh writes only to a disk of that serial).
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
  -accel tcg,thread=multi -cpu max -smp 2 -m 2560 \
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
[ -s "$out/guest-exit-code" ] || exit 125
exit "$(cat "$out/guest-exit-code")"
