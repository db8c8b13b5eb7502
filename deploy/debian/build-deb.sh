#!/bin/sh
# build-deb.sh JAR VERSION OUT: the Debian package, with dpkg-deb only (no debhelper).
# DEB_MAINTAINER names the packager (default: a placeholder address under .invalid).
# The tree is `make install PREFIX=/usr DESTDIR=stage`; this adds /usr/share/doc,
# DEBIAN/ (control, conffiles, maintainer scripts, md5sums) and builds as root:root.
set -eu
if [ $# -ne 3 ]; then
    echo "usage: build-deb.sh JAR VERSION OUT.deb" >&2
    exit 2
fi
jar=$1
version=$2
out=$3
repo=$(cd "$(dirname "$0")/../.." && pwd)
here=$repo/deploy/debian
maintainer=${DEB_MAINTAINER:-bpfwatch developers <bpfwatch@packages.invalid>}

work=$(mktemp -d "${TMPDIR:-/tmp}/bpfwatch-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
root=$work/root
umask 022

make -s -C "$repo" --no-print-directory install JAR="$jar" DESTDIR="$root" PREFIX=/usr SYSCONFDIR=/etc >/dev/null

doc=$root/usr/share/doc/bpfwatch
install -d "$doc"
install -m 0644 "$here/copyright" "$doc/copyright"
# The changelog's date is the jar's: the same jar gives the same package.
date=$(date -R -r "$jar")
sed -e "s/@VERSION@/$version/" -e "s/@DATE@/$date/" -e "s/@MAINTAINER@/$maintainer/" "$here/changelog.in" | gzip -9n > "$doc/changelog.gz"
gzip -9nc "$repo/README.md" > "$doc/README.md.gz"
install -D -m 0644 "$here/lintian-overrides" "$root/usr/share/lintian/overrides/bpfwatch"

install -d "$root/DEBIAN"
for script in postinst prerm postrm; do
    install -m 0755 "$here/$script" "$root/DEBIAN/$script"
done
# Conffiles: every regular file under /etc (dpkg keeps an administrator's edits on upgrade).
(cd "$root" && find etc -type f | sort | sed 's:^:/:') > "$root/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@SIZE@/$size/" -e "s/@MAINTAINER@/$maintainer/" "$here/control.in" > "$root/DEBIAN/control"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -print | sed 's:^\./::' | sort | xargs md5sum) \
    > "$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"

mkdir -p "$(dirname "$out")"
dpkg-deb --root-owner-group -Zxz --build "$root" "$out" >/dev/null
echo "$out"
