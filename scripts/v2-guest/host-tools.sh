#!/bin/bash
# Installs what the host needs to boot the cgroup v2 guest, from Debian, when missing: qemu,
# a static busybox for the initramfs, readelf (PVH note check), xz (the kernel payload) and
# mke2fs (the guest's ext4 /tmp disk).
# Idempotent and quiet: apt's output goes to .cache/v2-guest/host-tools.log, shown on failure.
# Exits non-zero when something is missing and cannot be installed (not root, no mirror).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
log_file="$repo/.cache/v2-guest/host-tools.log"
packages=(qemu-system-x86 busybox-static binutils xz-utils e2fsprogs)

missing=()
for p in "${packages[@]}"; do
  [[ $(dpkg-query -W -f '${Status}' "$p" 2>/dev/null) == "install ok installed" ]] || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0

if [[ $(id -u) != 0 ]]; then
  echo "host-tools: ${missing[*]} missing, and installing needs root" >&2
  exit 1
fi
mkdir -p "$(dirname "$log_file")"
echo "host-tools: installing ${missing[*]}" >&2
if ! {
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
} >"$log_file" 2>&1; then
  tail -n 20 "$log_file" >&2
  exit 1
fi
