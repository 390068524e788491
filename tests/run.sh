#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what is missing, builds
# out of tree, then, each stage counted:
#  1. `make check` (unit, MIB and integration tests) from an AddressSanitizer+
#     UBSan build (PLAIN_CHECK=1: first from the plain build too);
#  2. every integration script with the plain build's smsdistd under valgrind;
#  3. the fuzzers (fuzz/run.sh, FUZZ_SECONDS each, default 30, two at once);
#  4. `make distcheck` from the plain build with the tests of DISTCHECK_TESTS
#     (Makefile.am), and tests/dist-files.sh: the tarball holds every file;
#  5. at once, as they mostly wait: the Zabbix templates in real Zabbix
#     servers (tests/contrib/zabbix-server.sh: 6.0 from Debian 12's packages,
#     zabbix7-server.sh: 7.0 from Debian 13's in a chroot, made in the
#     background meanwhile by tests/contrib/zabbix7-chroot.sh), README's
#     Zabbix step 3 as written in a Debian 12 chroot
#     (tests/contrib/zabbix-readme12.sh), and the Debian
#     package's test (tests/deb/install-test.sh: dpkg-buildpackage, lintian,
#     install/run/upgrade/purge in a debootstrap chroot). The chroots are
#     cached in SD_CHROOT_CACHE, default /var/cache/smsdistd-tests.
# Then it prints one line: "N passed, N failed, N skipped".
# Usage: tests/run.sh   (as root on a fresh machine; BUILD_DIR to choose the build tree)
# SKIP_DISTCHECK=1, SKIP_DEB=1, SKIP_ZABBIX=1 leave out distcheck, the
# package's test, the Zabbix servers; RUN_DEBIAN13=1 adds tests/debian13.sh
# (build, make check and the package in a Debian 13 chroot: about 14 min the
# first time, 6 min with its cache).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/_build}
jobs=$(nproc 2>/dev/null || echo 2)

"$top/tools/install-deps.sh" || { echo "0 passed, 1 failed"; exit 1; }

fail_setup() { echo "tests/run.sh: $1" >&2; echo "0 passed, 1 failed"; exit 1; }

(cd "$top" && autoreconf -fi >/dev/null) || fail_setup "autoreconf failed"
mkdir -p "$build"
(cd "$build" && "$top/configure" -q) || fail_setup "configure failed"
# with the test programs (tests/oid_dump, the unit tests): the valgrind and
# distcheck stages use the plain build without its own make check
(cd "$build" && make -j"$jobs" >/dev/null && make -j"$jobs" check TESTS= >/dev/null) ||
  fail_setup "build failed"

# The Zabbix 7.0 chroot, made (or found in the cache) while the other
# stages run: downloading and unpacking packages is mostly waiting.
zbx7_log=$build/zabbix7-chroot.log
zbx7_pid=
if [ "${SKIP_ZABBIX:-0}" != 1 ]; then
  top_srcdir=$top bash "$top/tests/contrib/zabbix7-chroot.sh" >"$zbx7_log" 2>&1 &
  zbx7_pid=$!
fi
stop_bg() { [ -n "$zbx7_pid" ] && kill "$zbx7_pid" 2>/dev/null; }
trap stop_bg EXIT

times=
check_rc=0
if [ "${PLAIN_CHECK:-0}" = 1 ]; then
  t0=$SECONDS
  (cd "$build" && make -j"$jobs" check)
  check_rc=$?
  times="make check $((SECONDS - t0)) s, "
fi

# `make check` from an ASan+UBSan build in a second tree. (The plain build's
# smsdistd runs every integration script under valgrind below, and its unit
# tests and module form in distcheck.)
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
times+="sanitizers (build + make check) $((SECONDS - t0)) s"

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
FUZZ_SECONDS=${FUZZ_SECONDS:-30} FUZZ_JOBS=${FUZZ_JOBS:-2} "$top/fuzz/run.sh"
case $? in
  0) fuzz_result=pass; echo "PASS: fuzz/run.sh" ;;
  77) fuzz_result=skip; echo "SKIP: fuzz/run.sh" ;;
  *) fuzz_result=fail; echo "FAIL: fuzz/run.sh" ;;
