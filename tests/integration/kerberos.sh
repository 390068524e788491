#!/bin/bash
# kerberos.sh: httpAuth negotiate against a real MIT KDC, all on 127.0.0.1.
#
# A private realm SD.TEST (tools/krb5-kdc.sh: an MIT KDC unpacked, never
# installed; nothing of /etc is read or written) holds the SMS Provider's
# SPN HTTP/provider.sd.test and the service account smsdist (pre-
# authentication required, as Active Directory does; tickets of one minute,
# so that they run out during the test). The fake AdminService
# (adminservice.py --auth negotiate, python3-gssapi) presents a certificate
# from a self-signed issuing root, as a site server does, for
# provider.sd.test, which smsdistd reaches with httpResolve. smsdistd gets
# its tickets from its krb5Keytab alone (no kinit, no credential cache on
# disk). Checked:
#  - every row arrives and the walk equals the oracle's; Kerberos does it;
#  - loads go on across the expiry of the first ticket-granting ticket
#    (smsdistd gets a new one from its keytab), no load failing;
#  - each fault keeps the last good rows, says failed(3) and puts its cause
#    in smsDistSourceLastError: a principal the KDC does not know, a key the
#    KDC refuses, a keytab readable by the group (smsdistd -t too), missing,
#    a directory, the KDC down, a URL naming the server by its IP address
#    (SPN HTTP/127.0.0.1) or by a name with no SPN, a server whose key is
#    old, a server offering only NTLM;
#  - krb5Principal: without it the keytab's first principal, with it the
#    one named; one the keytab has no key for;
#  - clocks (libfaketime): the server's clock 15 min ahead and behind (the
#    Date header of its 401), the KDC's 15 min ahead with kdc_timesync = 0
#    (KRB5KRB_AP_ERR_SKEW with pre-authentication, KRB5_KDCREP_SKEW
#    without) and with MIT's default kdc_timesync = 1 (the client follows
#    the KDC's clock: the server refuses the ticket as not yet valid), and
#    this host 15 min behind its whole domain (the load succeeds);
#  - a server offering Negotiate and NTLM (IIS): negotiate and windows use
#    Kerberos; windows falls back to NTLM with httpCredentials when the
#    server offers no Negotiate, or when smsdistd has no keytab;
#  - httpCredentials with httpAuth negotiate: a warning; negotiate with no
#    keytab and no ticket: "Kerberos: no credentials"; a keytab that comes
#    with a reload keeps its tickets in memory too;
#  - back to the good configuration, smsdistd recovers.

# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

sd_setup
command -v openssl >/dev/null 2>&1 || skip_all "openssl not found (Debian: apt-get install openssl)"
SD_ADMIN_PYTHON=$(sd_python_with gssapi impacket.ntlm) ||
    skip_all "no python3 with the gssapi and impacket modules (Debian: apt-get install python3-gssapi python3-impacket)"
sd_krb5_realm
FAKETIME_LIB=$(sd_faketime_lib) || FAKETIME_LIB=

TABLE=$(sd_oid smsDistStatusTable)
cp "$SD_DATA/serve/sample.json" "$T/sample.json" || bail_out "cannot copy sample.json"
N=$(check_walk count "$T/sample.json") || bail_out "the oracle cannot read sample.json"

