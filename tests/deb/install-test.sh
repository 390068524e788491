#!/usr/bin/env bash
# install-test.sh: the Debian package's own test. TAP.
#
#  1. builds smsdistd_<AC_INIT version>_<arch>.deb with `dpkg-buildpackage
#     -us -uc -b` in a clean clone of HEAD (--from-tree: a copy of the work
#     tree's tracked and untracked, not ignored, files instead), checks its
#     contents and runs lintian (no error, no warning);
#  2. installs it with dpkg in a minbase chroot of this machine's release
#     made by debootstrap (cached: tests/deb/chroot.sh), never on this
#     machine itself: the user and folders are created, the service is not
#     enabled;
#  3. runs the installed /usr/sbin/smsdistd as the unit does (its ExecStart,
#     User and Group, the installed configuration) on demo/sample-export.json
#     behind a private snmpd on 127.0.0.1 (the chroot shares this machine's
#     network), walks the table and checks it with the independent oracle
#     (tests/integration/check_walk.py); then the dlmod form inside that snmpd;
#  4. upgrades to the same package with a higher version (repacked with
#     dpkg-deb: the same files), then to one whose packaged configuration
#     changed too: an edited configuration stays both times;
#  5. removes (the configuration stays) and purges: the file list of the
#     chroot is then what it was before the installation, but for the
#     smsdistd system user, which stays (debian/smsdistd.postrm says why).
#
# Usage: tests/deb/install-test.sh [--from-tree] [--keep]       (as root)
# Environment: SD_CHROOT_CACHE (the cached chroot, default
# /var/cache/smsdistd-tests), SD_DEB_RELEASE (default: this machine's),
# TMPDIR. Every command is bounded by timeout(1); everything started is
# stopped by PID, /proc in the chroot is unmounted and the temporary folder
# removed on every exit path.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/deb/chroot.sh
. "$top/tests/deb/chroot.sh"

from_tree=0 keep=0
for a in "$@"; do
    case $a in
        --from-tree) from_tree=1 ;;
        --keep) keep=1 ;;
        *) echo "usage: $0 [--from-tree] [--keep]" >&2; exit 2 ;;
    esac
done

