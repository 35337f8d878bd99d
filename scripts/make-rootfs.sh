#!/bin/bash
# Builds the e2e container root filesystem, offline, from Debian's busybox-static:
# .cache/rootfs/busybox/ with /bin/busybox, one symlink per applet, root and a non-root user
# (uid/gid 1000), and the mount-point directories an OCI runtime expects.
# Idempotent: rebuilt only when the busybox binary changes.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$repo/.cache/rootfs/busybox"

log() { echo "make-rootfs: $*" >&2; }

# A static busybox: the one busybox-static installed, or else its .deb unpacked into $1.
find_busybox() {
  if [[ $(dpkg-query -W -f '${Status}' busybox-static 2>/dev/null) == "install ok installed" ]]; then
    echo /bin/busybox
    return
  fi
  log "busybox-static not installed; unpacking its .deb"
  (cd "$1" && apt-get -qq -o APT::Sandbox::User=root download busybox-static >/dev/null 2>&1)
  dpkg -x "$1"/busybox-static_*.deb "$1/deb"
  echo "$1/deb/bin/busybox"
}

main() {
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  local bb; bb="$(find_busybox "$work")"
  local stamp; stamp="$(sha256sum "$bb" | cut -d' ' -f1)"
  if [[ -f $out/.stamp && $(cat "$out/.stamp") == "$stamp" ]]; then
    return
  fi

  local root="$work/rootfs"
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,run,var,root,home/user}
  install -d -m 1777 "$root/tmp"
  install -m 0755 "$bb" "$root/bin/busybox"

  # Absolute link targets resolve inside the container, whose root is this directory.
  local applet
  while read -r applet; do
    [[ $applet == bin/busybox ]] && continue
    mkdir -p "$root/$(dirname "$applet")"
    ln -sfn /bin/busybox "$root/$applet"
  done < <("$bb" --list-full)
  [[ -L $root/bin/sh ]] || ln -s /bin/busybox "$root/bin/sh"

  cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:user:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
  cat >"$root/etc/group" <<'EOF'
root:x:0:
user:x:1000:
nogroup:x:65534:
EOF
  chown 1000:1000 "$root/home/user"
  echo "$stamp" >"$root/.stamp"

  mkdir -p "$(dirname "$out")"
  rm -rf "$out"
  mv "$root" "$out"
  log "built $out ($("$bb" | head -1 | awk '{ print $2 }'))"
}

main "$@"
