#!/bin/bash
# `npm run bench`: prepares the machine (idempotent setup), builds what is measured and the
# bench itself, then runs it. BENCH_QUICK=1 for a smoke run of a few minutes; see README.md.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

[[ $(id -u) == 0 ]] || { echo "bench: must run as root (it starts containerd and containers)" >&2; exit 1; }

bash scripts/setup.sh

tsc="$repo/node_modules/.bin/tsc"
# What is measured is the single executable built from this tree (scripts/build.sh skips the
# slow injection when nothing changed), so a stale dist/ is never measured by accident.
if [[ -z ${METASSEMBLY_SHIM_DIR:-} ]]; then
  bash scripts/build.sh
fi
"$tsc" -p bench/tsconfig.json

# The system Node runs the harness; the shim runs on whatever its launcher embeds.
exec node build/bench/bench/main.js
