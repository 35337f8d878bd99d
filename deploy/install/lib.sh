# Shared by install.sh and uninstall.sh (sourced, not run): the paths, reporting, atomic writes
# with rollback, the containerd config edits, and validating and restarting containerd.
# shellcheck shell=bash disable=SC2034 # the paths and options are read by install.sh and uninstall.sh

# ---- paths (as seen on the host; every file access prefixes $root) ----
shim_name=containerd-shim-metassembly-v2
shim_path=/opt/metassembly/bin/$shim_name
shim_config=/etc/metassembly/config.toml
containerd_config=/etc/containerd/config.toml
dropin_path=/etc/containerd/conf.d/metassembly.toml
dropin_glob='/etc/containerd/conf.d/*.toml'
link_dir=/usr/local/bin
root=''
containerd_version=''
host_nsenter=0
restart=1

block_begin='# >>> metassembly: CRI runtime handler (written by deploy/install/install.sh, replaced on reinstall)'
block_end='# <<< metassembly'

# ---- reporting ----
changes=0
containerd_changed=0
log() { echo "metassembly: $*"; }
die() { echo "metassembly: error: $*" >&2; exit 1; }
changed() { changes=$((changes + 1)); log "changed   $1"; }
# A change to what containerd reads at its start: validated, then containerd restarted.
changed_containerd() { containerd_changed=1; changed "$1"; }
unchanged() { log "unchanged $1"; }

# ---- files, with a rollback of this run's edits ----
rollback_dir="$(mktemp -d)"
trap 'rm -rf "$rollback_dir"' EXIT
rollback_list=()

