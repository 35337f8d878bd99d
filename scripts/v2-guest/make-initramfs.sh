#!/bin/bash
# make-initramfs.sh KERNEL_DIR OUT: the guest's initramfs (newc cpio) from the host's static
# busybox, the modules fetch-kernel.sh picked for that kernel, and initramfs-init.sh as /init.
# Small and quick to build, so it is made fresh for every boot.
set -euo pipefail

kernel_dir="$1"
out="$2"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

busybox=/bin/busybox
# A dynamically linked busybox would need the host's libc inside the initramfs.
if readelf -l "$busybox" | grep -q 'program interpreter'; then
  echo "make-initramfs: $busybox is dynamically linked (install busybox-static)" >&2
  exit 1
fi

stage="$(mktemp -d "$(dirname "$out")/initramfs.XXXXXX")"
trap "rm -rf '$stage'" EXIT
mkdir -p "$stage"/{bin,dev,proc,modules}
cp "$busybox" "$stage/bin/busybox"
cp "$here/initramfs-init.sh" "$stage/init"
chmod 0755 "$stage/init"
cp "$kernel_dir"/modules/*.ko "$stage/modules/"
cp "$kernel_dir/modules.order" "$stage/modules.order"
# The kernel opens /dev/console of the initramfs as init's stdin, stdout and stderr.
mknod -m 0600 "$stage/dev/console" c 5 1
(cd "$stage" && find . -mindepth 1 | "$busybox" cpio -o -H newc 2>/dev/null) >"$out"
