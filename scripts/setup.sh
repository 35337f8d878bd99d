#!/bin/bash
# Prepares a machine (as root, non-interactive) for the build and every test:
# Debian packages, npm dependencies, containerd 1.7 and 2.x beside the system 1.6, and the
# busybox rootfs. Idempotent: each step does nothing when its result is already in place.
# Details go to .cache/setup.log; one line per step goes to stdout.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$repo/.cache"
log_file="$repo/.cache/setup.log"
: >"$log_file"

export DEBIAN_FRONTEND=noninteractive

# Runs a step with its output in the log and says how long it took; its status is the step's.
run_step() {
  local name="$1"; shift
  local t0=$SECONDS
  echo "== $name" >>"$log_file"
  "$@" >>"$log_file" 2>&1 || return 1
  echo "setup: $name ok ($((SECONDS - t0))s)"
}

# A step setup cannot go on without: on failure, the log's tail and exit.
step() {
  run_step "$@" && return 0
  echo "setup: $1 FAILED; last lines of $log_file:" >&2
  tail -n 40 "$log_file" >&2
  exit 1
}

# A step whose result some tests use and skip without: its failure is reported, not fatal.
optional_step() {
  run_step "$@" || echo "setup: $1 unavailable (see $log_file); the tests that need it skip"
}

apt_packages=(containerd runc crun busybox-static iproute2 containernetworking-plugins jq gcc libc6-dev python3-yaml)

missing_packages() {
  local p
  for p in "${apt_packages[@]}"; do
    [[ $(dpkg-query -W -f '${Status}' "$p" 2>/dev/null) == "install ok installed" ]] || echo "$p"
  done
}

install_packages() {
  local missing; missing="$(missing_packages)"
  [[ -z $missing ]] && return
  apt-get update -q
  # shellcheck disable=SC2086 # one package name per word
  apt-get install -y -q --no-install-recommends $missing
}

# node_modules is current when it was installed from this exact package-lock.json.
npm_install() {
  local want stamp="$repo/node_modules/.lock-sha256"
  want="$(sha256sum "$repo/package-lock.json" | cut -d' ' -f1)"
  [[ -f $stamp && $(cat "$stamp") == "$want" ]] && return
  (cd "$repo" && npm ci --no-audit --no-fund)
  echo "$want" >"$stamp"
}

main() {
  [[ $(id -u) == 0 ]] || { echo "setup: must run as root" >&2; exit 1; }
  step "debian packages" install_packages
  step "npm dependencies" npm_install
  step "containerd versions" bash "$repo/scripts/fetch-containerd.sh"
  step "busybox rootfs" bash "$repo/scripts/make-rootfs.sh"
  step "oci images" bash "$repo/scripts/images/build-images.sh"
  # sid's runc (>= 1.2) for the user-namespaced default pods; Debian mirrors only
  optional_step "newer runc" bash "$repo/scripts/fetch-runc.sh"
}

main "$@"
