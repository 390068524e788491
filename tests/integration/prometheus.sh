#!/bin/bash
# prometheus.sh: contrib/prometheus, the snmp_exporter modules and alerting
# rules, against Debian's prometheus-snmp-exporter and promtool:
#   - snmp.yml is exactly what prometheus-snmp-generator makes of the
#     committed generator.yml and the MIB (with snmp_exporter 0.21, the
#     version it was made with; another version generates its own and the
#     live checks use that), and the exporter accepts it;
#   - `promtool check rules` accepts smsdistd-rules.yml and `promtool test
#     rules` proves it on smsdistd-rules.test.yml;
#   - the exporter, on a free port of 127.0.0.1 only, scraping a live
#     smsdistd (behind a private snmpd) serving tests/data/serve/sample.json:
#     every series of every row, every label (the 93-character application
#     ObjectIDs whole) and value, as the independent oracle
#     (check_prometheus.py, on check_walk.py's reading of the file) says; the
#     health scalars as the agent serves them and as the source implies;
#     module smsdistd_health; a failed source; and what the exporter answers
#     when smsdistd is detached (no smsDist series) or the agent does not
#     answer (HTTP 500: up == 0), the premises of the unreachable and
#     not-attached alerts.
#
# SD_PROM_DIR=DIR checks another copy of contrib/prometheus (to see a broken
# one fail).

# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

PROM_DIR=${SD_PROM_DIR:-$top_srcdir/contrib/prometheus}
EXPORTER=${PROMETHEUS_SNMP_EXPORTER:-prometheus-snmp-exporter}
GENERATOR=${PROMETHEUS_SNMP_GENERATOR:-prometheus-snmp-generator}
PROMTOOL=${PROMTOOL:-promtool}
# Before sd_setup: a skip_all after it would count as an error.
for tool in "$EXPORTER" "$GENERATOR"; do
    command -v "$tool" >/dev/null 2>&1 ||
        skip_all "$tool not found (Debian: apt-get install prometheus-snmp-exporter)"
done
command -v "$PROMTOOL" >/dev/null 2>&1 || skip_all "$PROMTOOL not found (Debian: apt-get install prometheus)"
command -v curl >/dev/null 2>&1 || skip_all "curl not found (Debian: apt-get install curl)"

sd_setup

CHECK=$top_srcdir/tests/integration/check_prometheus.py
cprom() { "$PYTHON3" "$CHECK" "$@"; }

# The exporter's version: 0.21 here (Debian 12). The committed snmp.yml is
# that version's output; from 0.23 on (Debian 13) the format differs.
EXPORTER_VERSION=$("$EXPORTER" --version 2>&1 | sed -n 's/.*version \([0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\).*/\1/p' | head -n 1)
diag "snmp_exporter ${EXPORTER_VERSION:-(version unknown)}; $("$PROMTOOL" --version 2>&1 | head -n 1)"
case $EXPORTER_VERSION in
    0.21.* | 0.22.*) SAME_FORMAT=1 ;;
    *) SAME_FORMAT= ;;
esac

plan 32

# --- snmp.yml from generator.yml and the MIB ------------------------------------
CONFIG=$PROM_DIR/snmp.yml
top_builddir=$top_builddir SNMP_EXPORTER_VERSION=$EXPORTER_VERSION PROMETHEUS_SNMP_GENERATOR=$GENERATOR \
    bash "$PROM_DIR/generate.sh" -o "$T/snmp.yml" >"$T/generate.log" 2>&1
gen=$?
if [ "$gen" -eq 77 ]; then
    skip 2 "cannot generate here: $(tail -n 1 "$T/generate.log")"
else
    if ! sd_result "$gen" "generate.sh: prometheus-snmp-generator makes snmp.yml from generator.yml and the MIB"; then
        diag_file "$T/generate.log" 40
    fi
    if [ "$gen" -ne 0 ]; then
        skip 1 "nothing generated"
    elif [ -n "$SAME_FORMAT" ]; then
        ok diff -u "$CONFIG" "$T/snmp.yml" \
            "snmp.yml is exactly what the generator makes of generator.yml and the MIB (regenerate: contrib/prometheus/generate.sh)"
    else
        skip 1 "the committed snmp.yml is snmp_exporter 0.21's format; this is $EXPORTER_VERSION (its own snmp.yml is used below)"
        CONFIG=$T/snmp.yml
    fi
