#!/bin/bash
# loadabort.sh: a load never wedges smsdistd, never outlives SIGTERM, never
# shows a secret, and pages cheaply within its caps.
#  - file source: a FIFO, a UNIX socket and a character device at the source
#    path are refused at once with a message naming what they are (failed(3),
#    the last good rows stay), a good file after each one loads (the loader
#    is not wedged), and SIGTERM with a FIFO in place exits at once;
#  - https (adminservice.py on 127.0.0.1): a user:password@ in the source URL
#    appears nowhere (smsDistSourceLastError, smsDistSourceURI, the log, the
#    notifications a real snmptrapd receives through the master);
#  - 200 pages over one connection; maxSourceBytes counted over all pages;
#  - reason first: a 500 on a very long URL keeps "HTTP 500" in the 255 bytes
#    of smsDistSourceLastError; a CA failure has the tlsCAFile hint, a TLS
#    failure of another kind (plain HTTP on the https port) does not;
#  - loadTimeout: slow pages whose sum passes it fail the load with the
#    loadTimeout message, the last good rows stay, the next poll tries again;
#  - SIGTERM while a page trickles in (httpTimeout 600), during a slow paged
#    load and during a TLS handshake that never ends: smsdistd exits 0
#    within 5 s (the times are printed).

# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

sd_setup
command -v openssl >/dev/null 2>&1 || skip_all "openssl not found (Debian: apt-get install openssl)"
sd_need_snmptrapd

# SIGTERM must end smsdistd within this (valgrind's leak check at exit is slow).
LIMIT=5
[ -n "$SD_VALGRIND" ] && LIMIT=30
PAGES=${SD_PAGES:-200}          # rows in the AdminService, and pages of the paging case

scalar() { snmp_value "$(sd_oid "$1").0"; }
re_quote() { printf '%s' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g'; }
OID_FAILURES="$(sd_oid smsDistSourceLoadFailures).0"
OID_STATE="$(sd_oid smsDistSourceState).0"

# smsDistSourceLastError's octets as text, whatever they are (asked for in
# hex, so no quoting by snmpget gets in the way).
last_error() { sd_last_error; }

# stop_timed DESC: SIGTERM to smsdistd; it must exit 0 within LIMIT seconds.
stop_timed() {
    local t0 t1 took
    t0=$EPOCHREALTIME
    sd_stop_agent TERM
    t1=$EPOCHREALTIME
    took=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
    diag "$1: smsdistd exited ${took} s after SIGTERM (status $SD_STOP_STATUS)"
    is "$SD_STOP_STATUS" 0 "$1: smsdistd exits 0 on SIGTERM"
    ok awk -v t="$took" -v l="$LIMIT" 'BEGIN { exit !(t < l) }' \
        "$1: and within $LIMIT s (took $took s)"
}

# --- snmptrapd, the master's trap2sink ---------------------------------------
TLOG=$T/traps.log
printf 'disableAuthorization yes\n' >"$T/snmptrapd.conf"
sd_start_trapd "$T/snmptrapd.conf" "$TLOG" -On || bail_out "snmptrapd did not start"
SD_MASTER_EXTRA="trap2sink 127.0.0.1:$SD_TRAPD_PORT public"
sd_start_master

# =============================================================================
# File source: what is not a regular file
# =============================================================================
EXPORT=$T/export.json
mkdir -p "$T/stage" || bail_out "cannot populate $T"
SAMPLE=$SD_DATA/serve/sample.json
GOOD=$SD_DATA/hostile/good.json
NSAMPLE=$(check_walk count "$SAMPLE") || bail_out "the oracle cannot read sample.json"
NGOOD=$(check_walk count "$GOOD") || bail_out "the oracle cannot read good.json"
[ "$NSAMPLE" != "$NGOOD" ] || bail_out "sample.json and good.json must differ in rows"

# put FILE: FILE's content becomes the export, by rename.
put() {
    { cp "$1" "$T/stage/next" && mv -f "$T/stage/next" "$EXPORT"; } || bail_out "cannot put $1"
}
mk_fifo() { mkfifo "$1"; }
mk_socket() {
    "$PYTHON3" -c 'import socket, sys
socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).bind(sys.argv[1])' "$1"
}
mk_chardev() { ln -s /dev/null "$1"; }

