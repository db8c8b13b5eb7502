#!/bin/bash
# Builds the initramfs of a cached matrix kernel (KDIR/initramfs.cpio.gz):
# busybox-static, guest-init.sh as /init, and the kernel's own virtio (with
# virtio_blk), 9p and veth modules (decompressed: busybox insmod takes plain .ko) in load order.
set -euo pipefail
kdir=${1:?usage: make-initramfs.sh KERNEL_DIR}
here=$(cd "$(dirname "$0")" && pwd)
out=$kdir/initramfs.cpio.gz
if [ -f "$out" ] && [ "$out" -nt "$here/guest-init.sh" ] && [ "$out" -nt "$0" ]; then
  exit 0
fi
[ -x /bin/busybox ] || { echo "make-initramfs: busybox missing: apt-get install busybox-static" >&2; exit 1; }

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,proc,sys,dev,modules,newroot}
cp /bin/busybox "$root/bin/busybox"
cp "$here/guest-init.sh" "$root/init"
chmod 755 "$root/init"
# Dependencies first; a module built into this kernel is simply absent.
# virtio_blk: the scratch disk peer-examples-matrix.sh gives its guests (block requests for the
# block-layer examples; the root is a 9p share, which makes none).
order="virtio virtio_ring virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk netfs fscache 9pnet 9pnet_virtio 9p veth"
: > "$root/modules.order"
for m in $order; do
  f=$(find "$kdir/modules" -name "$m.ko" -o -name "$m.ko.xz" | head -n1)
  [ -n "$f" ] || continue
  case "$f" in
    *.xz) xz -dc "$f" > "$root/modules/$m.ko" ;;
    *) cp "$f" "$root/modules/$m.ko" ;;
  esac
  echo "$m" >> "$root/modules.order"
done
(cd "$root" && find . -print0 | cpio -0 -o -H newc --quiet | gzip -1) > "$out.tmp"
mv "$out.tmp" "$out"
