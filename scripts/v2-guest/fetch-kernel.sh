#!/bin/bash
# Puts Debian's kernel for the cgroup v2 guest under .cache/v2-guest/kernel/<release>/:
#   vmlinux       the uncompressed ELF, booted through its PVH entry on qemu's microvm
#                 (no firmware, no in-guest decompression: the fastest start under TCG)
#   modules/      the few modules the initramfs loads (virtio-mmio, 9p, overlay, virtio-blk,
#                 ext4), flat
#   modules.order their names in load order (dependencies first)
# and prints that directory. Only the package is downloaded (apt-get download) and unpacked
# (dpkg -x): nothing is installed on the host. Idempotent: a directory with every wanted
# module is reused; one made for a shorter list is replaced.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="$repo/.cache/v2-guest/kernel"
here="$repo/scripts/v2-guest"

# What the guest must load before it can mount its root: the virtio-mmio transport (microvm
# has no PCI), 9p over virtio for the host's root, overlayfs for the writable layer on it.
# Then its scratch disk: virtio-blk and ext4, the filesystem user-namespaced pods need (it
# can be idmapped; 9p and, before 6.3, tmpfs cannot). ext4 asks the crypto API for crc32c
# (metadata checksums) through a soft dependency the depends= walk below does not follow,
# and the guest has no modprobe to load it on demand, so it is named here.
wanted_modules=(virtio_mmio 9pnet_virtio 9p overlay virtio_blk crc32c_generic ext4)

log() { echo "fetch-kernel: $*" >&2; }

# Every wanted module is in a directory's modules.order (which its dependencies precede).
has_wanted_modules() {
  local m
  for m in "${wanted_modules[@]}"; do
    grep -qx "$m" "$1/modules.order" || return 1
  done
}

# A cached kernel wins over asking apt, so a machine without fresh apt lists still boots.
cached_dir() {
  local d
  for d in "$cache"/*/; do
    [[ -f $d/vmlinux && -f $d/modules.order ]] && has_wanted_modules "$d" && { echo "${d%/}"; return 0; }
  done
  return 1
}

# The versioned image package the linux-image-amd64 meta-package points at.
image_package() {
  local pkg
  pkg="$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')"
  if [[ -z $pkg ]]; then
    apt-get update -q >&2
    pkg="$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')"
  fi
  [[ -n $pkg ]] || { log "no linux-image package behind linux-image-amd64"; return 1; }
  echo "$pkg"
}

# depends= from a module's .modinfo section (no kmod needed on the host).
module_depends() {
  grep -a -o 'depends=[^[:cntrl:]]*' "$1" | head -n 1 | cut -d= -f2 | tr ',' ' '
}

# Copies a module and, first, what it depends on; appends each name once to modules.order.
add_module() {
  local name="$1" tree="$2" out="$3" file dep
  grep -qx "$name" "$out/modules.order" 2>/dev/null && return 0
  file="$(find "$tree" -name "$name.ko" -print -quit)"
  [[ -n $file ]] || file="$(find "$tree" -name "${name//_/-}.ko" -print -quit)"
  [[ -n $file ]] || { log "module $name not in the package"; return 1; }
  for dep in $(module_depends "$file"); do
    add_module "$dep" "$tree" "$out"
  done
  cp "$file" "$out/modules/$name.ko"
  echo "$name" >>"$out/modules.order"
}

main() {
  local dir
  if dir="$(cached_dir)"; then
    echo "$dir"
    return 0
  fi
  local pkg tmp release
  pkg="$(image_package)"
  tmp="$(mktemp -d "$repo/.cache/v2-guest/fetch.XXXXXX")"
  # The unpacked package (~400 MB) is only needed until the kernel and modules are copied.
  trap "rm -rf '$tmp'" EXIT
  log "apt-get download $pkg"
  # The download dir is in the repo, which _apt may not be able to write.
  (cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2)
  dpkg -x "$tmp"/*.deb "$tmp/pkg"
  release="$(basename "$(find "$tmp/pkg/lib/modules" -mindepth 1 -maxdepth 1 -type d -print -quit)")"
  [[ -n $release ]] || { log "$pkg has no lib/modules/<release>"; return 1; }

  # Built aside and renamed into place: another run may be booting from an older directory
  # of the same release (one made for fewer modules), which is swapped out only at the end.
  dir="$cache/$release"
  local part="$tmp/$release"
  mkdir -p "$part/modules"
  bash "$here/extract-vmlinux.sh" "$tmp/pkg/boot/vmlinuz-$release" "$part/vmlinux"
  local m
  for m in "${wanted_modules[@]}"; do
    add_module "$m" "$tmp/pkg/lib/modules/$release/kernel" "$part"
  done
  cp "$tmp/pkg/boot/config-$release" "$part/config"
  mkdir -p "$cache"
  [[ -e $dir ]] && mv "$dir" "$tmp/replaced"
  mv "$part" "$dir"
  log "kernel $release ready ($(du -sh "$dir" | cut -f1))"
  echo "$dir"
}

main "$@"
