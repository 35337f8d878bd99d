#!/bin/bash
# The seccomp floor of the in-container syscall loop: the same one-byte dd as the bench, on
# the host bare and under a one-instruction allow-all filter, alternately. The difference is
# what the kernel charges for having any seccomp filter, before the filter's rules matter.
#   bash bench/seccomp-floor/run.sh [rounds]   (needs gcc)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
rounds="${1:-5}"
bin="$(mktemp -d)"
trap 'rm -rf "$bin"' EXIT
gcc -O2 -o "$bin/allow-all" "$here/allow-all.c"
loop=(dd if=/dev/zero of=/dev/null bs=1 count=2000000 status=none)
for ((i = 0; i < rounds; i++)); do
  /usr/bin/time -f "bare      %e s wall, %U+%S s CPU" "${loop[@]}"
  /usr/bin/time -f "allow-all %e s wall, %U+%S s CPU" "$bin/allow-all" "${loop[@]}"
done
