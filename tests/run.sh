#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what is missing, builds
# out of tree, runs `make check` (unit, MIB and integration tests), the
# fuzzers (fuzz/run.sh, FUZZ_SECONDS each, default 30), `make distcheck` and
# the Debian package's test (tests/deb/install-test.sh: dpkg-buildpackage,
# lintian, install/run/upgrade/purge in a debootstrap chroot cached in
# SD_CHROOT_CACHE, default /var/cache/smsdistd-tests), then prints one line:
# "N passed, N failed, N skipped".
# Usage: tests/run.sh   (as root on a fresh machine; BUILD_DIR to choose the build tree)
# SKIP_DISTCHECK=1, SKIP_DEB=1 leave out distcheck, the package's test;
# RUN_DEBIAN13=1 adds tests/debian13.sh (build, make check and the package
# in a Debian 13 chroot: about 14 min the first time, 6 min with its cache).
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

t0=$SECONDS
(cd "$build" && make -j"$jobs" check)
check_rc=$?
times="make check $((SECONDS - t0)) s"

# The whole `make check` again from an ASan+UBSan build in a second tree.
# lib.sh fails a script whose smsdistd leaves a sanitizer report (LeakSanitizer
# runs at its exit); tests/lsan.supp lists net-snmp's own leaks, nothing of ours.
asan_build=$build-asan
asan_rc=0
t0=$SECONDS
if mkdir -p "$asan_build" && (cd "$asan_build" && "$top/configure" -q --enable-sanitizers) &&
   (cd "$asan_build" && make -j"$jobs" >/dev/null); then
  (cd "$asan_build" &&
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    LSAN_OPTIONS="suppressions=$top/tests/lsan.supp:print_suppressions=0" \
    make -j"$jobs" check)
  asan_rc=$?
else
  asan_rc=1
  echo "FAIL: the sanitizer build (configure --enable-sanitizers) in $asan_build"
fi
times+=", sanitizers (build + make check) $((SECONDS - t0)) s"

# The integration scripts once more, smsdistd under valgrind memcheck
# (SD_VALGRIND=1: lib.sh fails a script on any valgrind error or definite
# leak), from the normal build, each through automake's TAP driver into a
# directory of their own.
vg_dir=$build/tests-valgrind
vg_rc=0
t0=$SECONDS
rm -rf "$vg_dir" && mkdir -p "$vg_dir"
if command -v valgrind >/dev/null 2>&1; then
  vg_one() {
    local name
    name=$(basename "$1" .sh)
    env AM_TAP_AWK=awk top_srcdir="$top" top_builddir="$build" SD_VALGRIND=1 \
      bash "$top/build-aux/tap-driver.sh" --test-name "valgrind: tests/integration/$name.sh" \
        --log-file "$vg_dir/$name.log" --trs-file "$vg_dir/$name.trs" \
        --color-tests no --enable-hard-errors yes --expect-failure no -- bash "$1"
  }
  export -f vg_one
  # every integration script but the dlmod form's (no smsdistd there: snmpd
  # runs the module, and snmpd is not run under valgrind); largest first
  (cd "$top/tests/integration" && ls -S -- *.sh) | grep -v -x -e lib.sh |
    while read -r f; do grep -q -x 'SD_FORM=dlmod' "$top/tests/integration/$f" || echo "$top/tests/integration/$f"; done |
    top=$top build=$build vg_dir=$vg_dir xargs -P "$jobs" -n 1 bash -c 'vg_one "$1"' vg_one
  vg_rc=$?
else
  vg_rc=1
  echo "FAIL: valgrind is not installed (Debian: apt-get install valgrind)"
fi
times+=", valgrind $((SECONDS - t0)) s"

t0=$SECONDS
# libFuzzer on the decoders (fuzz/run.sh: exit 77 when clang/libFuzzer is missing)
FUZZ_SECONDS=${FUZZ_SECONDS:-30} "$top/fuzz/run.sh"
case $? in
  0) fuzz_result=pass; echo "PASS: fuzz/run.sh" ;;
  77) fuzz_result=skip; echo "SKIP: fuzz/run.sh" ;;
  *) fuzz_result=fail; echo "FAIL: fuzz/run.sh" ;;
esac
times+=", fuzz $((SECONDS - t0)) s"
t0=$SECONDS
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
times+=", distcheck $((SECONDS - t0)) s"

# The Debian package (tests/deb/install-test.sh, TAP, each check counted):
# built from a clean clone of HEAD, installed in a chroot, never on this machine.
deb_dir=$build/tests-deb
deb_rc=0
t0=$SECONDS
rm -rf "$deb_dir" && mkdir -p "$deb_dir"
if [ "${SKIP_DEB:-0}" != 1 ]; then
  env AM_TAP_AWK=awk bash "$top/build-aux/tap-driver.sh" --test-name tests/deb/install-test.sh \
    --log-file "$deb_dir/install-test.log" --trs-file "$deb_dir/install-test.trs" \
    --color-tests no --enable-hard-errors yes --expect-failure no -- bash "$top/tests/deb/install-test.sh"
  deb_rc=$?
  times+=", package $((SECONDS - t0)) s"
fi
if [ "${RUN_DEBIAN13:-0}" = 1 ]; then
  t0=$SECONDS
  env AM_TAP_AWK=awk bash "$top/build-aux/tap-driver.sh" --test-name tests/debian13.sh \
    --log-file "$deb_dir/debian13.log" --trs-file "$deb_dir/debian13.trs" \
    --color-tests no --enable-hard-errors yes --expect-failure no -- \
    env BUILD_DIR="$build" bash "$top/tests/debian13.sh" || deb_rc=1
  times+=", Debian 13 $((SECONDS - t0)) s"
fi

# Count every TAP result of every test script and binary, not just files.
pass=0 fail=0 skip=0
while read -r res; do
  case "$res" in
    PASS|XFAIL) pass=$((pass + 1)) ;;
    SKIP) skip=$((skip + 1)) ;;
    *) fail=$((fail + 1)) ;;
  esac
done < <(trs_dirs=("$build/tests" "$vg_dir" "$deb_dir"); [ -d "$asan_build/tests" ] && trs_dirs+=("$asan_build/tests")
         find "${trs_dirs[@]}" -name '*.trs' -exec sed -n 's/^:test-result: \([A-Z]*\).*/\1/p' {} +)
case $fuzz_result in
  pass) pass=$((pass + 1)) ;;
  skip) skip=$((skip + 1)) ;;
  *) fail=$((fail + 1)) ;;
esac
if [ "${SKIP_DISTCHECK:-0}" != 1 ]; then
  if [ "$distcheck_failed" = 1 ]; then fail=$((fail + 1)); else pass=$((pass + 1)); fi
fi
if [ "$check_rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
  fail=1        # make check failed without a failing test result: count it
fi
# the same for the sanitizer, valgrind and package passes (a build or harness failure)
for rc_dir in "$asan_rc $asan_build/tests" "$vg_rc $vg_dir" "$deb_rc $deb_dir"; do
  if [ "${rc_dir%% *}" -ne 0 ] &&
     ! grep -q -s -r -E '^:test-result: (FAIL|ERROR|XPASS)' --include='*.trs' "${rc_dir#* }"; then
    fail=$((fail + 1))
  fi
done
echo "tests/run.sh: $times"

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