scalar() { snmp_value "$(sd_oid "$1").0"; }
re_quote() { printf '%s' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g'; }
lines() { grep -c -E -- "$2" "$1" 2>/dev/null; }
OID_LOADS="$(sd_oid smsDistSourceLoads).0"
OID_FAILURES="$(sd_oid smsDistSourceLoadFailures).0"

# --- the realm --------------------------------------------------------------
KT=$T/keytabs
mkdir -m 0700 "$KT" || bail_out "cannot create $KT"
sd_krb5_addprinc HTTP/provider.sd.test
sd_krb5_addprinc HTTP/old.sd.test
sd_krb5_addprinc smsdist +requires_preauth -maxlife 1m
sd_krb5_addprinc nobody +requires_preauth
sd_krb5_addprinc stale +requires_preauth
sd_krb5_addprinc nopreauth -maxlife 1m                     # an account without pre-authentication
sd_krb5_keytab HTTP/provider.sd.test "$KT/http.keytab"
# the stray server: provider's keys, and old.sd.test's before they changed
sd_krb5_keytab HTTP/provider.sd.test "$KT/stray-http.keytab"
sd_krb5_keytab HTTP/old.sd.test "$KT/stray-http.keytab"
sd_kadmin "cpw -randkey HTTP/old.sd.test" || bail_out "cannot change the key of HTTP/old.sd.test"
sd_krb5_keytab smsdist "$KT/smsdist.keytab"
sd_krb5_keytab nopreauth "$KT/nopreauth.keytab"
sd_krb5_keytab nobody "$KT/nobody.keytab"
sd_krb5_delprinc nobody                                     # the account was deleted
sd_krb5_keytab stale "$KT/stale.keytab"
sd_kadmin "cpw -randkey stale" || bail_out "cannot change the key of stale"   # its password changed

# ktcopy NAME: a copy of smsdist's keytab, $KT/NAME.keytab. smsdistd gets a
# new ticket-granting ticket when its keytab's file changes: a copy forces
# one (an AS exchange with the KDC) at the next load.
ktcopy() {
    cp -p "$KT/smsdist.keytab" "$KT/$1.keytab" || bail_out "cannot copy the keytab"
    printf '%s\n' "$KT/$1.keytab"
}

# --- the site server's PKI and the fake AdminService ------------------------
sd_site_pki provider.sd.test
sd_site_cert stray "DNS:stray.sd.test,DNS:old.sd.test,IP:127.0.0.1"
NTLMPW='N7lm pass:word'
COMMON=(--data "$T/sample.json" --page-size 7 --ntlm-user 'SD\smsdist' --ntlm-password "$NTLMPW"
        --lifetime 1800)
SITE_CERT=(--cert "$SD_SITE/provider.sd.test.pem" --key "$SD_SITE/provider.sd.test.key")
sd_adminservice site -- "${COMMON[@]}" "${SITE_CERT[@]}" --auth negotiate --keytab "$KT/http.keytab"
SITE_PORT=$SD_ADMIN_PORT
sd_adminservice stray -- "${COMMON[@]}" --cert "$SD_SITE/stray.pem" --key "$SD_SITE/stray.key" \
    --auth negotiate --keytab "$KT/stray-http.keytab"
STRAY_PORT=$SD_ADMIN_PORT
RESOLVE=("httpResolve provider.sd.test:$SITE_PORT:127.0.0.1"
         "httpResolve stray.sd.test:$STRAY_PORT:127.0.0.1"
         "httpResolve old.sd.test:$STRAY_PORT:127.0.0.1")
# skewed NAME OFFSET: the same server, its clock OFFSET away (libfaketime)
skewed() {
    sd_adminservice "$1" LD_PRELOAD="$FAKETIME_LIB" FAKETIME="$2" FAKETIME_DONT_FAKE_MONOTONIC=1 \
        -- "${COMMON[@]}" "${SITE_CERT[@]}" --auth negotiate --keytab "$KT/http.keytab"
    RESOLVE+=("httpResolve provider.sd.test:$SD_ADMIN_PORT:127.0.0.1")
}
if [ -n "$FAKETIME_LIB" ]; then
    skewed ahead +15m
    AHEAD_PORT=$SD_ADMIN_PORT
    skewed behind -15m
    BEHIND_PORT=$SD_ADMIN_PORT
fi
WMI=AdminService/wmi/SMS_DistributionStatus
SITE="https://provider.sd.test:$SITE_PORT"
URL="$SITE/$WMI"

umask 077
printf 'SD\\smsdist:%s\n' "$NTLMPW" >"$T/creds"

# agent_conf SOURCE [EXTRA...]: the configuration every case starts from;
# AUTH (default negotiate), KEYTAB (default smsdist's; empty: none), POLL
# (pollInterval, default 3600: a load at each SIGHUP only)
agent_conf() {
    local src=$1
    shift
    {
        printf '%s\n' "source $src" "httpAuth ${AUTH:-negotiate}" "tlsCAFile $SD_SITE_ROOT" \
            "httpConnectTimeout 2" "httpTimeout 5" "pollInterval ${POLL:-3600}" "${RESOLVE[@]}"
        [ -n "${KEYTAB-$KT/smsdist.keytab}" ] && printf 'krb5Keytab %s\n' "${KEYTAB-$KT/smsdist.keytab}"
        [ $# -gt 0 ] && printf '%s\n' "$@"
    } >"$T/smsdistd.conf"
}
reconfigure() {
    agent_conf "$@"
    kill -HUP "$SD_AGENT_PID"
}

# fault DESC PATTERN SOURCE [EXTRA...]: reconfigure, SIGHUP; the load fails,
# the last good rows stay, smsDistSourceLastError matches PATTERN.
fault() {
    local desc=$1 pattern=$2 before
    shift 2
    before=$(scalar smsDistSourceLoadFailures)
    reconfigure "$@"
    sd_expect_failure "$desc" "$pattern" "$N" "$before"
}

# good DESC SOURCE [EXTRA...]: reconfigure, SIGHUP; the load succeeds.
good() {
    local desc=$1 before
    shift
    before=$(scalar smsDistSourceLoads)
    reconfigure "$@"
    ok sd_wait_value "$OID_LOADS" "$((before + 1))" "$desc: loaded (smsDistSourceLoads $before -> $((before + 1)))"
    is "$(scalar smsDistSourceState)" 1 "$desc: smsDistSourceState is ok(1)"
    is "$(scalar smsDistSourceRowsServed)" "$N" "$desc: $N rows served"
}

# the outcomes a server logged since MARK (a line count)
since() { tail -n +"$(($2 + 1))" "$T/$1.log"; }

# the ticket-granting tickets the KDC issued to smsdist
tgts() { lines "$SD_KRB5/kdc.log" 'ISSUE: authtime [0-9]+, .*smsdist@SD\.TEST for krbtgt/SD\.TEST@SD\.TEST'; }

sd_start_master

# =============================================================================
# The good path, and tickets that run out
# =============================================================================
POLL=5 agent_conf "$URL"          # loads every 5 s until the first fault
sd_start_agent "$(cat "$T/smsdistd.conf")"
ok sd_wait_served "$N" "negotiate: all $N rows arrive (7 a page)"
sd_walk_matches "$T/sample.json"
like "$(sed -n 1p "$T/site.log")" \
    "^GET /$WMI\\?[\$]select=ObjectID,MessageCategory,Assets,LastUpdateDate,ObjectTypeID,PackageID,Type negotiate-ok smsdist@SD\\.TEST\$" \
    "the first request carries a Kerberos ticket of smsdist@SD.TEST (no 401 first)"
ok test "$(lines "$T/site.log" ' negotiate-ok smsdist@SD\.TEST$')" -eq "$(lines "$T/site.log" '^GET ')" \
    "every page is authenticated by Kerberos"
is "$(scalar smsDistSourceState)" 1 "smsDistSourceState is ok(1)"
is "$(scalar smsDistSourceURI)" "$URL" "smsDistSourceURI names the provider by its FQDN"
ok test ! -e "$SD_KRB5/no-default-ccache" "no credential cache file: smsdistd keeps its tickets in memory"

# The first TGT's end: its authtime (the KDC's log) plus its one minute.
first=$(grep -E -o 'ISSUE: authtime [0-9]+, .*smsdist@SD\.TEST for krbtgt/' "$SD_KRB5/kdc.log" |
    head -n 1 | sed -E 's/ISSUE: authtime ([0-9]+),.*/\1/')
[ -n "$first" ] || bail_out "no TGT of smsdist in the KDC's log"
END=$((first + 60))
past() { [ "$(date +%s)" -gt "$1" ]; }
SD_WATCH_PID=$SD_AGENT_PID SD_WAIT=$((END - $(date +%s) + SD_WAIT)) sd_poll past "$END" ||
    diag "smsdistd died before the first TGT ran out"
mark=$(wc -l <"$T/site.log")
loads=$(scalar smsDistSourceLoads)
loads_past() { local v; v=$(snmp_value "$OID_LOADS" 2>/dev/null) && [ "$v" -gt "$1" ]; }
kerberos_since() { since site "$1" | grep -q ' negotiate-ok smsdist@SD\.TEST$'; }
ok sd_poll loads_past "$loads" \
    "a load after the first ticket-granting ticket ran out (smsDistSourceLoads > $loads)"
ok sd_poll kerberos_since "$mark" "the server authenticated it by Kerberos (negotiate-ok after $(date -u -d "@$END" +%T))"
is "$(scalar smsDistSourceLoadFailures)" 0 "no load failed across the ticket's expiry"
ok test "$(tgts)" -ge 2 "smsdistd got a new TGT from its keytab ($(tgts) AS exchanges)"
is "$(scalar smsDistSourceState)" 1 "smsDistSourceState is still ok(1)"

# =============================================================================
# Faults: each keeps the last good rows
# =============================================================================
# --- the keytab ---------------------------------------------------------------
KEYTAB=$KT/nobody.keytab fault "a keytab of a principal the KDC does not know" \
    'Kerberos: the KDC does not know the principal nobody@SD\.TEST' "$URL"
KEYTAB=$KT/stale.keytab fault "a keytab whose key the KDC no longer has" \
    'Kerberos: the KDC refused the key of stale@SD\.TEST in krb5Keytab' "$URL"
open=$(ktcopy open)
chmod 0640 "$open"
KEYTAB=$open fault "a keytab the group may read" "krb5Keytab $(re_quote "$open"): refused: mode 0640" "$URL"
out=$("$SD_AGENT_BIN" -C -c "$T/smsdistd.conf" -t 2>&1)
is "$?" 1 "smsdistd -t refuses it"
like "$out" "krb5Keytab $(re_quote "$open"): refused: mode 0640" "naming the keytab and its mode"
KEYTAB=$KT/missing.keytab fault "a keytab that does not exist" \
    "krb5Keytab $(re_quote "$KT/missing.keytab"): No such file or directory" "$URL"
mkdir -m 0700 "$KT/adir"
KEYTAB=$KT/adir fault "a directory for a keytab" \
    "krb5Keytab $(re_quote "$KT/adir"): (not a regular file|Is a directory)" "$URL"

# --- krb5Principal: a keytab of two principals, stale's (old key) first -------
printf '%s\n' "rkt $KT/stale.keytab" "rkt $KT/smsdist.keytab" "wkt $KT/two.keytab" quit |
    (umask 077 && "$SD_KRB5_BIN/ktutil" >"$SD_KRB5/ktutil.log" 2>&1) || bail_out "ktutil failed"
KEYTAB=$KT/two.keytab fault "no krb5Principal: the keytab's first principal is used" \
    'Kerberos: the KDC refused the key of stale@SD\.TEST in krb5Keytab' "$URL"
KEYTAB=$KT/two.keytab good "krb5Principal smsdist: the keytab's second principal" "$URL" "krb5Principal smsdist"
fault "krb5Principal naming a principal the keytab has no key for" \
    "krb5Keytab $(re_quote "$KT/smsdist.keytab") holds no key for stale@SD\\.TEST" "$URL" "krb5Principal stale@SD.TEST"

# --- the KDC down ---------------------------------------------------------------
# kdc_clock OFFSET [LIBDEFAULTS-LINE]: the KDC restarted with its clock
# OFFSET away ("" for the true time, "down" to leave it stopped), krb5.conf
# with one more line in [libdefaults] (or none).
kdc_clock() {
    local now
    SD_KRB5_LIBDEFAULTS=${2:-} sd_krb5_write_conf
    case $1 in
        down) sd_krb5_stop_kdc ;;
        "") sd_krb5_restart_kdc ;;
        *) sd_krb5_restart_kdc LD_PRELOAD="$FAKETIME_LIB" FAKETIME="$1" FAKETIME_DONT_FAKE_MONOTONIC=1 ;;
    esac || bail_out "the KDC did not start again"
    # MIT rereads a changed krb5.conf, looking at its time stamp at most
    # once a second: let that second pass
    now=$(date +%s)
    sd_poll past "$now"
}
kdc_clock down
KEYTAB=$(ktcopy kdc-down) fault "the KDC down (a new keytab file: a new TGT is needed)" \
    'Kerberos: no KDC of realm SD\.TEST answered' "$URL"
