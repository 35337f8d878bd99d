#!/bin/bash
# The one test command: setup (idempotent), build, then every compiled test file under
# build/test (unit, integration, and e2e when root), each file in its own node process so a
# file that crashes or hangs counts as failed instead of vanishing. Ends with exactly one
# line "N passed, N failed" and exits non-zero when anything failed.
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

# Per-file limits in seconds; e2e files start daemons and containers.
unit_timeout="${TEST_FILE_TIMEOUT:-120}"
e2e_timeout="${E2E_FILE_TIMEOUT:-900}"

passed=0
failed=0
skipped=0
failures=()

out_dir="$(mktemp -d)"
trap 'rm -rf "$out_dir"' EXIT

is_root() { [[ $(id -u) == 0 ]]; }

# Records a failure that is not a test (setup, build, a crashed file) with its output.
fail_step() {
  local name="$1" log="$2"
  failed=$((failed + 1))
  failures+=("$name")
  echo "FAIL $name"
  sed 's/^/    /' "$log"
}

run_setup() {
  if ! is_root; then
    echo "setup: skipped (not root)"
    return 0
  fi
  bash scripts/setup.sh
}

build() {
  local log="$out_dir/build.log"
  if [[ -f scripts/build.sh ]] && grep -q '"build":' package.json; then
    npm run --silent build >"$log" 2>&1
  else
    npx tsc -p tsconfig.json >"$log" 2>&1
  fi
  local rc=$?
  if ((rc != 0)); then
    # tsc still emits on type errors: report the build as failed and run what was emitted.
    fail_step "build" "$log"
  else
    echo "build: ok"
  fi
}

# uvu prints "Total: N", "Passed: N", "Skipped: N" once per process.
summary_field() {
  sed 's/\x1b\[[0-9;]*m//g' "$1" | awk -v f="$2:" '$1 == f { v = $2 } END { print v }'
}

run_file() {
  local file="$1" limit="$2"
  local log="$out_dir/$(echo "$file" | tr '/' '_').log"
  local t0=$SECONDS rc
  # Through a pipe, as when run by hand: the file sees the same kind of stdout either way.
  FORCE_COLOR=0 NO_COLOR=1 timeout --kill-after=10 "$limit" node "$file" </dev/null 2>&1 | cat >"$log"
  rc=${PIPESTATUS[0]}
  local total pass skip
  total="$(summary_field "$log" Total)"
  pass="$(summary_field "$log" Passed)"
  skip="$(summary_field "$log" Skipped)"
  if [[ -z $total || -z $pass ]]; then
    ((rc == 124 || rc == 137)) && echo "(timed out after ${limit}s)" >>"$log"
    fail_step "$file (exit $rc, no uvu summary)" "$log"
    return
  fi
  local bad=$((total - pass))
  # A file that failed outside any test (a throw after test.run(), a hook) has no failed test.
  ((rc != 0 && bad == 0)) && bad=1
  passed=$((passed + pass))
  skipped=$((skipped + ${skip:-0}))
  if ((bad > 0)); then
    failed=$((failed + bad))
    failures+=("$file")
    echo "FAIL $file: $pass passed, $bad failed ($((SECONDS - t0))s)"
    sed 's/^/    /' "$log"
  else
    echo "ok   $file: $pass passed ($((SECONDS - t0))s)"
  fi
}

run_suite() {
  local dir="$1" limit="$2" f
  [[ -d $dir ]] || return 0
  while IFS= read -r f; do
    # build/ is not cleaned (running shims may be loaded from it), so a compiled test whose
    # source is gone is stale and skipped.
    local src="${f#build/}"
    [[ -f ${src%.js}.ts ]] || continue
    run_file "$f" "$limit"
  done < <(find "$dir" -name '*.test.js' -type f | sort)
}

# The cgroup v2 lane: the focused suite in build/test/v2, run in an emulated cgroup-v2-only guest
# (scripts/v2-guest/run.sh); its "N passed, N failed" joins the totals. On by default for root
# where qemu is or can be installed; METASSEMBLY_V2_GUEST=0 turns it off.
run_v2_guest() {
  if [[ ${METASSEMBLY_V2_GUEST:-1} == 0 ]] || ! is_root; then
    echo "v2 guest: skipped (METASSEMBLY_V2_GUEST=0 or not root)"
    return 0
  fi
  if ! bash scripts/v2-guest/host-tools.sh >"$out_dir/v2-host-tools.log" 2>&1; then
    echo "v2 guest: skipped (qemu could not be installed)"
    sed 's/^/    /' "$out_dir/v2-host-tools.log"
    return 0
  fi
  local log="$out_dir/v2-guest.log" t0=$SECONDS counts
  bash scripts/v2-guest/run.sh >"$log" 2>&1
  local rc=$?
  counts="$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)"
  if [[ -z $counts ]]; then
    fail_step "v2 guest (exit $rc, no summary)" "$log"
    return
  fi
  local pass bad
  read -r pass _ bad _ <<<"${counts//,/}"
  ((rc != 0 && bad == 0)) && bad=1
  passed=$((passed + pass))
  failed=$((failed + bad))
  if ((bad > 0)); then
    failures+=("v2 guest")
    echo "FAIL v2 guest: $pass passed, $bad failed ($((SECONDS - t0))s)"
    sed 's/^/    /' "$log"
  else
    echo "ok   v2 guest: $pass passed ($((SECONDS - t0))s)"
    grep '^v2-guest: ' "$log" | sed 's/^/    /'
  fi
}

main() {
  local log="$out_dir/setup.log"
  if ! run_setup >"$log" 2>&1; then
    fail_step "setup" "$log"
  else
    cat "$log"
  fi
  build
  run_suite build/test/unit "$unit_timeout"
  run_suite build/test/integration "$unit_timeout"
  if is_root; then
    run_suite build/test/e2e "$e2e_timeout"
  else
    echo "e2e: skipped (needs root)"
  fi
  run_v2_guest

  if ((failed > 0)); then
    echo
    echo "failed:"
    printf '  %s\n' "${failures[@]}"
  fi
  if ((skipped > 0)); then
    echo "$passed passed, $failed failed, $skipped skipped"
  else
    echo "$passed passed, $failed failed"
  fi
  ((failed == 0))
}

main "$@"