cp "$SAMPLE" "$EXPORT" || bail_out "cannot copy sample.json"
sd_start_agent "source file:$EXPORT" "pollInterval 1"
ok sd_wait_served "$NSAMPLE" "file: sample.json is served ($NSAMPLE rows)"
SERVED=$NSAMPLE

# special KIND MAKER: a KIND made by MAKER takes the export's place.
special() {
    local kind=$1 maker=$2 before want
    before=$(scalar smsDistSourceLoadFailures)
    rm -f "$T/stage/special"
    "$maker" "$T/stage/special" || bail_out "cannot make $kind"
    mv -f "$T/stage/special" "$EXPORT" || bail_out "cannot rename $kind onto $EXPORT"
    ok sd_wait_value "$OID_FAILURES" "$((before + 1))" "$kind: the load fails at once"
    is "$(scalar smsDistSourceState)" 3 "$kind: smsDistSourceState is failed(3)"
    want="$EXPORT: not a regular file ($kind); smsdistd reads only regular files"
    is "$(last_error)" "$want" "$kind: smsDistSourceLastError names what it is"
    is "$(scalar smsDistSourceRowsServed)" "$SERVED" "$kind: the last good $SERVED rows stay served"
}

# after_special FILE N: a good file next is loaded: the loader is not wedged.
after_special() {
    put "$1"
    ok sd_wait_served "$2" "a good file after it is loaded ($2 rows): the loader is not wedged"
    is "$(scalar smsDistSourceState)" 1 "smsDistSourceState is ok(1) again"
    SERVED=$2
}

special "a FIFO" mk_fifo
after_special "$GOOD" "$NGOOD"
special "a socket" mk_socket
after_special "$SAMPLE" "$NSAMPLE"
special "a character device" mk_chardev
after_special "$GOOD" "$NGOOD"
special "a FIFO" mk_fifo
ok sd_log_has "$T/smsdistd.log" "load failed: $(re_quote "$EXPORT: not a regular file (a FIFO)")" \
    "the log says so too"
stop_timed "a FIFO at the source path"

# =============================================================================
# https: the fake AdminService
# =============================================================================
sd_test_pki

# PAGES rows, a few hundred bytes each
"$PYTHON3" - "$T/rows.json" "$PAGES" <<'PY' || bail_out "cannot write rows.json"
import json, sys
n = int(sys.argv[2])
rows = [{"ObjectID": "LA%06d" % i, "MessageCategory": 1, "Type": 1 + i % 3, "Assets": 2,
         "ObjectTypeID": 2, "PackageID": "LA%06d" % i, "LastUpdateDate": "2026-11-20T08:15:00Z"}
        for i in range(n)]
json.dump({"value": rows}, open(sys.argv[1], "w"))
PY

PASSWORD='S3cret:with colon'
"$PYTHON3" "$top_srcdir/tests/integration/adminservice.py" --data "$T/rows.json" \
    --cert "$T/server.pem" --key "$T/server.key" --port-file "$T/https.port" \
    --plain-port-file "$T/plain.port" --stall-port-file "$T/stall.port" --log "$T/https.log" --conn-log "$T/conn.log" \
    --user smsdist --password "$PASSWORD" --page-size 50 --page-delay 1 \
    --trickle-interval 0.5 --lifetime 600 2>"$T/https.err" &
SD_PIDS+=($!)
SD_LOGS+=("$T/https.err" "$T/https.log")
SD_WATCH_PID=$! sd_poll test -s "$T/stall.port" || bail_out "the HTTPS test server did not start"
SD_WATCH_PID=$! sd_poll test -s "$T/plain.port" || bail_out "the HTTPS test server did not start"
SD_WATCH_PID=$! sd_poll test -s "$T/https.port" || bail_out "the HTTPS test server did not start"
HPORT=$(cat "$T/https.port")
BASE="https://127.0.0.1:$HPORT"
WMI=AdminService/wmi/SMS_DistributionStatus
URL="$BASE/$WMI"
: >"$T/conn.log"

