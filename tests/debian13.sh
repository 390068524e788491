#!/usr/bin/env bash
# debian13.sh: the project on Debian 13 (trixie: net-snmp 5.9.4, gcc 14,
# curl 8), in a chroot made with debootstrap from the Debian archive (cached:
# tests/deb/chroot.sh). In the chroot, from a clean clone of HEAD
# (--from-tree: a copy of the work tree's tracked and untracked, not ignored,
# files): tools/install-deps.sh, autoreconf, configure, make, `make check`
# (unit, MIB and integration tests; the sanitizer, valgrind and fuzz passes
# of tests/run.sh are not run here), then `dpkg-buildpackage -us -uc -b` and
# lintian on the package. TAP, each `make check` result one line; the last
# line is "N passed, N failed, N skipped".
#
# Usage: tests/debian13.sh [--from-tree] [--keep]                 (as root)
# Environment: SD_CHROOT_CACHE (default /var/cache/smsdistd-tests), DEBIAN_MIRROR,
# TMPDIR. Nothing outside the chroot is touched but the cache and a
# temporary folder; every command is bounded by timeout(1); /proc in the
# chroot is unmounted, anything left running in it stopped (by PID) and the
# temporary folder removed on every exit path.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/deb/chroot.sh
. "$top/tests/deb/chroot.sh"
RELEASE=trixie

from_tree=0 keep=0
for a in "$@"; do
    case $a in
        --from-tree) from_tree=1 ;;
        --keep) keep=1 ;;
        *) echo "usage: $0 [--from-tree] [--keep]" >&2; exit 2 ;;
    esac
done

n=0 pass=0 fail=0 skip=0
diag() { printf '%s\n' "$*" | sed 's/^/# /'; }
result() {  # result STATUS DESC
    n=$((n + 1))
    if [ "$1" -eq 0 ]; then echo "ok $n - $2"; pass=$((pass + 1)); else echo "not ok $n - $2"; fail=$((fail + 1)); fi
    return "$1"
}
summary() { echo "1..$n"; echo "$pass passed, $fail failed, $skip skipped"; }
bail() { echo "Bail out! $*"; fail=$((fail + 1)); summary; exit 1; }

if [ "$(id -u)" != 0 ]; then echo "1..0 # SKIP needs root (debootstrap, chroot, mount)"; echo "0 passed, 0 failed, 1 skipped"; exit 0; fi
for tool in debootstrap git zstd; do
    command -v "$tool" >/dev/null 2>&1 || { echo "1..0 # SKIP $tool not found (tools/install-deps.sh installs it)"; echo "0 passed, 0 failed, 1 skipped"; exit 0; }
done

T=$(mktemp -d "${TMPDIR:-/tmp}/smsdistd-debian13.XXXXXX") || bail "mktemp failed"
R=$T/root
# shellcheck disable=SC2034  # sdc_run's (tests/deb/chroot.sh)
SDC_ROOT=$R
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    sdc_remove "$R" || status=1
    if [ "$keep" = 1 ]; then diag "kept $T (the chroot removed)"; else rm -rf --one-file-system "$T"; fi
    exit "$status"
}
trap cleanup EXIT
trap 'diag interrupted; exit 130' INT
trap 'diag terminated; exit 143' TERM

t_all=$SECONDS
times=()
# step NAME SECONDS CMD...: CMD in the chroot, its output in $T/NAME.log, timed
step() {
    local name=$1 secs=$2 t0=$SECONDS status
    shift 2
    sdc_run "$secs" "$@" >"$T/$name.log" 2>&1
    status=$?
    times+=("$name $((SECONDS - t0)) s")
    [ "$status" -eq 124 ] && echo "(timed out after $secs s)" >>"$T/$name.log"
    return "$status"
}
show_log() { tail -n "${2:-40}" "$T/$1.log" | sed 's/^/#   /'; }

# --- the source -------------------------------------------------------------------
src=$T/src
sdc_source "$top" "$src" "$from_tree" || bail "cannot get the source"

# --- the chroot: trixie with what tools/install-deps.sh installs ---------------------------
t0=$SECONDS
setup_chroot() {   # runs inside sdc_prepare, the first time for this install-deps.sh
    mkdir -p "$R/build/deps/tools" && cp "$src/tools/install-deps.sh" "$R/build/deps/tools/" &&
    step install-deps-first 2400 /build/deps/tools/install-deps.sh ||
        { show_log install-deps-first; return 1; }
    rm -rf "$R/build"
}
# (the cached tree is not tied to install-deps.sh's content: each run's
# install-deps.sh adds what is missing, and the cache is stored again then)
sdc_prepare "$R" "$RELEASE" "debian13-build" v1 setup_chroot >"$T/prepare.log" 2>&1
status=$?
sed -n 's/^# chroot: /# chroot: /p' "$T/prepare.log"
times+=("chroot $((SECONDS - t0)) s")
[ "$status" -eq 0 ] || { cat "$T/prepare.log"; bail "cannot make the $RELEASE chroot"; }
sdc_enter "$R" || bail "cannot enter the chroot"
diag "$(sdc_run 30 sh -c '. /etc/os-release; echo "$PRETTY_NAME"'), gcc $(sdc_run 30 sh -c 'gcc -dumpfullversion' 2>/dev/null), net-snmp $(sdc_run 30 net-snmp-config --version 2>/dev/null), curl $(sdc_run 30 sh -c "pkg-config --modversion libcurl" 2>/dev/null)"

