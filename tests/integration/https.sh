#!/bin/bash
# https.sh: the AdminService source over real HTTPS on 127.0.0.1. A test CA
# and server certificate are made here with openssl; adminservice.py serves
# sample.json in pages with @odata.nextLink behind Basic authentication.
# smsdistd must serve every row exactly (paging followed, $select asked),
# then, for each fault, keep the last good rows, say failed(3) and put the
# reason in smsDistSourceLastError: 401, 500, a hang past the timeout,
# invalid JSON, a certificate from another CA, a body over the size cap, a
# nextLink to another host, a group-readable credentials file, plain http.

. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

sd_setup
command -v openssl >/dev/null 2>&1 || skip_all "openssl not found (Debian: apt-get install openssl)"

TABLE=$(sd_oid smsDistStatusTable)
cp "$SD_DATA/serve/sample.json" "$T/sample.json" || bail_out "cannot copy sample.json"
N=$(check_walk count "$T/sample.json") || bail_out "the oracle cannot read sample.json"
RAW=$("$PYTHON3" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["value"]))' "$T/sample.json")

# --- a test PKI: our CA signs the server; another CA signs nothing we use --
sd_test_pki

# --- the fake AdminService ----------------------------------------------
PAGE=7
"$PYTHON3" "$top_srcdir/tests/integration/adminservice.py" --data "$T/sample.json" \
    --cert "$T/server.pem" --key "$T/server.key" --port-file "$T/https.port" \
    --log "$T/https.log" --user smsdist --password 'S3cret:with colon' --page-size "$PAGE" \
    --hang 8 --huge-bytes 300000 --lifetime 240 2>"$T/https.err" &
SD_PIDS+=($!)
SD_LOGS+=("$T/https.err")
SD_WATCH_PID=$! sd_poll test -s "$T/https.port" || bail_out "the HTTPS test server did not start"
HPORT=$(cat "$T/https.port")
BASE="https://127.0.0.1:$HPORT"
URL="$BASE/AdminService/wmi/SMS_DistributionStatus"

umask 077
printf 'smsdist:S3cret:with colon\n' >"$T/creds"
printf 'smsdist:wrong\n' >"$T/creds-bad"
printf 'smsdist:S3cret:with colon\n' >"$T/creds-open"
chmod 0640 "$T/creds-open"

# agent_conf SOURCE [EXTRA...]: the configuration every case starts from
agent_conf() {
    local src=$1
    shift
    printf '%s\n' "source $src" "httpAuth basic" "httpCredentials $T/creds" \
        "tlsCAFile $T/good-ca.pem" "httpConnectTimeout 2" "httpTimeout 3" \
        "pollInterval 3600" "$@" >"$T/smsdistd.conf"
}

scalar() { snmp_value "$(sd_oid "$1").0"; }

# fault DESC PATTERN SOURCE [EXTRA...]: reconfigure, SIGHUP, and check the
# failure is reported while the old rows stay served.
fault() { sd_fault_hup "$@"; }

sd_start_master
agent_conf "$URL"
sd_start_agent "$(cat "$T/smsdistd.conf")"

# --- the good path -----------------------------------------------------------
ok sd_wait_served "$N" "all $N rows of $RAW records arrive through $(( (RAW + PAGE - 1) / PAGE )) pages"
sd_walk_matches "$T/sample.json"
pages=$(grep -c "^GET .*AdminService/wmi/SMS_DistributionStatus" "$T/https.log")
is "$pages" "$(( (RAW + PAGE - 1) / PAGE ))" "one request per page, every nextLink followed"
like "$(sed -n 1p "$T/https.log")" \
    '[$]select=ObjectID,MessageCategory,Assets,LastUpdateDate,ObjectTypeID,PackageID,Type .*basic-ok$' \
    "the first request asks only for the seven properties, authenticated"
is "$(scalar smsDistSourceState)" 1 "smsDistSourceState is ok(1)"
like "$(scalar smsDistSourceURI)" "^$URL\$" "smsDistSourceURI names the AdminService"

# --- faults: each keeps the last good data ---------------------------------
fault "wrong password" 'HTTP 401: Basic: the server refused smsdist .the password in httpCredentials' "$URL" "httpCredentials $T/creds-bad"
fault "HTTP 500" 'HTTP 500' "$BASE/fault/500/AdminService/wmi/SMS_DistributionStatus"
fault "a server that hangs past httpTimeout" 'timed out' \
    "$BASE/fault/hang/AdminService/wmi/SMS_DistributionStatus"
fault "a body that is not JSON" 'JSON' "$BASE/fault/badjson/AdminService/wmi/SMS_DistributionStatus"
fault "a certificate from another CA" 'TLS' "$URL" "tlsCAFile $T/other-ca.pem"
fault "a body over maxSourceBytes" 'larger than maxSourceBytes' \
    "$BASE/fault/huge/AdminService/wmi/SMS_DistributionStatus" "maxSourceBytes 100000"
fault "a nextLink to another host" 'elsewhere.invalid.*not followed' \
    "$BASE/fault/foreignlink/AdminService/wmi/SMS_DistributionStatus"
fault "a group-readable credentials file" 'mode 0640.*chmod 600' "$URL" "httpCredentials $T/creds-open"
fault "plain http" 'plain http refused' "http://127.0.0.1:$HPORT/AdminService/wmi/SMS_DistributionStatus"
grep -q 'basic-ok' "$T/https.log" && ! grep -q 'S3cret' "$T/smsdistd.log"
ok test $? -eq 0 "the password never appears in smsdistd's log"

# --- recovery ---------------------------------------------------------------
loads=$(scalar smsDistSourceLoads)
agent_conf "$URL"
kill -HUP "$SD_AGENT_PID"
ok sd_wait_value "$(sd_oid smsDistSourceState).0" 1 "back to the good configuration: ok(1) again"
is "$(scalar smsDistSourceLoads)" "$((loads + 1))" "smsDistSourceLoads counts the new good load"
ok sd_log_has "$T/smsdistd.log" 'load failed: .*HTTP 401' "the log says each failure once, with its reason"

sd_stop_agent TERM
is "$SD_STOP_STATUS" 0 "smsdistd exits 0 on SIGTERM"
done_testing