fi
ok "$EXPORTER" --dry-run --config.file="$CONFIG" "the exporter accepts $CONFIG"

# --- the rules ------------------------------------------------------------------
ok "$PROMTOOL" check rules "$PROM_DIR/smsdistd-rules.yml" "promtool check rules smsdistd-rules.yml"
# promtool test rules reads rule_files relative to the test file's folder.
ok timeout 120 "$PROMTOOL" test rules "$PROM_DIR/smsdistd-rules.test.yml" \
    "promtool test rules smsdistd-rules.test.yml: every alert fires when and as it should, and only then"

# --- a live smsdistd ----------------------------------------------------------------
cp "$SD_DATA/serve/sample.json" "$T/sample.json" || bail_out "cannot copy sample.json"
JSON=$T/sample.json
N=$(check_walk count "$JSON") || bail_out "the oracle cannot read sample.json"
summary() { check_walk summary "$JSON" --key "$1"; }
START=$(date +%s)
sd_start_master
sd_start_agent "source file:$JSON"
ok sd_wait_served "$N" "smsdistd serves the $N rows of sample.json"

# A free TCP port of 127.0.0.1, chosen by the kernel.
free_tcp_port() {
    "$PYTHON3" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}
exporter_up() { curl -s -o /dev/null --connect-timeout 1 --max-time 2 "http://127.0.0.1:$EXP_PORT/"; }
exporter_down() { ! exporter_up; }
# The exporter on 127.0.0.1:EXP_PORT only (--web.listen-address replaces
# the default :9116; no systemd socket, no TLS config).
start_exporter() {
    local attempt
    SD_LOGS+=("$T/exporter.log")
    for attempt in 1 2 3; do
        EXP_PORT=$(free_tcp_port) || return 1
        "$EXPORTER" --config.file="$CONFIG" --web.listen-address="127.0.0.1:$EXP_PORT" \
            --log.level=info >>"$T/exporter.log" 2>&1 {SD_TAP_OUT}>&- {SD_TAP_ERR}>&- &
        EXP_PID=$!
        SD_PIDS+=("$EXP_PID")
        SD_WATCH_PID=$EXP_PID sd_poll exporter_up && return 0
        sd_stop "$EXP_PID"
        grep -q -i 'address already in use' "$T/exporter.log" || return 1
        diag "port $EXP_PORT was taken (attempt $attempt); trying another"
    done
    return 1
}
# Every listening TCP socket of PID, as ADDRESS:PORT lines.
listening() {
    "$PYTHON3" - "$1" <<'PY'
import os, socket, struct, sys
pid = sys.argv[1]
inodes = set()
for fd in os.listdir("/proc/%s/fd" % pid):
    try:
        link = os.readlink("/proc/%s/fd/%s" % (pid, fd))
    except OSError:
        continue
    if link.startswith("socket:["):
        inodes.add(link[8:-1])
for table, fam in (("tcp", socket.AF_INET), ("tcp6", socket.AF_INET6)):
    try:
        lines = open("/proc/%s/net/%s" % (pid, table)).read().splitlines()[1:]
    except OSError:
        continue
    for line in lines:
        f = line.split()
        if f[3] != "0A" or f[9] not in inodes:      # 0A: LISTEN
            continue
        addr, port = f[1].split(":")
        raw = bytes.fromhex(addr)
        # /proc prints the address as host-order 32-bit words
        raw = b"".join(struct.pack("<I", struct.unpack(">I", raw[i:i + 4])[0])
                       for i in range(0, len(raw), 4))
        host = socket.inet_ntop(fam, raw)
        print("%s:%d" % (host if fam == socket.AF_INET else "[%s]" % host, int(port, 16)))
PY
}