kdc_clock ""
KEYTAB=$(ktcopy kdc-up) good "the KDC back" "$URL"

# --- SPNs -------------------------------------------------------------------------
fault "a URL with the server's IP address" \
    '^HTTP 401: Kerberos: the KDC knows no SPN HTTP/127\.0\.0\.1@SD\.TEST' \
    "https://127.0.0.1:$STRAY_PORT/$WMI"
fault "a server name with no SPN" '^HTTP 401: Kerberos: the KDC knows no SPN HTTP/stray\.sd\.test@SD\.TEST' \
    "https://stray.sd.test:$STRAY_PORT/$WMI"
mark=$(wc -l <"$T/stray.log")
fault "a server whose key for its SPN is old" '^HTTP 401: the server refused the Kerberos ticket' \
    "https://old.sd.test:$STRAY_PORT/$WMI"
like "$(since stray "$mark" | head -n 1)" ' negotiate-bad ' "the server did refuse a ticket"

# --- a server that offers only NTLM ---------------------------------------------
mark=$(wc -l <"$T/site.log")
fault "a server offering only NTLM" '^HTTP 401: the server offers NTLM, not Negotiate' \
    "$SITE/auth/ntlm/$WMI"
ok test -z "$(since site "$mark" | grep ' ntlm-')" "smsdistd (negotiate) did not try NTLM"

