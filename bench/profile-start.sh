#!/bin/bash
# bash bench/profile-start.sh: builds the single executable and the bench, then profiles the
# shim's `start` and `delete` against Node's own start-up (bench/profile/main.ts); writes
# bench/results/profile.md. Root (it runs containerd), a couple of minutes, needs perf.
# PROFILE_BASELINE=<an earlier build of dist/containerd-shim-metassembly-v2> compares with it.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

[[ $(id -u) == 0 ]] || { echo "profile: must run as root (it starts containerd and containers)" >&2; exit 1; }
command -v perf >/dev/null || { echo "profile: needs perf (linux-perf)" >&2; exit 1; }

bash scripts/setup.sh
bash scripts/build.sh
"$repo/node_modules/.bin/tsc" -p bench/tsconfig.json
exec node build/bench/bench/profile/main.js
