#!/bin/bash
# The main job, on a fresh machine, as root: install what is needed, build the single
# executable, start a private containerd (its own root, state and sockets under a temp dir,
# the shim first on its PATH) and run a container through it with the embedded defaults.
#   bash scripts/demo.sh [containerd series: 1.6 (default) | 1.7 | 2.x]
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
series="${1:-1.6}"

[[ $(id -u) == 0 ]] || { echo "demo: run as root (containers need namespaces and cgroups)" >&2; exit 1; }
bash scripts/setup.sh
echo "== build"
npm run --silent build >/dev/null

bin_dir=$(node -e "const v=require('./.cache/containerd/versions.json')['$series']; if(!v) process.exit(1); console.log(v.binDir)") ||
  { echo "demo: containerd $series is not available (see .cache/containerd/versions.json)" >&2; exit 1; }
work=$(mktemp -d /tmp/metassembly-demo.XXXXXX)
cleanup() {
  [[ -n ${pid:-} ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

config_version=2
[[ $series == 2.* ]] && config_version=3
cat >"$work/config.toml" <<TOML
version = $config_version
root = "$work/root"
state = "$work/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.cri.v1.runtime", "io.containerd.cri.v1.images", "io.containerd.podsandbox.controller.v1.podsandbox", "io.containerd.sandbox.controller.v1.shim", "io.containerd.nri.v1.nri"]
[grpc]
  address = "$work/containerd.sock"
[ttrpc]
  address = "$work/containerd.sock.ttrpc"
TOML

echo "== containerd $series ($("$bin_dir/containerd" --version | awk '{print $3}')) with containerd-shim-metassembly-v2 from dist/"
PATH="$repo/dist:$bin_dir:$PATH" "$bin_dir/containerd" --config "$work/config.toml" >"$work/containerd.log" 2>&1 &
pid=$!
for _ in $(seq 100); do [[ -S $work/containerd.sock ]] && break; sleep 0.05; done

ctr() { "$bin_dir/ctr" --address "$work/containerd.sock" --namespace demo "$@"; }
echo "== ctr run --rm --runtime io.containerd.metassembly.v2 ... (busybox rootfs)"
set +e
ctr run --rm --runtime io.containerd.metassembly.v2 \
  --env PATH=/usr/sbin:/usr/bin:/sbin:/bin --rootfs "$repo/.cache/rootfs/busybox" demo1 \
  /bin/sh -c 'echo "hello from a container run by metassembly"; echo "pid in its namespace: $$"; hostname; exit 3'
code=$?
set -e
echo "== exit status $code (the container's own: 3)"
[[ $code == 3 ]]