# --- clocks ---------------------------------------------------------------------
if [ -z "$FAKETIME_LIB" ]; then
    skip 30 "libfaketime not installed (Debian: apt-get install faketime)"
else
    fault "the server's clock 15 min ahead" \
        "^HTTP 401: clock skew: the server's clock is (8[5-9][0-9]|9[0-4][0-9]) s ahead of this host's" \
        "https://provider.sd.test:$AHEAD_PORT/$WMI"
    like "$(tail -n 1 "$T/ahead.log")" ' negotiate-bad ' "the server did refuse the ticket"
    fault "the server's clock 15 min behind" \
        "^HTTP 401: clock skew: the server's clock is (8[5-9][0-9]|9[0-4][0-9]) s behind this host's" \
        "https://provider.sd.test:$BEHIND_PORT/$WMI"
    diag "the servers' own reasons: $(tail -n 1 "$T/ahead.log" | sed 's/.* negotiate-bad //'), $(tail -n 1 "$T/behind.log" | sed 's/.* negotiate-bad //')"

    # The KDC's clock 15 min ahead, krb5.conf with kdc_timesync = 0: the
    # KDC refuses smsdist's pre-authentication (KRB5KRB_AP_ERR_SKEW).
    kdc_clock +15m "    kdc_timesync = 0"
    KEYTAB=$(ktcopy skew1) fault "the KDC's clock 15 min ahead (kdc_timesync = 0)" \
        '^Kerberos: clock skew' "$URL"
    ok sd_log_has "$SD_KRB5/kdc.log" 'PREAUTH_FAILED: smsdist@SD\.TEST for krbtgt/SD\.TEST@SD\.TEST, Clock skew too great' \
        "the KDC refused the pre-authentication: Clock skew too great"
    # an account without pre-authentication: the KDC answers, and the client
    # finds the answer's time 15 min off (KRB5_KDCREP_SKEW)
    KEYTAB=$KT/nopreauth.keytab fault "the KDC's clock 15 min ahead (kdc_timesync = 0), no pre-authentication" \
        '^Kerberos: clock skew' "$URL"

    # MIT's default, kdc_timesync = 1: the client takes the KDC's time from
    # its error and gets its tickets, stamped 15 min ahead; the server, on
    # the true time, refuses them (not yet valid). The server's Date agrees
    # with this host, and the KDC gives tickets: smsdistd cannot see the
    # skew, only that the server refused the ticket.
    kdc_clock +15m
    mark=$(wc -l <"$T/site.log")
    KEYTAB=$(ktcopy skew2) fault "the KDC's clock 15 min ahead (MIT's default kdc_timesync = 1)" \
        '^HTTP 401: clock skew: the KDC.s clock is (8[5-9][0-9]|9[0-4][0-9]) s ahead of the server.s' "$URL"
    diag "smsDistSourceLastError: $ERR"
    like "$(since site "$mark" | head -n 1)" ' negotiate-bad \(Ticket not yet valid\)' \
        "the server refused the ticket: not yet valid"

    # This host 15 min behind its whole domain (KDC and server): with
    # kdc_timesync = 1 smsdistd works in the KDC's time; the load succeeds.
    mark=$(wc -l <"$T/ahead.log")
    KEYTAB=$(ktcopy skew3) good "this host 15 min behind the KDC and the server (kdc_timesync = 1)" \
        "https://provider.sd.test:$AHEAD_PORT/$WMI"
    like "$(since ahead "$mark" | head -n 1)" ' negotiate-ok smsdist@SD\.TEST$' \
        "the server (15 min ahead) took the ticket"
    kdc_clock ""
    KEYTAB=$(ktcopy clock-back) good "the KDC on the true time again" "$URL"
