#!/bin/bash
# ntlm.sh: httpAuth ntlm against the fake AdminService (adminservice.py
# --auth ntlm: NTLMv2 checked on the server's side with python3-impacket),
# over HTTPS on 127.0.0.1, the provider named provider.sd.test (httpResolve)
# with a certificate from a self-signed issuing root, as a site server has.
#  - the NEGOTIATE / CHALLENGE / AUTHENTICATE exchange on one keep-alive
#    connection, then every page; every row arrives and the walk equals the
#    oracle's;
#  - a wrong password and an unknown user: the load fails with its own
#    message (naming the user, never the password), the last good rows stay;
#    a credentials file the group may read is refused;
#  - the password (right or wrong) appears nowhere: not in smsdistd's log,
#    not in any value of the walk of the whole smsDist subtree, not in a
#    notification a real snmptrapd receives through the master;
#  - back to the good credentials, smsdistd recovers.

# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

sd_setup
command -v openssl >/dev/null 2>&1 || skip_all "openssl not found (Debian: apt-get install openssl)"
sd_need_snmptrapd
SD_ADMIN_PYTHON=$(sd_python_with impacket.ntlm) ||
    skip_all "no python3 with the impacket module (Debian: apt-get install python3-impacket)"

TABLE=$(sd_oid smsDistStatusTable)
cp "$SD_DATA/serve/sample.json" "$T/sample.json" || bail_out "cannot copy sample.json"
N=$(check_walk count "$T/sample.json") || bail_out "the oracle cannot read sample.json"
RAW=$("$PYTHON3" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["value"]))' "$T/sample.json")
PAGE=7