umask 077
printf 'smsdist:%s\n' "$PASSWORD" >"$T/creds"

# agent_conf SOURCE [EXTRA...]: the configuration every case starts from
agent_conf() {
    local src=$1
    shift
    printf '%s\n' "source $src" "httpAuth basic" "httpCredentials $T/creds" \
        "tlsCAFile $T/good-ca.pem" "httpConnectTimeout 2" "httpTimeout 10" \
        "pollInterval 3600" "$@" >"$T/smsdistd.conf"
}
# reconfigure SOURCE [EXTRA...]: SIGHUP with a new configuration
reconfigure() {
    agent_conf "$@"
    kill -HUP "$SD_AGENT_PID"
}
# fault DESC SOURCE [EXTRA...]: the load fails, the last good rows stay; LastError in ERR
fault() {
    local desc=$1 before
    shift
    before=$(scalar smsDistSourceLoadFailures)
    reconfigure "$@"
    ok sd_wait_value "$OID_FAILURES" "$((before + 1))" "$desc: the load fails"
    is "$(scalar smsDistSourceState)" 3 "$desc: smsDistSourceState is failed(3)"
    is "$(scalar smsDistSourceRowsServed)" "$SERVED" "$desc: the last good $SERVED rows stay served"
    ERR=$(last_error)
}
lines() { grep -c -E -- "$2" "$1" 2>/dev/null; }
agent_poll() { SD_WATCH_PID=$SD_AGENT_PID sd_poll "$@"; }
lines_reach() { [ "$(lines "$1" "$2")" -ge "$3" ]; }

# --- secrets: user:password@ in the source URL ------------------------------------
# httpAuth none: curl sends the URL's credentials; a wrong password fails page 1.
BADPW='Wr0ngPassw0rd'
printf '%s\n' "source https://smsdist:$BADPW@127.0.0.1:$HPORT/$WMI" "httpAuth none" \
    "tlsCAFile $T/good-ca.pem" "httpConnectTimeout 2" "httpTimeout 10" "pollInterval 3600" \
    >"$T/smsdistd.conf"
sd_start_agent "$(cat "$T/smsdistd.conf")"
ok sd_wait_value "$OID_FAILURES" 1 "secret in the URL, wrong password: the load fails"
ERR=$(last_error)
like "$ERR" "^HTTP 401: Basic: the server refused smsdist, the user in the URL .*: $(re_quote "$URL")(\\?[^@]*)?\$" \
    "smsDistSourceLastError: the reason first, then the URL without user:password"
is "$(scalar smsDistSourceURI)" "$URL" "smsDistSourceURI shows the URL without user:password"
FAILED=$(sd_oid smsDistSourceFailed)
ok agent_poll sd_log_has "$TLOG" "= OID: $FAILED([[:space:]]|\$)" \
    "smsDistSourceFailed reaches snmptrapd"
ok sd_log_has "$TLOG" "= OID: ${FAILED}[[:space:]].*HTTP 401" "and carries smsDistSourceLastError"

# --- 200 pages over one connection -------------------------------------------------
conns=$(lines "$T/conn.log" '^CONNECT ')
gets=$(lines "$T/https.log" "^GET /size/1/")
reconfigure "$BASE/size/1/$WMI"
ok sd_wait_log "$T/smsdistd.log" "^loaded $PAGES rows from $(re_quote "$BASE/size/1/$WMI") " \
    "$PAGES pages of one row each: loaded"
