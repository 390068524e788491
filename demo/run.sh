#!/usr/bin/env bash
# The demo: on a fresh Debian 12 machine (as root), installs what is missing,
# builds smsdistd, starts a private snmpd master and smsdistd on the bundled
# sample export, and shows the table with MIB names. Everything it starts
# listens on 127.0.0.1 only and is stopped when the demo ends.
#   demo/run.sh           show the table and stop
#   demo/run.sh --keep    leave both running until Ctrl-C, to try your own queries
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/_build}
keep=0
[ "${1:-}" = "--keep" ] && keep=1

"$top/tools/install-deps.sh"
if [ ! -x "$build/src/smsdistd" ]; then
  echo "== building smsdistd in $build"
  (cd "$top" && autoreconf -fi >/dev/null 2>&1)
  mkdir -p "$build"
  (cd "$build" && "$top/configure" -q && make -j"$(nproc)" >/dev/null)
fi
mibs_base="$build/tests/mibs-base"
"$top/tests/mib/fetch-base-mibs.sh" "$mibs_base"

T=$(mktemp -d /tmp/smsdistd-demo.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]+"${pids[@]}"}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# net-snmp tools announce creating this on first use; create it quietly
mkdir -p "$T/conf" "$T/persist/cert_indexes"
export SNMPCONFPATH="$T/conf" SNMP_PERSISTENT_DIR="$T/persist"
export MIBDIRS="$mibs_base:/usr/share/snmp/mibs:$top/mibs"
export MIBS="SNMPv2-MIB:SMS-DISTRIBUTION-STATUS-MIB"
port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cat > "$T/snmpd.conf" <<CONF
master agentx
agentXSocket $T/agentx.sock
agentXPerms 0600 0700
rocommunity public 127.0.0.1
CONF
cat > "$T/smsdistd.conf" <<CONF
source file:$top/demo/sample-combined.json
CONF

echo "== starting snmpd on udp:127.0.0.1:$port and smsdistd (files in $T)"
/usr/sbin/snmpd -f -C -c "$T/snmpd.conf" -Lf "$T/snmpd.log" "udp:127.0.0.1:$port" &
pids+=($!)
snmp() { local cmd=$1; shift; "$cmd" -v2c -c public -t 1 -r 1 "127.0.0.1:$port" "$@"; }
wait_for() {  # wait_for SECONDS CMD...: bounded polling
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}
wait_for 10 test -S "$T/agentx.sock" || { echo "snmpd did not start:"; cat "$T/snmpd.log"; exit 1; }
"$build/src/smsdistd" -f -C -c "$T/smsdistd.conf" -x "$T/agentx.sock" -Lf "$T/smsdistd.log" &
pids+=($!)
served() {
  local v
  v=$(snmp snmpget -Oqv SMS-DISTRIBUTION-STATUS-MIB::smsDistSourceRowsServed.0 2>/dev/null)
  [[ "$v" =~ ^[0-9]+$ ]] && [ "$v" -gt 0 ]
}
wait_for 10 served || { echo "smsdistd did not load:"; cat "$T/smsdistd.log"; exit 1; }

echo
echo "== smsdistd's log"
cat "$T/smsdistd.log"
echo
echo "== source health and summary: snmpwalk SMS-DISTRIBUTION-STATUS-MIB::smsDistSource / smsDistSummary"
snmp snmpwalk SMS-DISTRIBUTION-STATUS-MIB::smsDistSource
snmp snmpwalk SMS-DISTRIBUTION-STATUS-MIB::smsDistSummary
echo
echo "== the table: snmptable -Cb -Ci SMS-DISTRIBUTION-STATUS-MIB::smsDistStatusTable"
snmp snmptable -Cb -Ci -Cw 200 SMS-DISTRIBUTION-STATUS-MIB::smsDistStatusTable
echo
echo "== one row: snmpget SMS-DISTRIBUTION-STATUS-MIB::smsDistStatusType.\"PS100095\".40"
snmp snmpget SMS-DISTRIBUTION-STATUS-MIB::smsDistStatusType.\"PS100095\".40
echo
echo "== which distribution point? The Error row's PackageID column is the prefix of its content's"
echo "   rows in smsDistContentDPTable: one walk lists every DP of PS100095 and its State"
pkg=$(snmp snmpget -Oqv SMS-DISTRIBUTION-STATUS-MIB::smsDistStatusPackageID.\"PS100095\".40 | tr -d '"')
echo "   snmpwalk SMS-DISTRIBUTION-STATUS-MIB::smsDistContentDPState.\"$pkg\""
snmp snmpwalk SMS-DISTRIBUTION-STATUS-MIB::smsDistContentDPState.\"$pkg\"
echo
echo "== the distribution points: snmptable -Cb -Ci SMS-DISTRIBUTION-STATUS-MIB::smsDistDPTable"
snmp snmptable -Cb -Ci -Cw 200 SMS-DISTRIBUTION-STATUS-MIB::smsDistDPTable
echo
echo "== their summary and each table's source: smsDistDPSummary, smsDistLoadState"
snmp snmpwalk SMS-DISTRIBUTION-STATUS-MIB::smsDistDPSummary
snmp snmpwalk SMS-DISTRIBUTION-STATUS-MIB::smsDistLoadState

if [ "$keep" = 1 ]; then
  echo
  echo "== running; try for example:"
  echo "   MIBDIRS=$MIBDIRS MIBS=$MIBS snmpwalk -v2c -c public 127.0.0.1:$port SMS-DISTRIBUTION-STATUS-MIB::smsDistStatusType"
  echo "   Ctrl-C stops snmpd and smsdistd."
  wait "${pids[0]}"
fi