fi

# --- httpCredentials with negotiate: a warning --------------------------------------
good "httpCredentials with httpAuth negotiate" "$URL" "httpCredentials $T/creds"
ok sd_log_has "$T/smsdistd.log" 'httpCredentials is not used with httpAuth negotiate' "a warning says it is not used"

# =============================================================================
# A server that offers Negotiate and NTLM, as IIS does
# =============================================================================
mark=$(wc -l <"$T/site.log")
good "negotiate, the server offering both" "$SITE/auth/both/$WMI"
ok test "$(since site "$mark" | grep -c ' negotiate-ok smsdist@SD\.TEST$')" -gt 0 "Kerberos was used"
mark=$(wc -l <"$T/site.log")
AUTH=windows good "windows with a keytab, the server offering both" "$SITE/auth/both/$WMI" \
    "httpCredentials $T/creds"
ok test "$(since site "$mark" | grep -c ' negotiate-ok smsdist@SD\.TEST$')" -gt 0 "Kerberos was used"
ok test -z "$(since site "$mark" | grep ' ntlm-')" "NTLM was not"
mark=$(wc -l <"$T/site.log")
AUTH=windows good "windows with a keytab, the server offering only NTLM" "$SITE/auth/ntlm/$WMI" \
    "httpCredentials $T/creds"