SERVED=$PAGES
is "$(( $(lines "$T/https.log" "^GET /size/1/") - gets ))" "$PAGES" "one GET per page ($PAGES)"
used=$(( $(lines "$T/conn.log" '^CONNECT ') - conns ))
is "$used" 1 "all $PAGES pages over one connection (one TLS handshake)"
diag "$PAGES pages: $(grep -E "^loaded $PAGES rows from $(re_quote "$BASE/size/1/$WMI") " "$T/smsdistd.log" | tail -n 1 | sed 's/.* in /load took /')" \
    "over $used connection(s)"

# --- maxSourceBytes counts all pages of a load ----------------------------------------
CAP=20000
# the largest page of 10 rows, as the server writes it
biggest=$("$PYTHON3" - "$T/rows.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["value"]
doc = lambda i: {"@odata.context": "https://127.0.0.1/AdminService/wmi/$metadata#SMS_DistributionStatus",
                 "value": [dict(r, **{"@odata.etag": f'W/"{j}"'}) for j, r in enumerate(rows[i:i + 10], i)],
                 "@odata.nextLink": "https://127.0.0.1:65535/size/10/AdminService/wmi/SMS_DistributionStatus?$select=ObjectID,MessageCategory,Assets,LastUpdateDate,ObjectTypeID,PackageID,Type&$skiptoken=999999"}
print(max(len(json.dumps(doc(i))) for i in range(0, len(rows), 10)))
PY
)
ok test "$biggest" -lt "$CAP" "each page of 10 rows is under maxSourceBytes $CAP ($biggest bytes at most)"
ok test "$((biggest * PAGES / 10 / 2))" -gt "$CAP" "all of them together are well over it"
fault "pages that add up past maxSourceBytes" "$BASE/size/10/$WMI" "maxSourceBytes $CAP"
like "$ERR" "^pages together larger than maxSourceBytes \\($CAP bytes, a cap for the whole load\\): page [0-9]+ went past it" \
    "smsDistSourceLastError says the cap is for the whole load"

# --- secrets again: the right password, percent-encoded in the URL ----------------------
# (after a failure, so the good load is logged and smsDistSourceRecovered sent)
GOODPW_URL='S3cret%3Awith%20colon'
printf '%s\n' "source https://smsdist:$GOODPW_URL@127.0.0.1:$HPORT/size/1000/$WMI" "httpAuth none" \
    "tlsCAFile $T/good-ca.pem" "httpConnectTimeout 2" "httpTimeout 10" "pollInterval 3600" \
    >"$T/smsdistd.conf"
kill -HUP "$SD_AGENT_PID"
ok sd_wait_value "$OID_STATE" 1 "secret in the URL, right password: loaded"
is "$(scalar smsDistSourceURI)" "$BASE/size/1000/$WMI" "smsDistSourceURI again without user:password"
ok agent_poll sd_log_has "$TLOG" "= OID: $(sd_oid smsDistSourceRecovered)([[:space:]]|\$)" \
    "smsDistSourceRecovered reaches snmptrapd"
ok sd_log_has "$T/smsdistd.log" "^loaded $PAGES rows from $(re_quote "$BASE/size/1000/$WMI") " \
    "the log names the source without user:password"
# absent SECRET FILE...: no line of FILE... holds SECRET (those that do are shown)
absent() {
    local secret=$1
    shift
    ! grep -n -F -- "$secret" "$@"
}
for secret in "$BADPW" "$GOODPW_URL" "S3cret"; do
    ok absent "$secret" "$TLOG" "'$secret' is in no notification snmptrapd received"
    ok absent "$secret" "$T/smsdistd.log" "$T/smsdistd.out" \
        "'$secret' is nowhere in smsdistd's log (load lines, start-up line, all of it)"
done