scalar() { snmp_value "$(sd_oid "$1").0"; }
re_quote() { printf '%s' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g'; }
lines() { grep -c -E -- "$2" "$1" 2>/dev/null; }
OID_FAILURES="$(sd_oid smsDistSourceLoadFailures).0"

# --- snmptrapd, the master's trap2sink ---------------------------------------
TLOG=$T/traps.log
printf 'disableAuthorization yes\n' >"$T/snmptrapd.conf"
sd_start_trapd "$T/snmptrapd.conf" "$TLOG" -On -Oa || bail_out "snmptrapd did not start"
SD_MASTER_EXTRA="trap2sink 127.0.0.1:$SD_TRAPD_PORT public"

# --- the site server and its AdminService ----------------------------------
sd_site_pki provider.sd.test
PASSWORD='Ntlm:S3cret pass'
BADPW='Wr0ng:Ntlm pass'
sd_adminservice site -- --data "$T/sample.json" --page-size "$PAGE" \
    --cert "$SD_SITE/provider.sd.test.pem" --key "$SD_SITE/provider.sd.test.key" \
    --conn-log "$T/conn.log" --auth ntlm --ntlm-user 'SD\smsdist' --ntlm-password "$PASSWORD" \
    --lifetime 900
HPORT=$SD_ADMIN_PORT
WMI=AdminService/wmi/SMS_DistributionStatus
URL="https://provider.sd.test:$HPORT/$WMI"

umask 077
printf 'SD\\smsdist:%s\n' "$PASSWORD" >"$T/creds"
printf 'SD\\smsdist:%s\n' "$BADPW" >"$T/creds-bad"
printf 'SD\\someone:%s\n' "$PASSWORD" >"$T/creds-user"
cp -p "$T/creds" "$T/creds-open"
chmod 0640 "$T/creds-open"

# agent_conf SOURCE [EXTRA...]: the configuration every case starts from
agent_conf() {
    local src=$1
    shift
    printf '%s\n' "source $src" "httpAuth ntlm" "httpCredentials $T/creds" \
        "httpResolve provider.sd.test:$HPORT:127.0.0.1" "tlsCAFile $SD_SITE_ROOT" \
        "httpConnectTimeout 2" "httpTimeout 5" "pollInterval 3600" "$@" >"$T/smsdistd.conf"
}

# fault DESC PATTERN SOURCE [EXTRA...]: reconfigure, SIGHUP; the load fails,
# the last good rows stay, smsDistSourceLastError (ERR) matches PATTERN.
fault() { sd_fault_hup "$@"; }
since() { tail -n +"$(($2 + 1))" "$T/$1.log"; }

sd_start_master
agent_conf "$URL"
sd_start_agent "$(cat "$T/smsdistd.conf")"

# --- the good path -------------------------------------------------------------
ok sd_wait_served "$N" "ntlm: all $N rows of $RAW records arrive through $(( (RAW + PAGE - 1) / PAGE )) pages"
sd_walk_matches "$T/sample.json"
is "$(sed -n 1p "$T/site.log" | sed 's/.* //')" ntlm-challenge \
    "the first request carries a NEGOTIATE_MESSAGE and gets the challenge"
like "$(sed -n 2p "$T/site.log")" '^GET /AdminService/wmi/SMS_DistributionStatus\?.* ntlm-ok SD\\smsdist$' \
    "the second, the AUTHENTICATE_MESSAGE: NTLMv2 of SD\\smsdist, accepted"
is "$(lines "$T/site.log" ' ntlm-(ok|conn) SD\\smsdist$')" "$(( (RAW + PAGE - 1) / PAGE ))" \
    "every page is served to SD\\smsdist"
is "$(lines "$T/conn.log" '^CONNECT ')" 1 "the exchange and all pages over one connection"
ok test -z "$(grep -E ' (ntlm-bad|unoffered|basic)' "$T/site.log")" "no refused or other authentication"
is "$(scalar smsDistSourceState)" 1 "smsDistSourceState is ok(1)"

# --- faults ------------------------------------------------------------------------
mark=$(wc -l <"$T/site.log")
fault "a wrong password" '^HTTP 401: NTLM: the server refused SD\\smsdist' "$URL" "httpCredentials $T/creds-bad"
diag "smsDistSourceLastError: $ERR"
like "$(since site "$mark" | grep ' ntlm-bad ' | head -n 1)" 'ntlm-bad SD\\smsdist \(wrong password\)' \
    "the server refused the NTLMv2 response"
ok sd_wait_trap "$(sd_oid smsDistSourceFailed)" 'NTLM: the server refused' \
    "smsDistSourceFailed reaches snmptrapd with the reason"
fault "an unknown user" '^HTTP 401: NTLM: the server refused SD\\someone' "$URL" "httpCredentials $T/creds-user"
fault "a credentials file the group may read" "credentials file $(re_quote "$T/creds-open"): refused: mode 0640" \
    "$URL" "httpCredentials $T/creds-open"

# --- recovery ------------------------------------------------------------------------
loads=$(scalar smsDistSourceLoads)
agent_conf "$URL"
kill -HUP "$SD_AGENT_PID"
ok sd_wait_value "$(sd_oid smsDistSourceState).0" 1 "back to the good credentials: ok(1) again"
is "$(scalar smsDistSourceLoads)" "$((loads + 1))" "smsDistSourceLoads counts the new good load"
ok sd_wait_trap "$(sd_oid smsDistSourceRecovered)" "smsDistSourceRecovered reaches snmptrapd"

# --- secrets -----------------------------------------------------------------------------
snmp_walk -Oa "$(sd_oid smsDistMIB)" >"$T/all.txt" 2>&1
ok test "$(wc -l <"$T/all.txt")" -gt "$N" "the walk of the whole smsDist subtree ($(wc -l <"$T/all.txt") values)"
# absent SECRET FILE...: no line of FILE... holds SECRET (those that do are shown)
absent() {
    local secret=$1
    shift
    ! grep -n -F -- "$secret" "$@"
}
for secret in "$PASSWORD" "$BADPW" "S3cret" "Wr0ng"; do
    ok absent "$secret" "$T/smsdistd.log" "$T/smsdistd.out" "'$secret' is nowhere in smsdistd's log"
    ok absent "$secret" "$T/all.txt" "'$secret' is in no value of the smsDist subtree"
    ok absent "$secret" "$TLOG" "'$secret' is in no notification snmptrapd received"
done

sd_stop_agent TERM
is "$SD_STOP_STATUS" 0 "smsdistd exits 0 on SIGTERM"
done_testing
