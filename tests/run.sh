#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what is missing, builds
# out of tree, runs `make check` (unit, MIB and integration tests) and
# `make distcheck`, then prints one line: "N passed, N failed, N skipped".
# Usage: tests/run.sh   (as root on a fresh machine; BUILD_DIR to choose the build tree)
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/_build}
jobs=$(nproc 2>/dev/null || echo 2)

"$top/tools/install-deps.sh" || { echo "0 passed, 1 failed"; exit 1; }

fail_setup() { echo "tests/run.sh: $1" >&2; echo "0 passed, 1 failed"; exit 1; }

(cd "$top" && autoreconf -fi >/dev/null) || fail_setup "autoreconf failed"
mkdir -p "$build"
(cd "$build" && "$top/configure" -q) || fail_setup "configure failed"
(cd "$build" && make -j"$jobs" >/dev/null) || fail_setup "build failed"

(cd "$build" && make -j"$jobs" check)
check_rc=$?

distcheck_failed=0
if [ "${SKIP_DISTCHECK:-0}" != 1 ]; then
  if (cd "$build" && make -j"$jobs" distcheck > "$build/distcheck.out" 2>&1); then
    echo "PASS: make distcheck"
  else
    distcheck_failed=1
    echo "FAIL: make distcheck (last lines of $build/distcheck.out follow)"
    tail -n 40 "$build/distcheck.out"
  fi
fi

# Count every TAP result of every test script and binary, not just files.
pass=0 fail=0 skip=0
while read -r res; do
  case "$res" in
    PASS|XFAIL) pass=$((pass + 1)) ;;
    SKIP) skip=$((skip + 1)) ;;
    *) fail=$((fail + 1)) ;;
  esac
done < <(find "$build/tests" -name '*.trs' -exec sed -n 's/^:test-result: \([A-Z]*\).*/\1/p' {} +)
if [ "${SKIP_DISTCHECK:-0}" != 1 ]; then
  if [ "$distcheck_failed" = 1 ]; then fail=$((fail + 1)); else pass=$((pass + 1)); fi
fi
if [ "$check_rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
  fail=1        # make check failed without a failing test result: count it
fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