# Remembers a file's content (or its absence) the first time this run is about to touch it.
backup_once() {
  local file="$1" saved
  saved="$rollback_dir/${#rollback_list[@]}"
  local f
  for f in "${rollback_list[@]}"; do [[ ${f#*:} == "$file" ]] && return 0; done
  if [[ -e $file ]]; then cp -p "$file" "$saved"; else : >"$saved.absent"; fi
  rollback_list+=("$saved:$file")
}

rollback() {
  local entry saved file
  for entry in "${rollback_list[@]}"; do
    saved="${entry%%:*}"
    file="${entry#*:}"
    if [[ -e $saved.absent ]]; then rm -f "$file"; else cp -p "$saved" "$file"; fi
    log "restored  ${file#"$root"}"
  done
}

# Writes text plus one newline through a temp file and a rename, so readers never see half a
# file. An existing file keeps its mode.
write_file() {
  local dest="$1" text="$2" mode="$3" tmp="$1.tmp.$$"
  [[ -e $dest ]] && mode="$(stat -c %a "$dest")"
  printf '%s\n' "$text" >"$tmp"
  chmod "$mode" "$tmp"
  mv -f "$tmp" "$dest"
}

read_or_empty() { if [[ -e $1 ]]; then cat "$1"; fi; }

# ---- containerd ----
host() {
  if ((host_nsenter)); then nsenter --target 1 --mount -- "$@"; else "$@"; fi
}

# 1 or 2, from --containerd-version or `containerd --version`
# ("containerd github.com/containerd/containerd 1.6.20~ds1 ..." or "... /v2 v2.1.9 ...").
containerd_major() {
  local v="$containerd_version"
  if [[ -z $v ]]; then
    v="$(host containerd --version 2>/dev/null | awk '{print $3}')" ||
      die "cannot run containerd --version; pass --containerd-version"
  fi
  v="${v#v}"
  case "${v%%.*}" in
    1|2) echo "${v%%.*}" ;;
    *) die "unsupported containerd version '${v:-unknown}'; pass --containerd-version 1.7.24 or 2.1.9" ;;
  esac
}

# The text before the first table header: where top-level keys (version, imports) live.
top_level() { awk '/^[[:space:]]*\[/ { exit } { print }' <<<"$1"; }

# The config's `version`, or the default when the file holds nothing but comments. A file with
# settings and no version line is version 1 to containerd, which this installer does not write.
config_version_or() {
  local file="$1" default="$2" text
  text="$(read_or_empty "$file")"
  if ! grep -qv '^[[:space:]]*\(#.*\)\?$' <<<"$text"; then
    echo "$default"
    return
  fi
  top_level "$text" | sed -n 's/^[[:space:]]*version[[:space:]]*=[[:space:]]*\([0-9]\+\).*/\1/p' | grep . || echo 1
}

# Puts `version = N` on top when the text has none (only for a text of comments or nothing).
with_version() {
  local text="$1" version="$2"
  if top_level "$text" | grep -q '^[[:space:]]*version[[:space:]]*='; then
    printf '%s\n' "$text"
  elif [[ -z $text ]]; then
    echo "version = $version"
  else
    printf 'version = %s\n%s\n' "$version" "$text"
  fi
}

# The text with the glob in its top-level `imports`: added to a one-line array, or a new
# `imports` line after `version`. An imports array over several lines is left to the admin.
with_import() {
  local text="$1" glob="$2" top
  top="$(top_level "$text")"
  if grep -qF "\"$glob\"" <<<"$top" || grep -qF "'$glob'" <<<"$top"; then
    printf '%s\n' "$text"
    return
  fi
  if grep -q '^[[:space:]]*imports[[:space:]]*=' <<<"$top"; then
    grep -q '^[[:space:]]*imports[[:space:]]*=[[:space:]]*\[.*\][[:space:]]*\(#.*\)\?$' <<<"$top" ||
      { echo "metassembly: error: imports in $containerd_config spans lines: add \"$glob\" to it by hand" >&2; return 1; }
    awk -v g="\"$glob\"" '
      !done && /^[[:space:]]*\[/ { done = 1 }
      !done && /^[[:space:]]*imports[[:space:]]*=/ {
        match($0, /\][^]]*$/)
        head = substr($0, 1, RSTART - 1); sub(/[[:space:]]*$/, "", head)
        print head (head ~ /\[$/ ? "" : ", ") g substr($0, RSTART); done = 1; next
      }
      { print }' <<<"$text"
    return
  fi
  awk -v line="imports = [\"$glob\"]" '
    !done && /^[[:space:]]*version[[:space:]]*=/ { print; print line; done = 1; next }
    { print }' <<<"$text"
}

# The text without our marked block (the caller's $(...) drops the blank lines it leaves at the end).
without_block() {
  awk -v b="$block_begin" -v e="$block_end" '
    $0 == b { skip = 1; next }
    skip && $0 == e { skip = 0; next }
    !skip { print }' <<<"$1"
}

# Table headers with spaces and quotes taken out, so either TOML quoting compares equal.
table_names() { sed -n 's/^[[:space:]]*\[\([^]]*\)\].*/\1/p' <<<"$1" | tr -d " \"'"; }

cri_runtimes='plugins.io.containerd.grpc.v1.cri.containerd.runtimes'

has_runtime_table() {
  table_names "$1" | grep -qE "^${cri_runtimes//./\\.}\\.$2(\\.|\$)"
}

# The version-2 snippet as the block for the main config: no version line or leading comments,
# and no runc tables when the main config has its own (TOML refuses a table defined twice).
handler_block() {
  local snippet="$1" rest="$2" drop_runc=0
  has_runtime_table "$rest" metassembly &&
    die "$containerd_config already defines runtimes.metassembly outside the installer's block; remove it first"
  has_runtime_table "$rest" runc && drop_runc=1
  echo "$block_begin"
  awk -v drop="$drop_runc" -v prefix="$cri_runtimes.runc" '
    /^[[:space:]]*\[/ {
      started = 1
      name = $0; gsub(/[][ "'\'']/, "", name)
      skipping = drop && (name == prefix || index(name, prefix ".") == 1)
    }
    started && !skipping { print }' "$snippet"
  echo "$block_end"
}

# ---- applying ----
validate_config() {
  local out
  if ! out="$(host containerd --config "$containerd_config" config dump 2>&1 >/dev/null)"; then
    rollback
    die "containerd refuses the new config, previous files restored: $out"
  fi
  log "containerd loads $containerd_config"
}

restart_containerd() {
  local kill_mode
  kill_mode="$(host systemctl show --property KillMode --value containerd 2>/dev/null)" || kill_mode=''
  # KillMode=process (containerd.service's own) stops only containerd; anything else would take
  # every shim, and so every container on the node, down with it.
  if [[ $kill_mode != process ]]; then
    rollback
    die "not restarting containerd: its systemd unit ${kill_mode:+has KillMode=$kill_mode}${kill_mode:-is not found}; previous files restored. Pass --no-restart and restart containerd yourself"
  fi
  log "restarting containerd (KillMode=process: running containers and their shims carry on)"
  if host systemctl restart containerd && wait_active; then
    log "containerd is active"
    return
  fi
  rollback
  host systemctl restart containerd || true
  die "containerd did not come back with the new config; previous files restored"
}

wait_active() {
  for _ in $(seq 30); do
    host systemctl is-active --quiet containerd && return 0
    sleep 1
  done
  return 1
}

# Validates and restarts after a change to containerd's config.
apply_containerd_changes() {
  ((containerd_changed)) || return 0
  if [[ -n $root ]]; then
    log "not validating or restarting: --root $root is not this host's containerd"
    return
  fi
  validate_config
  if ((restart)); then restart_containerd; else log "not restarting (--no-restart): restart containerd to load the change"; fi
}

report_changes() {
  if ((changes == 0)); then log "no change"; else log "$changes change(s)"; fi
}
