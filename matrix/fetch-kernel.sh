#!/bin/bash
# Fetches a stock Debian kernel for the kernel matrix into the cache and
# prints the directory that holds it (vmlinuz, lib/modules/VERSION, version).
#
#   fetch-kernel.sh ALIAS     ALIAS: 5.10 | 6.1 | 6.12 | newest
#
# The mirror is this machine's own apt mirror; packages come through a
# private apt state under the cache, so the host's apt is left alone. A
# kernel already in the cache is used as it is: a second run downloads nothing.
set -euo pipefail

alias_name=${1:?usage: fetch-kernel.sh 5.10|6.1|6.12|newest}
cache=${BPFWATCH_MATRIX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bpfwatch-matrix}

case "$alias_name" in
  5.10)   suite=bullseye ;;
  6.1)    suite=bookworm ;;
  6.12)   suite=trixie ;;
  newest) suite=sid ;;
  *) echo "fetch-kernel: unknown kernel '$alias_name' (5.10, 6.1, 6.12, newest)" >&2; exit 2 ;;
esac

kdir=$cache/kernels/$alias_name
if [ -s "$kdir/version" ] && [ -f "$kdir/vmlinuz" ]; then
  echo "$kdir"
  exit 0
fi

# The first Debian archive URI the host's apt uses (deb822 .sources or a
# one-line sources.list), never a host name written here.
mirror_uri() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/ && $i !~ /security/) { print $i; exit } }' "$f"
  done
}
mirror=$(mirror_uri | head -n1)
[ -n "$mirror" ] || { echo "fetch-kernel: no Debian mirror in /etc/apt (sources.list or sources.list.d)" >&2; exit 1; }

apt_dir=$cache/apt/$suite
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$kdir"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" > "$apt_dir/sources.list"
apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
          -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
          -o APT::Architecture=amd64 -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
echo "fetch-kernel: $alias_name: apt index of $suite" >&2
apt-get "${apt_opts[@]}" -qq update >&2

# linux-image-amd64 depends on the versioned image package; newer suites split
# that into linux-binary-VERSION (vmlinuz) and linux-modules-VERSION.
image=$(apt-cache "${apt_opts[@]}" depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
[ -n "$image" ] || { echo "fetch-kernel: $suite has no linux-image-amd64 dependency on a versioned image" >&2; exit 1; }
version=${image#linux-image-}
packages=("$image")
for part in linux-binary linux-modules; do
  if apt-cache "${apt_opts[@]}" show "$part-$version" >/dev/null 2>&1; then
    packages+=("$part-$version")
  fi
done

first_existing() {
  local p
  for p in "$@"; do [ -e "$p" ] && { echo "$p"; return; }; done
  return 0
}

work=$(mktemp -d "$cache/fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "fetch-kernel: $alias_name: downloading ${packages[*]}" >&2
(cd "$work" && apt-get "${apt_opts[@]}" -qq download "${packages[@]}" >&2)
mkdir -p "$work/root"
for deb in "$work"/*.deb; do
  dpkg-deb -x "$deb" "$work/root"
done
vmlinuz=$(first_existing "$work"/root/boot/vmlinuz-* "$work"/root/usr/lib/modules/*/vmlinuz)
[ -n "$vmlinuz" ] || { echo "fetch-kernel: no vmlinuz in ${packages[*]}" >&2; exit 1; }
modules=$(first_existing "$work"/root/lib/modules/* "$work"/root/usr/lib/modules/*)
[ -n "$modules" ] || { echo "fetch-kernel: no lib/modules in ${packages[*]}" >&2; exit 1; }

rm -rf "$kdir" && mkdir -p "$kdir/modules"
cp "$vmlinuz" "$kdir/vmlinuz"
cp "$work"/root/boot/config-* "$kdir/config" 2>/dev/null || true
# Only what the guest's initramfs needs: virtio, 9p and the network
# drivers tests load (veth), not the whole tree.
(cd "$modules" && find kernel -name '*.ko*' \( -path '*virtio*' -o -path '*9p*' -o -path '*netfs*' \
    -o -path '*fscache*' -o -name 'veth.ko*' \) -exec cp --parents {} "$kdir/modules/" \;)
basename "$modules" > "$kdir/release"
echo "$version" > "$kdir/version"
echo "$kdir"
