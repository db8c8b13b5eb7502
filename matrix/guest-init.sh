#!/bin/busybox sh
# /init of a kernel-matrix guest. Loads the guest kernel's virtio and 9p
# modules, mounts the host's / and the checkout read-only over 9p and the
# run's output directory read-write, each at its own path, adds the kernel
# file systems the tests use, and runs $bpfwatch_out/guest-command.sh
# chrooted into the host's tree. Its exit code lands in
# $bpfwatch_out/guest-exit-code; then the guest powers off.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev

step() { echo "guest: $(cut -d' ' -f1 /proc/uptime)s $*"; }
step "kernel $(uname -r), loading modules"
for m in $(cat /modules.order); do
  [ -f "/modules/$m.ko" ] && insmod "/modules/$m.ko"
done

R=/newroot
mkdir -p $R
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=524288,cache=loose root $R || { step "cannot mount the host's root"; poweroff -f; }
mount -t proc proc $R/proc
mount -t sysfs sys $R/sys
mount -t devtmpfs dev $R/dev
mkdir -p $R/dev/pts $R/dev/shm 2>/dev/null
mount -t devpts devpts $R/dev/pts 2>/dev/null
mount -t tmpfs tmpfs $R/dev/shm
mount -t tmpfs tmpfs $R/tmp
mount -t tmpfs tmpfs $R/run
mount -t tmpfs tmpfs $R/var/tmp
mount -t bpf bpf $R/sys/fs/bpf
mount -t tracefs tracefs $R/sys/kernel/tracing 2>/dev/null
mount -t debugfs debugfs $R/sys/kernel/debug 2>/dev/null
mount -t tmpfs tmpfs $R/sys/fs/cgroup && mkdir -p $R/sys/fs/cgroup/unified && mount -t cgroup2 cgroup2 $R/sys/fs/cgroup/unified
# The checkout and the output last, so that a clone under /tmp is not
# hidden by the tmpfs.
mkdir -p "$R$bpfwatch_repo" 2>/dev/null
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=524288,cache=loose repo "$R$bpfwatch_repo" || { step "cannot mount $bpfwatch_repo"; poweroff -f; }
mkdir -p "$R$bpfwatch_out" 2>/dev/null
mount -t 9p -o trans=virtio,version=9p2000.L,msize=524288 out "$R$bpfwatch_out" || { step "cannot mount $bpfwatch_out"; poweroff -f; }
hostname bpfwatch-guest

step "running $bpfwatch_out/guest-command.sh"
# In a session and process group of its own, as on a booted system (boot
# processes have none: getpgid(0) fails with ESRCH there).
chroot $R /usr/bin/setsid -w /usr/bin/env -i \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp LANG=C.UTF-8 \
  /bin/bash "$bpfwatch_out/guest-command.sh"
echo $? > "$R$bpfwatch_out/guest-exit-code"
step "done, exit code $(cat "$R$bpfwatch_out/guest-exit-code")"
sync
umount "$R$bpfwatch_out"
poweroff -f