esac
times+=", fuzz $((SECONDS - t0)) s"
t0=$SECONDS
distcheck_failed=0
if [ "${SKIP_DISTCHECK:-0}" != 1 ]; then
  # TESTS, on make's command line, reaches the distcheck's own make check
  # shellcheck disable=SC2016  # expanded by make, from Makefile.am
  if (cd "$build" && make -j"$jobs" distcheck TESTS='$(DISTCHECK_TESTS)' > "$build/distcheck.out" 2>&1); then
    echo "PASS: make distcheck"
  else
    distcheck_failed=1
    echo "FAIL: make distcheck (last lines of $build/distcheck.out follow)"
    tail -n 40 "$build/distcheck.out"
  fi
  tarball=$(ls -t "$build"/smsdistd-*.tar.gz 2>/dev/null | head -n 1)
  if [ -n "$tarball" ] && bash "$top/tests/dist-files.sh" "$tarball" > "$build/dist-files.out" 2>&1; then
    echo "PASS: tests/dist-files.sh"
  else
    distcheck_failed=1
    echo "FAIL: tests/dist-files.sh ${tarball:-(no tarball in $build)}"
    cat "$build/dist-files.out" 2>/dev/null
  fi
fi
times+=", distcheck $((SECONDS - t0)) s"

# tap_run DIR NAME CMD...: CMD through automake's TAP driver, its log and
# result in DIR/NAME.log, .trs (each check counted below).
tap_run() {
  local dir=$1 name=$2
  shift 2
  env AM_TAP_AWK=awk top_srcdir="$top" top_builddir="$build" bash "$top/build-aux/tap-driver.sh" \
    --test-name "$name" --log-file "$dir/$(basename "$name" .sh).log" \
    --trs-file "$dir/$(basename "$name" .sh).trs" \
    --color-tests no --enable-hard-errors yes --expect-failure no -- "$@"
}

# The Zabbix servers and the Debian package, at once: each mostly waits (on
# Zabbix's pollers, on the mirror, on dpkg). The package is built from a
# clean clone of HEAD and installed in a chroot, never on this machine.
deb_dir=$build/tests-deb
zbx_dir=$build/tests-zabbix
deb_rc=0
zbx_rc=0
t0=$SECONDS
rm -rf "$deb_dir" "$zbx_dir" && mkdir -p "$deb_dir" "$zbx_dir"
bg=()
if [ "${SKIP_DEB:-0}" != 1 ]; then
  tap_run "$deb_dir" tests/deb/install-test.sh bash "$top/tests/deb/install-test.sh" &
  bg+=("$!:deb")
fi
if [ "${SKIP_ZABBIX:-0}" != 1 ]; then
  tap_run "$zbx_dir" tests/contrib/zabbix-server.sh bash "$top/tests/contrib/zabbix-server.sh" &
  bg+=("$!:zbx")
  # README's Zabbix step 3 as written, in a clean Debian 12 chroot
  tap_run "$zbx_dir" tests/contrib/zabbix-readme12.sh bash "$top/tests/contrib/zabbix-readme12.sh" &
  bg+=("$!:zbx")
  # the 7.0 chroot: the background job above (or the test makes it itself)
  wait "$zbx7_pid"
  case $? in
    0) ;;
    77) echo "tests/run.sh: the Zabbix 7.0 chroot cannot be had here:"; tail -n 5 "$zbx7_log" ;;
    *) echo "tests/run.sh: making the Zabbix 7.0 chroot failed (the test tries again):"; tail -n 20 "$zbx7_log" ;;
  esac
  zbx7_pid=
  tap_run "$zbx_dir" tests/contrib/zabbix7-server.sh bash "$top/tests/contrib/zabbix7-server.sh" &
  bg+=("$!:zbx")
fi
for job in "${bg[@]+"${bg[@]}"}"; do
  wait "${job%%:*}" && continue
  case ${job#*:} in deb) deb_rc=1 ;; *) zbx_rc=1 ;; esac
done
times+=", package and Zabbix servers $((SECONDS - t0)) s"
if [ "${RUN_DEBIAN13:-0}" = 1 ]; then
  t0=$SECONDS
  tap_run "$deb_dir" tests/debian13.sh env BUILD_DIR="$build" bash "$top/tests/debian13.sh" || deb_rc=1
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
done < <(trs_dirs=("$vg_dir" "$deb_dir" "$zbx_dir")
         [ "${PLAIN_CHECK:-0}" = 1 ] && trs_dirs+=("$build/tests")
         [ -d "$asan_build/tests" ] && trs_dirs+=("$asan_build/tests")
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
for rc_dir in "$asan_rc $asan_build/tests" "$vg_rc $vg_dir" "$deb_rc $deb_dir" "$zbx_rc $zbx_dir"; do
  if [ "${rc_dir%% *}" -ne 0 ] &&
     ! grep -q -s -r -E '^:test-result: (FAIL|ERROR|XPASS)' --include='*.trs' "${rc_dir#* }"; then
    fail=$((fail + 1))
  fi
done
echo "tests/run.sh: $times"

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