# --- reason first ---------------------------------------------------------------------
PAD=$(printf 'x%.0s' $(seq 1 300))
fault "HTTP 500 on a 400-byte URL" "$BASE/fault/500/$WMI?pad=$PAD"
like "$ERR" '^HTTP 500: https://127\.0\.0\.1' "smsDistSourceLastError keeps the reason (HTTP 500) first"
is "${#ERR}" 255 "and is cut to 255 bytes at the URL's end, not the reason's"
fault "a certificate from another CA" "$URL" "tlsCAFile $T/other-ca.pem"
like "$ERR" '^TLS: .*\(check tlsCAFile/tlsCAPath\): https://' "a CA failure has the tlsCAFile hint"
fault "plain HTTP on the https port" "https://127.0.0.1:$(cat "$T/plain.port")/$WMI"
like "$ERR" '^TLS handshake failed: ' "another TLS failure says so"
ok test -z "$(grep -F tlsCAFile <<<"$ERR")" "and has no tlsCAFile hint (got: $ERR)"

# --- loadTimeout -----------------------------------------------------------------------
# 20 pages of 10 rows, one second each, against loadTimeout 3 (httpTimeout 60 never hits)
SLOW="$BASE/fault/slowpage/size/10/$WMI"
firsts=$(lines "$T/https.log" "^GET /fault/slowpage/size/10/$WMI\\?")
before=$(scalar smsDistSourceLoadFailures)
fault "slow pages past loadTimeout" "$SLOW" "loadTimeout 3" "httpTimeout 60" "pollInterval 5"
like "$ERR" "^loadTimeout \\(3 s\\) reached after [0-9]+ pages?(, during page [0-9]+)?; load abandoned: $(re_quote "$SLOW")\$" \
    "smsDistSourceLastError names loadTimeout and how far the load got"
ok sd_wait_value "$OID_FAILURES" "$((before + 2))" "the next poll tries again (and fails again)"
ok test "$(( $(lines "$T/https.log" "^GET /fault/slowpage/size/10/$WMI\\?") - firsts ))" -ge 2 \
    "two loads asked for the first page"
is "$(scalar smsDistSourceRowsServed)" "$SERVED" "the last good $SERVED rows are still served"
ok sd_log_has "$T/smsdistd.log" 'load failed: loadTimeout \(3 s\) reached' "the log says so"

# --- SIGTERM while a page trickles in ----------------------------------------------------
trickles=$(lines "$T/https.log" '^TRICKLE started')
reconfigure "$BASE/fault/trickle/$WMI" "httpTimeout 600" "loadTimeout 900"
ok agent_poll lines_reach "$T/https.log" '^TRICKLE started' "$((trickles + 1))" \
    "a page starts to trickle in (one byte every 0.5 s, httpTimeout 600)"
stop_timed "mid-download"

# --- SIGTERM during a slow paged load -------------------------------------------------------
agent_conf "$BASE/fault/slowpage/size/5/$WMI" "httpTimeout 600" "loadTimeout 900"
gets=$(lines "$T/https.log" "^GET /fault/slowpage/size/5/")
sd_start_agent "$(cat "$T/smsdistd.conf")"
ok agent_poll lines_reach "$T/https.log" "^GET /fault/slowpage/size/5/" "$((gets + 3))" \
    "a slow paged load (40 pages, one second each) is at its third page"
stop_timed "between pages of a slow paged load"

# --- SIGTERM during a TLS handshake that never ends ------------------------------------------
agent_conf "https://127.0.0.1:$(cat "$T/stall.port")/$WMI" "httpConnectTimeout 600" "httpTimeout 600"
stalls=$(lines "$T/https.log" '^STALL connection')
sd_start_agent "$(cat "$T/smsdistd.conf")"
ok agent_poll lines_reach "$T/https.log" '^STALL connection' "$((stalls + 1))" \
    "smsdistd connects to a port that never answers its TLS handshake (httpConnectTimeout 600)"
stop_timed "mid-handshake"

# --- loadTimeout is checked like every number ---------------------------------------
printf '%s\n' "source $URL" "loadTimeout 0" >"$T/bad.conf"
out=$("$SD_AGENT_BIN" -C -c "$T/bad.conf" -t 2>&1)
is "$?" 1 "smsdistd -t refuses loadTimeout 0"
like "$out" "loadTimeout: '0' is not a number from 1 to 86400" "naming the real range"

done_testing
