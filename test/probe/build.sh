#!/bin/bash
# Builds the escape probe as a static binary (it runs inside any rootfs) into .cache/probe/probe.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$repo/.cache/probe"
mkdir -p "$out"
src="$repo/test/probe/probe.c"
# Rebuild only when the source is newer: several test files may call this.
if [[ ! -x $out/probe || $src -nt $out/probe ]]; then
  gcc -static -O2 -std=gnu11 -Wall -Wextra -Werror -o "$out/probe.tmp" "$src"
  mv "$out/probe.tmp" "$out/probe"
fi
echo "$out/probe"
