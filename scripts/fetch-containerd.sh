#!/bin/bash
# Fetches containerd 1.7 (Debian trixie) and 2.x (Debian sid) as unpacked .debs under
# .cache/containerd/<upstream version>/ and writes .cache/containerd/versions.json, which also
# lists the system containerd 1.6 so e2e tests can iterate over all three uniformly.
#
# Nothing is installed over the system: apt runs with a private sources list, private lists,
# cache and an empty dpkg status, and the packages are only unpacked with `dpkg -x`.
# Idempotent: a series whose unpacked binaries are already present is not fetched again.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$repo/.cache/containerd"
# shellcheck source=lib/private-apt.sh
source "$repo/scripts/lib/private-apt.sh"
private_apt_init "$repo/.cache/apt"
manifest="$cache/versions.json"

# Series -> Debian suite that serves it.
declare -A suite_of=([1.7]=trixie [2.x]=sid)

log() { echo "fetch-containerd: $*" >&2; }

# 1.7.24~ds1-6+deb13u1 -> 1.7.24
upstream_of() { local v="${1#*:}"; v="${v%%[~+-]*}"; echo "$v"; }

# Series already unpacked: prints its directory name, from the stamp left by a previous run.
present() {
  local stamp="$cache/.series-$1"
  [[ -f $stamp ]] || return 1
  local dir; dir="$(sed -n 1p "$stamp")"
  [[ -x "$cache/$dir/usr/bin/containerd" && -x "$cache/$dir/usr/bin/ctr" ]] || return 1
  echo "$dir"
}

fetch_series() {
  local series="$1" suite="${suite_of[$1]}" deb_version upstream tmp
  deb_version="$(suite_version containerd "$suite")"
  [[ -n $deb_version ]] || { log "containerd not found in $suite"; return 1; }
  upstream="$(upstream_of "$deb_version")"
  log "containerd $series: $deb_version from $suite"
  tmp="$(mktemp -d "$cache/.fetch-XXXXXX")"
  (cd "$tmp" && apt-get -qq "${apt_opts[@]}" download "containerd=$deb_version" >/dev/null 2>&1)
  mkdir -p "$tmp/root"
  dpkg -x "$tmp"/containerd_*.deb "$tmp/root"
  echo "$deb_version" >"$tmp/root/.debian-version"
  rm -rf "${cache:?}/$upstream"
  mv "$tmp/root" "$cache/$upstream"
  rm -rf "$tmp"
  printf '%s\n%s\n' "$upstream" "$deb_version" >"$cache/.series-$series"
}

# The system containerd (1.6 on bookworm) in the same layout, as symlinks.
link_system() {
  local v dir
  v="$(containerd --version | awk '{ print $3 }')"
  dir="$cache/$(upstream_of "$v")"
  mkdir -p "$dir/usr/bin"
  for b in containerd ctr containerd-shim-runc-v2; do
    ln -sfn "$(command -v "$b")" "$dir/usr/bin/$b"
  done
  echo "$(dpkg-query -W -f '${Version}' containerd)" >"$dir/.debian-version"
  echo "$(upstream_of "$v")"
}

entry() {
  local series="$1" dir="$2" bin="$cache/$2/usr/bin"
  printf '  "%s": {\n    "version": "%s",\n    "debianVersion": "%s",\n    "binDir": "%s",\n    "containerd": "%s",\n    "ctr": "%s",\n    "runcShim": "%s"\n  }' \
    "$series" "$dir" "$(cat "$cache/$dir/.debian-version")" "$bin" "$bin/containerd" "$bin/ctr" "$bin/containerd-shim-runc-v2"
}

main() {
  mkdir -p "$cache"
  local need=() s
  for s in "${!suite_of[@]}"; do
    present "$s" >/dev/null || need+=("$s")
  done
  if ((${#need[@]})); then
    private_apt_update "${suite_of[@]}"
    for s in "${need[@]}"; do fetch_series "$s"; done
  fi

  local sys; sys="$(link_system)"
  {
    echo "{"
    entry 1.6 "$sys"; echo ","
    entry 1.7 "$(present 1.7)"; echo ","
    entry 2.x "$(present 2.x)"; echo
    echo "}"
  } >"$manifest.tmp"
  mv "$manifest.tmp" "$manifest"
  log "1.6=$sys 1.7=$(present 1.7) 2.x=$(present 2.x)"
}

main "$@"
