#!/bin/bash
# zabbix-readme12.sh: README's Zabbix step 3 ("Traps to Zabbix") as written,
# in a clean Debian 12 chroot with Debian 12's Zabbix 6.0 server package (a
# cached debootstrap chroot, tests/deb/chroot.sh), up to the file Zabbix's
# snmp trapper reads. tests/contrib/zabbix7-server.sh does the same in
# Debian 13 and goes on into a running Zabbix 7.0; zabbix-server.sh runs
# Zabbix 6.0 on this machine itself, which a test must not reconfigure.
#
# The README's install commands run by sh in a folder holding the handler and
# the MIB; its snmptrapd.conf becomes the chroot's /etc/snmp/snmptrapd.conf;
# snmptrapd starts as its unit runs it (User=Debian-snmp, reading that file;
# only the listening address, 127.0.0.1 and a free port, is the test's). The
# IETF base MIBs stand in for snmp-mibs-downloader (non-free; it downloads
# them). Then a real smsdistd behind a private snmpd (trap2sink to that
# snmptrapd) announces a package row and an application row in error, and the
# trapper file must hold both as Zabbix reads them: a ZBXTRAP record from
# 127.0.0.1, the names of the MIB (an application row's index as a quoted
# string, not 300 characters of sub-identifiers), readable by the group zabbix.
#
# Exit 77 when debootstrap, or both the chroot cache and the Debian mirror,
# cannot be had here.

# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"
# shellcheck source=tests/deb/chroot.sh
. "$top_srcdir/tests/deb/chroot.sh"

sd_setup
[ "$(id -u)" = 0 ] || skip_all "needs root (debootstrap, chroot)"
for tool in debootstrap zstd chroot mount flock; do
    command -v "$tool" >/dev/null 2>&1 || skip_all "$tool not found (Debian: apt-get install $tool)"
done
sd_named_mibs
case $? in
    1) skip_all "$SD_NAMED_WHY" ;;
    2) bail_out "$SD_NAMED_WHY" ;;
esac

PACKAGES="zabbix-server-pgsql snmptrapd"
HANDLER=$top_srcdir/contrib/zabbix/smsdistd-zabbix-traphandle
TRAPLOG=$T/snmptrapd.log

base=${TMPDIR:-/tmp}
[ "${#base}" -gt 60 ] && base=/tmp
ROOT=$(mktemp -d "$base/smsdistd-readme12.XXXXXX") || bail_out "mktemp -d failed"
# shellcheck disable=SC2317  # called at teardown
readme12_cleanup() { sdc_remove "$ROOT" >"$T/chroot-remove.log" 2>&1 || echo "# $ROOT is left: $(tail -n 1 "$T/chroot-remove.log")"; }
SD_AT_TEARDOWN+=(readme12_cleanup)

# shellcheck disable=SC2086  # PACKAGES: a list of package names
readme12_setup() {
    sdc_run 900 apt-get update -q &&
        sdc_run 1800 apt-get install -y -q --no-install-recommends $PACKAGES
}
key=$(printf '%s\n' bookworm "$PACKAGES" v1 | sha256sum | cut -c1-16)
t0=$SECONDS
if ! sdc_prepare "$ROOT" bookworm bookworm-zabbix6 "$key" readme12_setup >"$T/chroot.log" 2>&1; then
    diag_file "$T/chroot.log" 30
    "$PYTHON3" - "$SDC_MIRROR/dists/bookworm/Release" <<'PY' >/dev/null 2>&1 ||
import sys, urllib.request
urllib.request.urlopen(urllib.request.Request(sys.argv[1], method="HEAD"), timeout=20)
PY
        skip_all "no cached Debian 12 chroot and $SDC_MIRROR cannot be reached"
    bail_out "cannot make the Debian 12 chroot with $PACKAGES"
fi
grep '^# chroot: ' "$T/chroot.log" | sed 's/^# //' | while IFS= read -r l; do diag "$l"; done
# shellcheck disable=SC2016  # dpkg-query's format, not the shell's
diag "Debian 12 chroot ready in $((SECONDS - t0)) s: $(chroot "$ROOT" dpkg-query -W -f '${Package} ${Version}, ' zabbix-server-pgsql snmptrapd)"
sdc_enter "$ROOT" || bail_out "cannot enter the chroot $ROOT"
if ! mkdir -p "$ROOT$T" || ! mount --bind "$T" "$ROOT$T"; then
    bail_out "cannot bind-mount $T into the chroot"
fi
chmod 0711 "$T" || bail_out "cannot make $T traversable"

# shellcheck source=tests/contrib/zabbix-template-checks.sh
. "$top_srcdir/tests/contrib/zabbix-template-checks.sh"
zbx_readme_trap_path "$ROOT" "Debian 12 (Zabbix 6.0)"

# a package row and an application row in error at smsdistd's start: each
# announced (presentAtStart) to the master, which sends it to snmptrapd
APP=ScopeId_B3FF3CC4-0319-4434-9D24-77689C53C615/Application_197d8de7-022d-4c0b-aec4-c339ccc17ba4
sd_write_rows "$T/rows.json" P0100102:10:3 "$APP:70:4" PS100001:10:1
sd_start_agent "source file:$T/rows.json" "pollInterval 1"
ok sd_wait_served 3 "smsdistd serves 3 rows, 2 in error"

records() { grep -c 'ZBXTRAP 127\.0\.0\.1$' "$ZBX_TRAPFILE" 2>/dev/null; }
two_records() { [ "$(records)" -ge 2 ]; }
ok sd_poll two_records "the handler, run by snmptrapd as Debian-snmp, wrote two ZBXTRAP records from 127.0.0.1 to README's SNMPTrapperFile"
ok grep -q -F 'smsDistRowEnteredError' "$ZBX_TRAPFILE" "they name the notification (smsDistRowEnteredError)"
ok grep -q -F 'SMS-DISTRIBUTION-STATUS-MIB::smsDistStatusType."P0100102".10 error' "$ZBX_TRAPFILE" \
    "the package row's index and Type as the MIB names them"
ok grep -q -F "SMS-DISTRIBUTION-STATUS-MIB::smsDistStatusType.\"$APP\".70 failed" "$ZBX_TRAPFILE" \
    "the application row's index as a quoted string (not its sub-identifiers)"
ok test "$(stat -c %a "$ZBX_TRAPFILE")" = 644 "the trapper file is 0644"
ok chroot --userspec=zabbix:zabbix "$ROOT" cat /var/lib/zabbix/snmptraps/snmptraps.log "the user zabbix can read it (README's folder: Debian-snmp:zabbix 0750)"
ok test "$(grep -c -i 'cannot find module\|unlinked\|cannot adopt' "$TRAPLOG")" = 0 "snmptrapd said nothing of missing modules"

sd_stop_agent TERM
is "$SD_STOP_STATUS" 0 "smsdistd exits 0"
done_testing