n=0 failed=0
diag() { printf '%s\n' "$*" | sed 's/^/# /'; }
result() {  # result STATUS DESC
    n=$((n + 1))
    if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
    return "$1"
}
ok() {      # ok CMD... DESC: CMD's output shown when it fails
    local desc=${*: -1} out status
    set -- "${@:1:$#-1}"
    out=$("$@" 2>&1)
    status=$?
    result "$status" "$desc" || { diag "  failed: $*"; [ -n "$out" ] && printf '%s\n' "$out" | tail -n 20 | cut -c1-240 | sed 's/^/#   /'; }
    return "$status"
}
is() { local s=0; [ "$1" = "$2" ] || s=1; result "$s" "$3" || diag "       got: '$1'" "  expected: '$2'"; return "$s"; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
bail() { echo "Bail out! $*"; failed=$((failed + 1)); exit 1; }

[ "$(id -u)" = 0 ] || skip_all "needs root (debootstrap, chroot, mount)"
for tool in debootstrap dpkg-buildpackage dh lintian python3 git zstd; do
    command -v "$tool" >/dev/null 2>&1 ||
        skip_all "$tool not found (tools/install-deps.sh installs it)"
done
release=${SD_DEB_RELEASE:-$(. /etc/os-release && echo "${VERSION_CODENAME:-}")}
[ -n "$release" ] || skip_all "cannot tell this machine's Debian release (/etc/os-release)"

T=$(mktemp -d "${TMPDIR:-/tmp}/smsdistd-deb.XXXXXX") || bail "mktemp failed"
R=$T/root
# shellcheck disable=SC2034  # sdc_run's (tests/deb/chroot.sh)
SDC_ROOT=$R
PIDS=()
cleanup() {
    local status=$? p i
    trap - EXIT INT TERM
    for p in ${PIDS[@]+"${PIDS[@]}"}; do stop_pid "$p"; done
    sdc_remove "$R" || status=1
    if [ "$keep" = 1 ]; then diag "kept $T (the chroot removed)"; else rm -rf --one-file-system "$T"; fi
    [ "$failed" -gt 0 ] && [ "$status" -eq 0 ] && status=1
    exit "$status"
}
trap cleanup EXIT
trap 'diag interrupted; failed=$((failed + 1)); exit 130' INT
trap 'diag terminated; failed=$((failed + 1)); exit 143' TERM

# stop_pid PID: TERM, up to 15 s, KILL; STOP_STATUS is its exit status.
stop_pid() {
    local pid=$1 i keep=() p
    STOP_STATUS=
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null
        for ((i = 0; i < 150; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && { diag "pid $pid did not stop on TERM: killed"; kill -KILL "$pid" 2>/dev/null; }
    fi
    wait "$pid" 2>/dev/null
    STOP_STATUS=$?
    for p in ${PIDS[@]+"${PIDS[@]}"}; do [ "$p" = "$pid" ] || keep+=("$p"); done
    PIDS=(${keep[@]+"${keep[@]}"})
}

# poll SECONDS CMD...: until CMD succeeds (bounded)
poll() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.2
    done
}

phase_t0=$SECONDS
phase() { diag "== $1 (previous phase: $((SECONDS - phase_t0)) s)"; phase_t0=$SECONDS; }

# --- 1. build -----------------------------------------------------------------
phase "build"
src=$T/src/smsdistd
sdc_source "$top" "$src" "$from_tree" || bail "cannot get the source to build"
[ -d "$src/debian" ] || bail "no debian/ in the source (not committed yet? try --from-tree)"
version=$(sed -n 's/^AC_INIT(\[smsdistd\], *\[\([^]]*\)\].*/\1/p' "$src/configure.ac")
arch=$(dpkg --print-architecture)
deb=$T/src/smsdistd_${version}_${arch}.deb
t0=$SECONDS
(cd "$src" && timeout -k 10 1800 dpkg-buildpackage -us -uc -b -J"$(nproc)") >"$T/build.log" 2>&1
status=$?
result "$status" "dpkg-buildpackage -us -uc -b succeeds ($((SECONDS - t0)) s)" || { tail -n 40 "$T/build.log" | sed 's/^/#   /'; }
ok test -f "$deb" "it builds smsdistd_${version}_${arch}.deb (the version is configure.ac's AC_INIT)" || bail "no package to test"
unit_tests=$(sed -n 's/^# PASS: *//p' "$T/build.log" | tail -n 1)
like_unit=1; [ -n "$unit_tests" ] && [ "$unit_tests" -gt 0 ] && like_unit=0
result "$like_unit" "the build ran the unit tests only (${unit_tests:-no} passed; no integration test)"

contents=$(dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|')
has() { grep -q -x -E -- "$1" <<<"$contents"; }
for want in /usr/sbin/smsdistd '/usr/lib/([^/]+/)?smsdistd/smsdist\.so' \
            /usr/share/snmp/mibs/SMS-DISTRIBUTION-STATUS-MIB.txt \
            /usr/share/man/man8/smsdistd\.8\.gz /usr/share/man/man5/smsdistd\.conf\.5\.gz \
            '(/usr)?/lib/systemd/system/smsdistd\.service' \
            /usr/lib/sysusers.d/smsdistd\.conf /usr/lib/tmpfiles.d/smsdistd\.conf \
            /etc/smsdistd/smsdistd\.conf \
            /usr/share/doc/smsdistd/README\.Debian /usr/share/doc/smsdistd/copyright \
            '/usr/share/doc/smsdistd/README\.md(\.gz)?' \
            /usr/share/doc/smsdistd/examples/snmpd\.conf\.smsdistd \
            /usr/share/doc/smsdistd/examples/smsdistd\.conf\.example \
            /usr/share/smsdistd/zabbix/smsdistd_template\.yaml \
            /usr/share/smsdistd/zabbix/smsdistd_template_7\.0\.yaml \
            /usr/share/smsdistd/zabbix/smsdistd-zabbix-traphandle \
            /usr/share/doc/smsdistd/examples/Export-SmsDistributionStatus\.ps1; do
    ok has "$want" "the package ships $want"
done
ok test -z "$(grep -E '\.la$' <<<"$contents")" "no libtool .la file in the package"
ok sh -c "dpkg-deb --ctrl-tarfile '$deb' | tar -xOf - ./conffiles | grep -q -x /etc/smsdistd/smsdistd.conf" \
    "/etc/smsdistd/smsdistd.conf is a conffile"
depends=$(dpkg-deb -f "$deb" Depends)
diag "Depends: $depends"

t0=$SECONDS
(cd "$T/src" && timeout -k 10 900 lintian --fail-on error,warning "smsdistd_${version}_${arch}.changes") >"$T/lintian.log" 2>&1
status=$?
grep -v 'running with root privileges' "$T/lintian.log" | sed 's/^/#   /'
result "$status" "lintian: no error, no warning ($((SECONDS - t0)) s)"

# The table's OID from the C code's own table (tests/oid_dump; `make check`'s
# unit part, run by the build, made it).
[ -x "$src/tests/oid_dump" ] || make -C "$src" tests/oid_dump >"$T/oid_dump.log" 2>&1
"$src/tests/oid_dump" >"$T/oids.txt" 2>/dev/null || bail "cannot run tests/oid_dump"
oid() { awk -v n="$1" '$1 == n { print $2; exit }' "$T/oids.txt"; }
TABLE=$(oid smsDistStatusTable)
SERVED_OID=$(oid smsDistSourceRowsServed).0
STATE_OID=$(oid smsDistSourceState).0
[ -n "$TABLE" ] && [ "$SERVED_OID" != .0 ] || bail "oid_dump named no smsDistStatusTable / smsDistSourceRowsServed"
DEMO=$src/demo/sample-export.json
oracle() { python3 "$src/tests/integration/check_walk.py" "$@"; }
rows=$(oracle count "$DEMO") || bail "the oracle cannot read $DEMO"

# --- 2. the chroot --------------------------------------------------------------
phase "chroot ($release)"
setup_chroot() {  # runs inside sdc_prepare: the test's tools and the package's dependencies
    {
        sdc_run 900 apt-get update -q &&
        sdc_run 1200 apt-get install -y -q --no-install-recommends snmpd snmp &&
        sdc_run 1200 apt-get satisfy -y -q --no-install-recommends "$depends"
    } >"$T/setup.log" 2>&1 || { tail -n 30 "$T/setup.log" | sed 's/^/#   /'; return 1; }
}
key=$(printf '%s\n' "$release" "$depends" "snmpd snmp" | sha256sum | cut -c1-16)
sdc_prepare "$R" "$release" "install-test-$release" "$key" setup_chroot || bail "cannot make the $release chroot"
sdc_enter "$R" || bail "cannot enter the chroot"
# a dependency newer than the cached chroot has: install it now (network)
sdc_run 1200 apt-get satisfy -y -q --no-install-recommends "$depends" >"$T/satisfy.log" 2>&1 ||
    { sdc_run 600 apt-get update -q >/dev/null 2>&1; sdc_run 1200 apt-get satisfy -y -q --no-install-recommends "$depends" >"$T/satisfy.log" 2>&1; } ||
    { sed 's/^/#   /' "$T/satisfy.log"; bail "cannot install the package's dependencies in the chroot"; }

# What a package may leave: every path (type, mode, owner) outside the volatile
# folders, and the content of every file under /etc and /var/lib.
snapshot() {
    sdc_run 300 sh -c '
        find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /tmp -o -path /run \
            -o -path /var/log -o -path /var/cache -o -path /var/lib/dpkg -o -path /var/lib/apt \
            -o -path /var/backups -o -path /root \) -prune -o -printf "%p %y %m %u:%g\n" | LC_ALL=C sort
        find /etc /var/lib -xdev \( -path /var/lib/dpkg -o -path /var/lib/apt \) -prune -o -type f -print0 |
            xargs -0 md5sum | LC_ALL=C sort -k 2'
}
snapshot >"$T/before.txt" || bail "cannot list the chroot's files"
users_before=$(cut -d: -f1 "$R/etc/passwd")
groups_before=$(cut -d: -f1 "$R/etc/group")

# --- 3. install --------------------------------------------------------------------
phase "install"
mkdir -p "$R/tmp/pkg" && cp "$deb" "$R/tmp/pkg/" || bail "cannot copy the package into the chroot"
out=$(sdc_run 300 dpkg -i "/tmp/pkg/${deb##*/}" </dev/null 2>&1)
status=$?
result "$status" "dpkg -i smsdistd_${version}_${arch}.deb in a $release chroot" || printf '%s\n' "$out" | sed 's/^/#   /'
[ "$status" -eq 0 ] || bail "the package did not install"
ok grep -q 'not enabled nor started' <<<"$out" "the installation says the service is not started, and what to do"
pw=$(sdc_run 30 getent passwd smsdistd)
like_user=1; [[ $pw =~ ^smsdistd:x:[0-9]+:[0-9]+:.*:/nonexistent:(/usr)?/s?bin/(nologin|false)$ ]] && like_user=0
result "$like_user" "the system user smsdistd exists, no home, no login shell (${pw:-none})"
is "$(sdc_run 30 stat -c '%a %U:%G' /var/lib/smsdistd 2>&1)" "750 root:smsdistd" "/var/lib/smsdistd created, 0750 root:smsdistd"
is "$(sdc_run 30 stat -c '%a %U:%G' /var/agentx 2>&1)" "750 root:smsdistd" "/var/agentx created, 0750 root:smsdistd"
ok cmp "$R/etc/smsdistd/smsdistd.conf" "$src/contrib/smsdistd.conf.example" "/etc/smsdistd/smsdistd.conf is the example"
ok test -z "$(cd "$R/etc/systemd/system" 2>/dev/null && find . -name smsdistd.service)" \
    "the service is not enabled (no link under /etc/systemd/system)"
ok test -z "$(sdc_pids_in "$R")" "nothing was started by the installation"
unit=$(sdc_run 30 sh -c 'for d in /usr/lib/systemd/system /lib/systemd/system; do [ -f $d/smsdistd.service ] && { echo $d/smsdistd.service; exit; }; done')
user=$(sed -n 's/^User=//p' "$R$unit")
group=$(sed -n 's/^Group=//p' "$R$unit")
read -r -a exec_start <<<"$(sed -n 's/^ExecStart=//p' "$R$unit")"
read -r -a exec_check <<<"$(sed -n 's|^ExecReload=\([^ ]*smsdistd -t .*\)|\1|p' "$R$unit")"
diag "unit $unit: User=$user Group=$group ExecStart=${exec_start[*]}"
[ "${#exec_start[@]}" -gt 0 ] && [ -n "$user" ] || bail "cannot read the installed unit"
as_service() { sdc_run "$1" setpriv --reuid="$user" --regid="$group" --init-groups "${@:2}"; }

# --- 4. run it ----------------------------------------------------------------------
phase "run"
install -m 0640 "$DEMO" "$R/var/lib/smsdistd/distribution.json" &&
    sdc_run 30 chgrp smsdistd /var/lib/smsdistd/distribution.json || bail "cannot drop the demo export"
if [ "${#exec_check[@]}" -gt 0 ]; then
    ok as_service 60 "${exec_check[@]}" "the installed configuration checks clean as the service's user (${exec_check[*]})"
else
    n=$((n + 1)); echo "ok $n # SKIP the unit has no configuration check (ExecReload=smsdistd -t) to run"
fi

W=/tmp/sdt                        # the test's files, inside the chroot
mkdir -p "$R$W/persist" "$R$W/nomibs" "$R$W/conf"
snmp_env=(env "SNMPCONFPATH=$W/conf" "SNMP_PERSISTENT_DIR=$W/persist" MIBS= "MIBDIRS=$W/nomibs")
free_port() {
    python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
snmp() { sdc_run 30 "${snmp_env[@]}" "$1" -v2c -c public -t 2 -r 1 -On -Oe "127.0.0.1:$PORT" "${@:2}"; }
value() { snmp snmpget "$1" 2>/dev/null | sed -n 's/^[^=]* = [A-Za-z0-9]*: //p'; }
answers() { snmp snmpget .1.3.6.1.2.1.1.3.0 >/dev/null 2>&1; }
served_is() { [ "$(value "$SERVED_OID")" = "$1" ]; }

# start_snmpd CONF-LINES: the chroot's snmpd on a free port of 127.0.0.1
start_snmpd() {
    local attempt
    printf '%s\n' "$@" 'rocommunity public 127.0.0.1' >"$R$W/snmpd.conf"
    for attempt in 1 2 3; do
        PORT=$(free_port)
        : >"$R$W/snmpd.log"
        timeout -k 5 900 chroot "$R" /usr/bin/env -i PATH="$SDC_PATH" "${snmp_env[@]:1}" \
            /usr/sbin/snmpd -f -C -c $W/snmpd.conf -Lf $W/snmpd.log udp:127.0.0.1:"$PORT" \
            >>"$T/snmpd.out" 2>&1 &
        SNMPD_PID=$!
        PIDS+=("$SNMPD_PID")
        poll 20 answers && return 0
        stop_pid "$SNMPD_PID"
        diag "snmpd on port $PORT did not answer (attempt $attempt)"
        sed 's/^/#   /' "$R$W/snmpd.log" | tail -n 10
    done
    return 1
}

start_snmpd 'master agentx' 'agentXSocket /var/agentx/master' 'agentXPerms 0660 0750 root smsdistd' \
    'agentXTimeout 5' || bail "the chroot's snmpd did not start"
diag "snmpd (pid $SNMPD_PID) on udp:127.0.0.1:$PORT"
timeout -k 5 900 chroot "$R" /usr/bin/env -i PATH="$SDC_PATH" \
    setpriv --reuid="$user" --regid="$group" --init-groups "${exec_start[@]}" >"$T/smsdistd.out" 2>&1 &
AGENT_PID=$!
PIDS+=("$AGENT_PID")
poll 30 served_is "$rows"
result $? "the installed smsdistd, started as the unit does (as $user), serves the $rows demo rows through snmpd" ||
    { diag "smsDistSourceRowsServed.0: '$(value "$SERVED_OID")'"; sed 's/^/#   /' "$T/smsdistd.out" | tail -n 20; }
is "$(value "$STATE_OID")" 1 "smsDistSourceState.0 is ok(1)"
snmp snmpwalk "$TABLE" >"$T/walk.txt" 2>&1
ok oracle compare "$DEMO" --table-oid "$TABLE" "$T/walk.txt" "a walk of smsDistStatusTable matches the demo export (check_walk.py)"
ok grep -q "loaded $rows rows from /var/lib/smsdistd/distribution.json" "$T/smsdistd.out" "smsdistd logs the load"
stop_pid "$AGENT_PID"
is "$STOP_STATUS" 0 "smsdistd stops on SIGTERM with status 0"
stop_pid "$SNMPD_PID"

so=$(sdc_run 30 dpkg -L smsdistd | grep '/smsdist\.so$')
start_snmpd "dlmod smsdist $so" 'source file:/var/lib/smsdistd/distribution.json' ||
    bail "snmpd with the dlmod did not start"
poll 30 served_is "$rows"
result $? "the dlmod form: snmpd loads $so and serves the $rows demo rows" ||
    sed 's/^/#   /' "$R$W/snmpd.log" | tail -n 20
snmp snmpwalk "$TABLE" >"$T/walk-dlmod.txt" 2>&1
ok oracle compare "$DEMO" --table-oid "$TABLE" "$T/walk-dlmod.txt" "a walk through the dlmod form matches the demo export"
stop_pid "$SNMPD_PID"
ok test -z "$(sdc_pids_in "$R")" "nothing left running in the chroot"

# --- 5. upgrade ------------------------------------------------------------------------
phase "upgrade"
conf=$R/etc/smsdistd/smsdistd.conf
sed -i 's/^staleAfter 3600/staleAfter 7200/' "$conf" && echo "# edited by install-test" >>"$conf"
edited=$(md5sum <"$conf")
# repack: the same files under a higher version (and, for v3, a changed
# packaged configuration); what is tested is dpkg's conffile handling and the
# maintainer scripts on a real version upgrade, not a second build
repack() {  # repack VERSION [CHANGE-CONF]
    local d=$T/repack-$1
    rm -rf "$d" && dpkg-deb -R "$deb" "$d" || return 1
    sed -i "s/^Version: .*/Version: $1/" "$d/DEBIAN/control"
    [ -n "${2:-}" ] && echo "# a line new in $1" >>"$d/etc/smsdistd/smsdistd.conf"
    dpkg-deb --root-owner-group -b "$d" "$R/tmp/pkg/smsdistd_$1_$arch.deb" >/dev/null
}
v2=$version+upgradetest1 v3=$version+upgradetest2
repack "$v2" && repack "$v3" change || bail "cannot repack the package"
ok sdc_run 300 dpkg -i "/tmp/pkg/smsdistd_${v2}_$arch.deb" "upgrade to $v2 (same configuration in the package) with dpkg -i"
is "$(sdc_run 30 dpkg-query -W -f='${Version}' smsdistd)" "$v2" "version $v2 installed"
is "$(md5sum <"$conf")" "$edited" "the edited /etc/smsdistd/smsdistd.conf is kept"
is "$(cd "$R/etc/smsdistd" && ls -A)" smsdistd.conf "no .dpkg-* file beside it"
ok sdc_run 300 dpkg -i --force-confdef --force-confold "/tmp/pkg/smsdistd_${v3}_$arch.deb" \
    "upgrade to $v3, whose packaged configuration changed (dpkg --force-confold, as apt's unattended upgrades)"
is "$(md5sum <"$conf")" "$edited" "the edited configuration is kept again"
ok grep -q -x "# a line new in $v3" "$conf.dpkg-dist" "the new packaged configuration is beside it as smsdistd.conf.dpkg-dist"
ok test -z "$(cd "$R/etc/systemd/system" 2>/dev/null && find . -name smsdistd.service)" "the upgrades did not enable the service"
ok test -z "$(sdc_pids_in "$R")" "the upgrades started nothing"

# --- 6. remove, purge ----------------------------------------------------------------------
phase "remove, purge"
ok sdc_run 300 dpkg -r smsdistd "dpkg -r smsdistd"
ok test ! -e "$R/usr/sbin/smsdistd" "remove: the program is gone"
is "$(md5sum <"$conf" 2>&1)" "$edited" "remove: the edited configuration stays"
is "$(sdc_run 30 dpkg-query -W -f='${Status}' smsdistd 2>&1)" "deinstall ok config-files" "remove: dpkg keeps config-files"
# the test's snmpd, stopped, may leave its AgentX socket: that one is ours
rm -f "$R/var/agentx/master"
ok sdc_run 300 dpkg -P smsdistd "dpkg -P smsdistd"
ok test ! -e "$R/etc/smsdistd" "purge: /etc/smsdistd is gone"
ok test ! -e "$R/var/lib/smsdistd" "purge: /var/lib/smsdistd is gone"
ok test ! -e "$R/var/agentx" "purge: /var/agentx (empty) is gone"
ok sdc_run 30 getent passwd smsdistd "purge: the smsdistd system user stays (Debian's rule for system users)"
snapshot >"$T/after.txt" || bail "cannot list the chroot's files"
# the user and group stay: passwd, group, shadow, gshadow and their backups
left=$(diff "$T/before.txt" "$T/after.txt" |
    grep -E '^[<>]' | grep -v -E ' /etc/(passwd|group|shadow|gshadow)-?( |$)')
result "$([ -z "$left" ] && echo 0 || echo 1)" "purge leaves nothing behind (the file list is as before the installation, the user excepted)" ||
    printf '%s\n' "$left" | head -n 40 | sed 's/^/#   /'
is "$(comm -13 <(sort <<<"$users_before") <(cut -d: -f1 "$R/etc/passwd" | sort) | paste -sd' ')" smsdistd \
    "the only user added and left is smsdistd"
is "$(comm -13 <(sort <<<"$groups_before") <(cut -d: -f1 "$R/etc/group" | sort) | paste -sd' ')" smsdistd \
    "the only group added and left is smsdistd"
phase "done"
echo "1..$n"