ok test "$(since site "$mark" | grep -c ' ntlm-ok SD\\smsdist$')" -gt 0 "it fell back to NTLM with httpCredentials"

# --- recovery ---------------------------------------------------------------------
loads=$(scalar smsDistSourceLoads)
good "back to the good configuration" "$URL"
ok sd_log_has "$T/smsdistd.log" 'load failed: .*Kerberos' "the log says each failure, with its reason"
ok test -z "$(grep -F -- "$NTLMPW" "$T/smsdistd.log" "$T/smsdistd.out")" "the NTLM password is nowhere in smsdistd's log"
sd_stop_agent TERM
is "$SD_STOP_STATUS" 0 "smsdistd exits 0 on SIGTERM"

# =============================================================================
# No keytab: a new smsdistd, no ticket anywhere
# =============================================================================
mark=$(wc -l <"$T/site.log")
AUTH=windows KEYTAB='' agent_conf "$SITE/auth/both/$WMI" "httpCredentials $T/creds"
sd_start_agent "$(cat "$T/smsdistd.conf")"
ok sd_wait_served "$N" "windows, no keytab, httpCredentials, the server offering both: $N rows"
ok test "$(since site "$mark" | grep -c ' ntlm-ok SD\\smsdist$')" -gt 0 "by NTLM"
ok test -z "$(since site "$mark" | grep ' negotiate-ok')" "not by Kerberos (smsdistd has no ticket)"
AUTH=negotiate KEYTAB='' fault "negotiate, no keytab, no ticket" '^HTTP 401: Kerberos: no credentials' "$URL"
# a keytab that comes with a reload (smsdistd started without one)
good "krb5Keytab added by a reload" "$URL"
ok test ! -e "$SD_KRB5/no-default-ccache" \
    "its tickets stay in memory too (no file at the default credential cache)"
sd_stop_agent TERM
is "$SD_STOP_STATUS" 0 "smsdistd exits 0 on SIGTERM"
done_testing
