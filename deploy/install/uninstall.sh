#!/bin/bash
# Undoes deploy/install/install.sh on one host: the CRI handler (the 2.x drop-in and the 1.x
# block, whichever is there), the symlink and the binary; with --purge also the shim's config.
# The `imports` line stays: it names a directory other runtimes may share, and matches nothing
# once the drop-in is gone. Refuses while metassembly shims run (their containers would lose
# the binary containerd runs for `delete`) unless --force. Idempotent, like install.sh.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$here/lib.sh"

usage() {
  cat <<EOF
usage: $0 [options]
  --containerd-config PATH   containerd's main config (default $containerd_config)
  --root DIR                 prefix every path written or read with DIR
  --link-dir DIR             where install.sh put the symlink (default $link_dir)
  --host-nsenter             run containerd and systemctl in PID 1's mount namespace (from a pod)
  --no-restart               change files only
  --purge                    also remove $shim_config
  --force                    uninstall even while metassembly shims are running
EOF
}

purge=0
force=0
while (($#)); do
  case "$1" in
    --containerd-config) containerd_config="$2"; shift 2 ;;
    --root) root="${2%/}"; shift 2 ;;
    --link-dir) link_dir="$2"; shift 2 ;;
    --host-nsenter) host_nsenter=1; shift ;;
    --no-restart) restart=0; shift ;;
    --purge) purge=1; shift ;;
    --force) force=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument $1" ;;
  esac
done

# Shims containerd started carry the binary's name as argv[0].
running_shims() {
  local cmdline pid
  for cmdline in /proc/[0-9]*/cmdline; do
    pid="${cmdline#/proc/}"
    pid="${pid%/cmdline}"
    [[ $(tr '\0' '\n' <"$cmdline" 2>/dev/null | head -n 1) == *"/$shim_name" ]] && echo "$pid"
  done
  return 0
}

remove_file() {
  local path="$1"
  if [[ -e $root$path ]]; then
    rm -f "$root$path"
    changed "$path"
  else
    unchanged "$path"
  fi
}

remove_dropin() {
  if [[ -e $root$dropin_path ]]; then
    backup_once "$root$dropin_path"
    rm -f "$root$dropin_path"
    changed_containerd "$dropin_path"
  else
    unchanged "$dropin_path"
  fi
}

remove_block() {
  local main="$root$containerd_config" text rest
  [[ -e $main ]] || { unchanged "$containerd_config"; return; }
  text="$(cat "$main")"
  rest="$(without_block "$text")"
  if [[ $rest == "$text" ]]; then
    unchanged "$containerd_config"
  else
    backup_once "$main"
    write_file "$main" "$rest" 0644
    changed_containerd "$containerd_config"
  fi
}

remove_link() {
  [[ -n $link_dir ]] || return 0
  local link="$root$link_dir/$shim_name"
  # Someone else's file of that name is not ours to remove.
  if [[ -L $link && $(readlink "$link") == "$shim_path" ]]; then
    rm -f "$link"
    changed "$link_dir/$shim_name"
  else
    unchanged "$link_dir/$shim_name"
  fi
}

if ((!force)) && [[ -z $root ]]; then
  pids="$(running_shims | paste -sd ' ')"
  [[ -z $pids ]] || die "metassembly shims are running (pids $pids); drain the node's metassembly pods first, or pass --force"
fi

remove_dropin
remove_block
# containerd lets go of the handler before the binary goes, so a failed restart can roll back.
apply_containerd_changes
remove_link
remove_file "$shim_path"
rmdir "$root/opt/metassembly/bin" "$root/opt/metassembly" 2>/dev/null || true
if ((purge)); then
  remove_file "$shim_config"
  rmdir "$root/etc/metassembly" 2>/dev/null || true
fi
report_changes
