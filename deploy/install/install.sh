#!/bin/bash
# Installs containerd-shim-metassembly-v2 on one host and registers the CRI runtime handler
# `metassembly` with containerd. Idempotent: a second run changes nothing and says "no change".
#
#   sudo deploy/install/install.sh --binary dist/containerd-shim-metassembly-v2 \
#     [--containerd-config /etc/containerd/config.toml] [--runc-type] [--no-restart]
#
# What it does:
#   /opt/metassembly/bin/containerd-shim-metassembly-v2   the binary (copied to a temp name, renamed)
#   /usr/local/bin/containerd-shim-metassembly-v2         a symlink, for `ctr run --runtime`
#   /etc/metassembly/config.toml                          the shim's config, only when absent
#   containerd 2.x: /etc/containerd/conf.d/metassembly.toml, imported from the main config
#     (--runc-type: the handler declared as runc-type, so CRI reports its features; see
#     deploy/containerd/config-v3-runc-type.toml)
#   containerd 1.x: a marked block in the main config (1.x imports replace whole plugin sections)
#   then validates the result with `containerd config dump` and restarts containerd, restoring
#   the previous config if containerd does not come back.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$here/lib.sh"

usage() {
  cat <<EOF
usage: $0 --binary PATH [options]
  --binary PATH              the shim executable to install
  --containerd-config PATH   containerd's main config (default $containerd_config)
  --containerd-version V     containerd's version, e.g. 1.7.24 or 2.1.9 (default: containerd --version)
  --root DIR                 prefix every path written or read with DIR (an image, a test)
  --link-dir DIR             where the PATH symlink goes; "" for none (default $link_dir)
  --host-nsenter             run containerd and systemctl in PID 1's mount namespace (from a pod)
  --runc-type                containerd 2.x: declare the handler as runtime_type io.containerd.runc.v2
                             with runtime_path = the shim, so CRI reports its features to kubelet
  --no-restart               change files only; containerd picks them up at its next restart
EOF
}

binary=''
runc_type=0
while (($#)); do
  case "$1" in
    --binary) binary="$2"; shift 2 ;;
    --containerd-config) containerd_config="$2"; shift 2 ;;
    --containerd-version) containerd_version="$2"; shift 2 ;;
    --root) root="${2%/}"; shift 2 ;;
    --link-dir) link_dir="$2"; shift 2 ;;
    --host-nsenter) host_nsenter=1; shift ;;
    --runc-type) runc_type=1; shift ;;
    --no-restart) restart=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument $1" ;;
  esac
done
[[ -n $binary ]] || { usage >&2; die "--binary is required"; }
[[ -f $binary && -x $binary ]] || die "$binary is not an executable file"
# The snippets and the default config, beside install/ both in a checkout and in the image.
assets="$(cd "$here/.." && pwd)"

install_binary() {
  local dest="$root$shim_path"
  mkdir -p "$(dirname "$dest")"
  if [[ -f $dest ]] && cmp -s "$binary" "$dest"; then
    unchanged "$shim_path"
    return
  fi
  # A shim containerd is starting right now must see the old file or the new one, never half.
  local tmp="$dest.tmp.$$"
  cp "$binary" "$tmp"
  chmod 0755 "$tmp"
  mv -f "$tmp" "$dest"
  changed "$shim_path"
}

install_link() {
  [[ -n $link_dir ]] || return 0
  local link="$root$link_dir/$shim_name"
  if [[ -L $link && $(readlink "$link") == "$shim_path" ]]; then
    unchanged "$link_dir/$shim_name"
    return
  fi
  [[ -e $link && ! -L $link ]] && die "$link exists and is not our symlink; remove it or pass --link-dir ''"
  mkdir -p "$(dirname "$link")"
  ln -sfn "$shim_path" "$link"
  changed "$link_dir/$shim_name"
}

install_shim_config() {
  local dest="$root$shim_config"
  if [[ -e $dest ]]; then
    # The admin's file: never overwritten.
    unchanged "$shim_config"
    return
  fi
  mkdir -p "$(dirname "$dest")"
  write_file "$dest" "$(cat "$assets/config/config.toml")" 0644
  changed "$shim_config"
}

# containerd 2.x: the drop-in, in the main config's own version, and the import line.
register_v2x() {
  local main="$root$containerd_config" version
  version="$(config_version_or "$main" 3)"
  [[ $version == 2 || $version == 3 ]] || die "$containerd_config has config version $version; containerd 2.x needs 2 or 3"
  local snippet dropin="$root$dropin_path"
  local flavour=''
  ((runc_type)) && flavour='-runc-type'
  snippet="$(cat "$assets/containerd/config-v$version$flavour.toml")"
  if [[ -f $dropin && $(cat "$dropin") == "$snippet" ]]; then
    unchanged "$dropin_path"
  else
    mkdir -p "$(dirname "$dropin")"
    backup_once "$dropin"
    write_file "$dropin" "$snippet" 0644
    changed_containerd "$dropin_path"
  fi
  local text new
  text="$(read_or_empty "$main")"
  new="$(with_version "$text" "$version")"
  new="$(with_import "$new" "$dropin_glob")" || exit 1
  replace_main "$main" "$text" "$new"
}

# containerd 1.6/1.7: the handler as a marked block inside the main config.
register_v1x() {
  local main="$root$containerd_config" version
  version="$(config_version_or "$main" 2)"
  [[ $version == 2 ]] || die "$containerd_config has config version $version; this installer writes version 2 (containerd 1.6/1.7)"
  local text rest block
  text="$(read_or_empty "$main")"
  rest="$(without_block "$(with_version "$text" 2)")"
  block="$(handler_block "$assets/containerd/config-v2.toml" "$rest")"
  replace_main "$main" "$text" "$rest"$'\n\n'"$block"
}

replace_main() {
  local main="$1" text="$2" new="$3"
  if [[ -e $main && $new == "$text" ]]; then
    unchanged "$containerd_config"
    return
  fi
  mkdir -p "$(dirname "$main")"
  backup_once "$main"
  write_file "$main" "$new" 0644
  changed_containerd "$containerd_config"
}

major="$(containerd_major)"
# refused before any file changes
[[ $major == 2 ]] || ((runc_type == 0)) || die "--runc-type is for containerd 2.x: 1.6/1.7 never introspect runtime features"
install_binary
install_link
install_shim_config
log "containerd $major.x"
if [[ $major == 2 ]]; then register_v2x; else register_v1x; fi
apply_containerd_changes
report_changes