# --- install-deps, build, make check ----------------------------------------------------------------
mkdir -p "$R/build" && cp -a "$src" "$R/build/smsdistd" || bail "cannot copy the source into the chroot"
step install-deps 1800 /build/smsdistd/tools/install-deps.sh
result $? "tools/install-deps.sh succeeds on Debian 13" || show_log install-deps
if grep -q '^install-deps: installing' "$T/install-deps.log"; then
    diag "$(grep '^install-deps: installing' "$T/install-deps.log")"
    t0=$SECONDS
    sdc_refresh "$R" ./build >>"$T/prepare.log" 2>&1 || diag "could not store the chroot again (going on)"
    times+=("cache refresh $((SECONDS - t0)) s")
fi
step checkbuilddeps 60 sh -c 'cd /build/smsdistd && dpkg-checkbuilddeps'
result $? "it installed every Build-Depends of debian/control (dpkg-checkbuilddeps)" || show_log checkbuilddeps

step autoreconf 600 sh -c 'cd /build/smsdistd && autoreconf -fi' &&
    step configure 600 sh -c 'mkdir -p /build/smsdistd/_build && cd /build/smsdistd/_build && ../configure' &&
    step make 1800 make -C /build/smsdistd/_build -j"$(nproc)"
status=$?
result "$status" "autoreconf, configure and make succeed" ||
    { for l in autoreconf configure make; do [ -f "$T/$l.log" ] && show_log "$l" 30; done; }
if [ "$status" -eq 0 ]; then
    warnings=$(grep -c -E 'warning:' "$T/make.log")
    result "$([ "$warnings" -eq 0 ] && echo 0 || echo 1)" "the build has no compiler warning ($warnings)" ||
        grep -E 'warning:' "$T/make.log" | head -n 20 | sed 's/^/#   /'
    # The IETF base MIBs the MIB checks need come from npm (tests/mib/fetch-
    # base-mibs.sh): fetched here, on this machine, whose npm is set up for
    # its network (its registry, its CA), and put where `make check` keeps
    # them; when they cannot be had, those checks skip, as anywhere.
    mibs=${BUILD_DIR:-$top/_build}/tests/mibs-base
    [ -s "$mibs/SNMPv2-TC.txt" ] || mibs=$T/mibs-base
    if [ -s "$mibs/SNMPv2-TC.txt" ] || timeout 300 bash "$src/tests/mib/fetch-base-mibs.sh" "$mibs" >"$T/fetch-mibs.log" 2>&1; then
        mkdir -p "$R/build/smsdistd/_build/tests" && cp -a "$mibs" "$R/build/smsdistd/_build/tests/mibs-base"
    else
        diag "the base MIBs cannot be had: $(tail -n 1 "$T/fetch-mibs.log")"
    fi
    step make-check 2400 make -C /build/smsdistd/_build -j"$(nproc)" check
    check_rc=$?
    # every TAP result of every test (as tests/run.sh counts them)
    results=0
    while read -r trs res; do
        results=$((results + 1))
        name=${trs#"$R"/build/smsdistd/_build/}
        name=${name%.trs}
        case $res in
            PASS | XFAIL) result 0 "debian13: $name" ;;
            SKIP) n=$((n + 1)); skip=$((skip + 1)); echo "ok $n - debian13: $name # SKIP" ;;
            *) result 1 "debian13: $name ($res)" ;;
        esac
    done < <(find "$R/build/smsdistd/_build" -name '*.trs' -exec awk '/^:test-result: / { print FILENAME, $2 }' {} + | sort -k1,1 -s)
    if [ "$check_rc" -ne 0 ]; then
        result 1 "make check exits 0 (exit $check_rc)"
        show_log make-check 60
    elif [ "$results" -eq 0 ]; then
        result 1 "make check ran tests"
    fi
fi
left=$(sdc_pids_in "$R")
result "$([ -z "$left" ] && echo 0 || echo 1)" "make check left nothing running in the chroot" || diag "left: $left"

# --- the Debian package -------------------------------------------------------------------------------------
mkdir -p "$R/build/pkg" && cp -a "$src" "$R/build/pkg/smsdistd" || bail "cannot copy the source into the chroot"
version=$(sed -n 's/^AC_INIT(\[smsdistd\], *\[\([^]]*\)\].*/\1/p' "$src/configure.ac")
arch=$(sdc_run 30 dpkg --print-architecture)
step dpkg-buildpackage 1800 sh -c 'cd /build/pkg/smsdistd && dpkg-buildpackage -us -uc -b -J$(nproc)'
result $? "dpkg-buildpackage -us -uc -b succeeds on Debian 13" || show_log dpkg-buildpackage
deb=/build/pkg/smsdistd_${version}_$arch.deb
result "$([ -f "$R$deb" ] && echo 0 || echo 1)" "it builds ${deb##*/}"
if [ -f "$R$deb" ]; then
    diag "Depends: $(dpkg-deb -f "$R$deb" Depends)"
    step lintian 900 sh -c "cd /build/pkg && lintian --fail-on error,warning smsdistd_${version}_$arch.changes"
    status=$?
    grep -v 'running with root privileges' "$T/lintian.log" | sed 's/^/#   /'
    result "$status" "lintian (Debian 13's) on it: no error, no warning"
    unit=$(dpkg-deb -c "$R$deb" | awk '{ print $6 }' | grep 'systemd/system/smsdistd.service$')
    result "$([ "$unit" = ./usr/lib/systemd/system/smsdistd.service ] && echo 0 || echo 1)" \
        "the unit is in /usr/lib/systemd/system on Debian 13 (${unit:-none})"
fi

times+=("total $((SECONDS - t_all)) s")
diag "times: $(printf '%s, ' "${times[@]}" | sed 's/, $//')"
summary
[ "$fail" -eq 0 ]