# scrape MODULE OUT [TARGET]: the exporter's answer in OUT; prints the HTTP status.
scrape() {
    local module=$1 out=$2 target=${3:-127.0.0.1:$SD_PORT}
    curl -sS --connect-timeout 2 --max-time 60 -o "$out" -w '%{http_code}' \
        "http://127.0.0.1:$EXP_PORT/snmp?target=$target&module=$module" 2>>"$T/curl.err"
}
# snmpwalk of the scalars (source, summary, notification counters) into OUT
walk_scalars() {
    local out=$1 sub
    : >"$out"
    for sub in smsDistSource smsDistSummary smsDistNotify; do
        snmp_walk "$(sd_oid "$sub")" >>"$out" 2>&1 || return 1
    done
}

if start_exporter; then
    sd_result 0 "prometheus-snmp-exporter answers on 127.0.0.1:$EXP_PORT"
else
    sd_result 1 "prometheus-snmp-exporter answers on 127.0.0.1:$EXP_PORT"
    diag_file "$T/exporter.log" 30
    bail_out "the exporter did not start"
fi
is "$(listening "$EXP_PID" | sort -u | paste -sd ' ' -)" "127.0.0.1:$EXP_PORT" \
    "the exporter listens on 127.0.0.1:$EXP_PORT and nowhere else"

# --- module smsdistd: every row, every scalar ------------------------------------------
walk_scalars "$T/before.txt" || diag "snmpwalk of the scalars failed: $(tail -n 2 "$T/before.txt")"
is "$(scrape smsdistd "$T/scrape.txt")" 200 "GET /snmp?target=127.0.0.1:$SD_PORT&module=smsdistd: HTTP 200"
walk_scalars "$T/after.txt" || diag "snmpwalk of the scalars failed: $(tail -n 2 "$T/after.txt")"
NOW=$(date +%s)
ok cprom families "$T/scrape.txt" --module smsdistd \
    "module smsdistd: exactly its metric families, each with its TYPE (counter/gauge) and HELP; no snmp_error"
ok cprom rows "$T/scrape.txt" --input "$JSON" \
    "every row: Assets, LastUpdateDate (Unix s), ObjectTypeID info, Type state set; every label and value as the source says"
ok cprom objectids "$T/scrape.txt" --input "$JSON" \
    "the smsDistStatusObjectID labels are the source's ObjectIDs, the 93-character ModelNames whole"
diag "$(cprom objectids "$T/scrape.txt" --input "$JSON" 2>&1 | tail -n 1)"
oracle_row() { check_walk select "$JSON" "$1"; }
row7=$(oracle_row type=7)
like "$(grep -F "smsDistStatusObjectID=\"${row7%@*}\"" "$T/scrape.txt" | grep -F "smsDistStatusMessageCategory=\"${row7##*@}\"" | grep '^smsDistStatusType{')" \
    'smsDistStatusType="7"\} 1' "the row of Type 7 (not in the MIB) is smsDistStatusType=\"7\" 1, not lost"
ok cprom scalars "$T/scrape.txt" --oids "$T/oids.txt" --walk "$T/before.txt" --walk "$T/after.txt" \
    "every scalar is the agent's value (state set, text labels, DateAndTime in Unix seconds, counters, gauges)"
ok cprom expect "$T/scrape.txt" \
    smsDistSourceState=ok "smsDistSourceURI=file:$JSON" \
    "smsDistSourceRowsServed=$N" "smsDistSourceRowsRejected=$(summary rejected)" \
    "smsDistSourceRowsDuplicate=$(summary duplicates)" \
    smsDistSourceLoads=1 smsDistSourceLoadFailures=0 smsDistSourceStaleAfter=3600 \
    smsDistSourceLastError= smsDistSourceLastErrorTime=-62169984000 \
    "smsDistSourceLastGoodLoad=$START:$NOW" "smsDistSourceLastAttempt=$START:$NOW" \
    "smsDistSourceDataAge=0:$((NOW - START + 1))" \
    smsDistConfigReloadsRefused=0 smsDistConfigError= \
    "smsDistRowsSuccess=$(summary success)" "smsDistRowsInProgress=$(summary inProgress)" \
    "smsDistRowsError=$(summary error)" "smsDistRowsOtherType=$(summary other)" \
    "smsDistAssetsError=$(summary assetsError)" \
    "the health scalars say what the source implies: ok, $N rows, 1 load, no error (time -62169984000: none), loaded since the test began"

