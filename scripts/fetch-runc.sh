#!/bin/bash
# Fetches the runc of Debian trixie and sid, unpacked under .cache/runc/<suite>/ (binary at
# .cache/runc/<suite>/usr/sbin/runc), and prints each one's path and version. Bookworm's
# runc 1.1 joins a pod's user namespace before any other, so a container joining the
# host-owned CNI network namespace cannot run in its pod's user namespace; runc >= 1.2 joins
# the namespaces it may still join first. Tests of that behaviour point the shim at these.
#
# Nothing is installed over the system: apt runs with a private sources list, lists, cache and
# an empty dpkg status, and the packages are only unpacked with `dpkg -x`. Those runc binaries
# need a newer glibc than bookworm's, so the suite's libc6 and libseccomp2 are unpacked beside
# them and the binary's interpreter and rpath point there (patchelf, itself only unpacked): a
# wrapper script would not do, since runc re-executes /proc/self/exe for `runc init`.
# Idempotent: a suite whose unpacked runc runs is not fetched again.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$repo/.cache/runc"
# shellcheck source=lib/private-apt.sh
source "$repo/scripts/lib/private-apt.sh"
private_apt_init "$cache/.apt"
suites=(trixie sid)

log() { echo "fetch-runc: $*" >&2; }

present() { [[ -x "$cache/$1/usr/sbin/runc" ]] && "$cache/$1/usr/sbin/runc" --version >/dev/null 2>&1; }

# patchelf from the system's own suite, unpacked once into the cache.
patchelf_bin() {
  local dir="$cache/.patchelf"
  if [[ ! -x $dir/usr/bin/patchelf ]]; then
    local tmp; tmp="$(mktemp -d "$cache/.fetch-XXXXXX")"
    (cd "$tmp" && apt-get -qq -o APT::Sandbox::User=root download patchelf >/dev/null 2>&1)
    rm -rf "$dir"
    dpkg -x "$tmp"/patchelf_*.deb "$dir"
    rm -rf "$tmp"
  fi
  echo "$dir/usr/bin/patchelf"
}

fetch_suite() {
  local suite="$1" version pkg v tmp patchelf
  version="$(suite_version runc "$suite")"
  [[ -n $version ]] || { log "runc not found in $suite"; return 1; }
  log "runc $version from $suite"
  patchelf="$(patchelf_bin)"
  tmp="$(mktemp -d "$cache/.fetch-XXXXXX")"
  mkdir -p "$tmp/root"
  for pkg in runc libc6 libseccomp2; do
    v="$(suite_version "$pkg" "$suite")"
    (cd "$tmp" && apt-get -qq "${apt_opts[@]}" download "$pkg=$v" >/dev/null 2>&1)
    dpkg -x "$tmp/${pkg}_"*.deb "$tmp/root"
  done
  echo "$version" >"$tmp/root/.debian-version"
  rm -rf "${cache:?}/$suite"
  mv "$tmp/root" "$cache/$suite"
  rm -rf "$tmp"
  local lib="$cache/$suite/usr/lib/x86_64-linux-gnu"
  "$patchelf" --set-interpreter "$lib/ld-linux-x86-64.so.2" --set-rpath "$lib" "$cache/$suite/usr/sbin/runc"
}

main() {
  mkdir -p "$cache"
  local need=() s
  for s in "${suites[@]}"; do present "$s" || need+=("$s"); done
  if ((${#need[@]})); then
    private_apt_update "${suites[@]}"
    for s in "${need[@]}"; do fetch_suite "$s"; done
  fi
  for s in "${suites[@]}"; do
    echo "$s $cache/$s/usr/sbin/runc $("$cache/$s/usr/sbin/runc" --version | head -1)"
  done
}

main "$@"