# --- module smsdistd_health -------------------------------------------------------------
walk_scalars "$T/before.txt"
is "$(scrape smsdistd_health "$T/health.txt")" 200 "module smsdistd_health: HTTP 200"
walk_scalars "$T/after.txt"
ok cprom families "$T/health.txt" --module smsdistd_health \
    "module smsdistd_health: the scalars only, no row series"
ok cprom scalars "$T/health.txt" --oids "$T/oids.txt" --walk "$T/before.txt" --walk "$T/after.txt" \
    "module smsdistd_health: every scalar is the agent's value"
# (snmp_exporter 0.28 labels it with the module)
pdus=$(sed -n 's/^snmp_scrape_pdus_returned\({[^}]*}\)\{0,1\} \([0-9]*\)$/\2/p' "$T/health.txt")
ok test "${pdus:-0}" -gt 0 -a "${pdus:-0}" -lt 40 \
    "module smsdistd_health walks the scalars only ($pdus PDUs, whatever the table's size)"

# --- the source fails: the state set, the reason as a label -----------------------------
FAILED_AT=$(date +%s)
{ cp "$SD_DATA/serve/garbage.json" "$T/garbage.tmp" && mv "$T/garbage.tmp" "$JSON"; } || bail_out "cannot write garbage"
ok sd_wait_value "$(sd_oid smsDistSourceState).0" 3 "garbage in place of the export: smsDistSourceState is failed(3)"
walk_scalars "$T/before.txt"
is "$(scrape smsdistd_health "$T/failed.txt")" 200 "a failed source: HTTP 200 all the same"
walk_scalars "$T/after.txt"
NOW=$(date +%s)
ok cprom scalars "$T/failed.txt" --oids "$T/oids.txt" --walk "$T/before.txt" --walk "$T/after.txt" \
    "a failed source: every scalar is the agent's value (smsDistSourceLastError's text as its label, escaped and whole)"
ok cprom expect "$T/failed.txt" smsDistSourceState=failed smsDistSourceLoadFailures=1 smsDistSourceLoads=1 \
    "smsDistSourceRowsServed=$N" "smsDistSourceLastErrorTime=$FAILED_AT:$NOW" "smsDistSourceLastGoodLoad=$START:$FAILED_AT" \
    'a failed source: state set failed=1 (the others 0), 1 failure, the old rows still served, when it failed'
err=$(grep '^smsDistSourceLastError{' "$T/failed.txt")
like "$err" 'smsDistSourceLastError="[^"].*"\} 1$' "a failed source: smsDistSourceLastError carries the reason ($err)"
is "$(scrape smsdistd "$T/failed-rows.txt")" 200 "a failed source: module smsdistd, HTTP 200"
ok cprom rows "$T/failed-rows.txt" --input "$SD_DATA/serve/sample.json" \
    "a failed source: the rows of the last good load are still every one there, as they were"

# --- what the alerts on reachability stand on ---------------------------------------------
ok sd_stop_agent TERM "smsdistd stops on SIGTERM"
# snmpd forgets the subagent's registrations when its socket closes
no_rows() { [ "$(scrape smsdistd "$T/detached.txt")" = 200 ] && ! grep -q '^smsDist' "$T/detached.txt"; }
ok sd_poll no_rows "smsdistd detached: HTTP 200 and no smsDist series (SmsDistNotAttached: up == 1 unless smsDistSourceState)"
DEAD=$(sd_free_port)
t0=$SECONDS
code=$(scrape smsdistd "$T/dead.txt" "127.0.0.1:$DEAD")
is "$code" 500 "no SNMP agent at the target (127.0.0.1:$DEAD, closed): HTTP 500, so up == 0 (SmsDistAgentUnreachable), in $((SECONDS - t0)) s"
like "$(cat "$T/dead.txt")" 'snmp_error|Error scraping target|error walking target' "the 500's body says the target did not answer"
ok sd_stop "$EXP_PID" TERM "the exporter stops on SIGTERM"
ok sd_poll exporter_down "the exporter's port is closed"

done_testing
