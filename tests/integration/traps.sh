#!/bin/bash
# traps.sh: notifications end to end. A private snmptrapd on 127.0.0.1 is
# the master's trap2sink; smsdistd's notifications must arrive through the
# master with the right OIDs and values:
#   a row already in error at start (presentAtStart), a row entering Error,
#   leaving it, disappearing; the source failing, recovering, going stale;
#   1,000 rows entering Error at once (rate limit + one summary); and a row
#   flipped while the master is down (queued, sent after reconnection).

. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

sd_setup
sd_need_snmptrapd

MIB=$(sd_oid smsDistMIB)
ENTERED=$(sd_oid smsDistRowEnteredError)
LEFT=$(sd_oid smsDistRowLeftError)
FAILED=$(sd_oid smsDistSourceFailed)
STALE=$(sd_oid smsDistSourceStale)
RECOVERED=$(sd_oid smsDistSourceRecovered)
SUPPRESSED=$(sd_oid smsDistNotificationsSuppressed)
TYPECOL=$(sd_oid smsDistStatusType)
REASON=$(sd_oid smsDistNotifyReason)
D=$T/export
mkdir -p "$D"
FILE=$D/distribution.json

write_rows() { sd_write_rows "$FILE" "$@"; }
# many N TYPE: N rows ST00000..., category 1
many() {
    "$PYTHON3" - "$D/.tmp" "$1" "$2" <<'PY' && mv "$D/.tmp" "$FILE"
import json, sys
n, t = int(sys.argv[2]), int(sys.argv[3])
rows = [{"ObjectID": "ST%06X" % i, "MessageCategory": 1, "Type": t, "Assets": 1, "ObjectTypeID": 2,
         "PackageID": "ST%06X" % i, "LastUpdateDate": "2026-11-20T08:15:00Z"} for i in range(n)]
json.dump({"value": rows}, open(sys.argv[1], "w"))
PY
}
idx() { sd_index "$@"; }

# --- snmptrapd ---------------------------------------------------------------
TLOG=$T/traps.log
printf 'disableAuthorization yes\n' >"$T/snmptrapd.conf"
sd_start_trapd "$T/snmptrapd.conf" "$TLOG" -On || bail_out "snmptrapd did not start"
TPORT=$SD_TRAPD_PORT

# traps NOTIFICATION [ERE]: how many received traps are NOTIFICATION (and match ERE)
traps() { sd_traps "$@"; }
wait_trap() { sd_wait_trap "$@"; }

SD_MASTER_EXTRA="trap2sink 127.0.0.1:$TPORT public"
sd_start_master

write_rows PS100001:1:1 PS100002:1:3 PS100003:5:2
sd_start_agent "source file:$FILE" "pollInterval 1" "agentXPingInterval 1" \
    "notifyRateLimit 20 3" "notifyAtStart yes"
ok sd_wait_served 3 "3 rows served"

# --- presentAtStart ----------------------------------------------------------
I2=$(idx PS100002 1)
ok wait_trap "$ENTERED" "$REASON$I2 = INTEGER: 4" \
    "the row already in error at start is announced: smsDistRowEnteredError, reason presentAtStart(4)"
like "$(grep -E "= OID: $ENTERED" "$TLOG" | head -1)" "$TYPECOL$I2 = INTEGER: 3" \
    "its varbinds carry the row's columns with its index (smsDistStatusType.<index> = 3)"
is "$(traps "$ENTERED")" 1 "and only that row: one notification"

# --- entered, left, removed ---------------------------------------------------
I1=$(idx PS100001 1)
write_rows PS100001:1:4 PS100002:1:3 PS100003:5:2
ok wait_trap "$ENTERED" "$REASON$I1 = INTEGER: 1" "PS100001 goes to Type 4: smsDistRowEnteredError, reason enteredError(1)"
like "$(grep -E "$REASON$I1 = INTEGER: 1" "$TLOG")" "$TYPECOL$I1 = INTEGER: 4" "with smsDistStatusType = 4"
write_rows PS100001:1:1 PS100002:1:3 PS100003:5:2
ok wait_trap "$LEFT" "$REASON$I1 = INTEGER: 2" "PS100001 back to Success: smsDistRowLeftError, reason leftError(2)"
like "$(grep -E "$REASON$I1 = INTEGER: 2" "$TLOG")" "$TYPECOL$I1 = INTEGER: 1" "with smsDistStatusType = 1"
write_rows PS100001:1:1 PS100003:5:2
ok wait_trap "$LEFT" "$REASON$I2 = INTEGER: 3" "PS100002 disappears while in error: smsDistRowLeftError, reason removed(3)"
like "$(grep -E "$REASON$I2 = INTEGER: 3" "$TLOG")" "$TYPECOL$I2 = INTEGER: 3" "carrying its last known Type (3)"
is "$(traps "$ENTERED")" 2 "nothing else entered Error: 2 smsDistRowEnteredError in all"
is "$(traps "$LEFT")" 2 "and 2 smsDistRowLeftError"

# --- the source ----------------------------------------------------------------
printf '{"value": [' >"$FILE"
ok wait_trap "$FAILED" "distribution.json: JSON error" "garbage: smsDistSourceFailed, with the reason"
write_rows PS100001:1:1 PS100003:5:2
ok wait_trap "$RECOVERED" . "a good file again: smsDistSourceRecovered"

# --- a storm: 1,000 rows enter Error at once -----------------------------------
many 1000 1
ok sd_wait_served 1000 "1,000 rows, all Success"
before=$(traps "$ENTERED" "ST0")
many 1000 3
WANT=1 ok wait_trap "$SUPPRESSED" . "1,000 rows go to Error: one smsDistNotificationsSuppressed at the window's end"
sent=$(( $(traps "$ENTERED" "ST0") - before ))
ok test "$sent" -le 20 "at most notifyRateLimit (20) row notifications in the window (sent $sent)"
supp=$(grep -E "= OID: $SUPPRESSED" "$TLOG" | tail -1 | grep -oE "$(sd_oid smsDistNotifySuppressed)\.0 = Gauge32: [0-9]+" | grep -oE '[0-9]+$')
is "$((sent + supp))" 1000 "sent + suppressed = 1000 (suppressed $supp, carried in smsDistNotifySuppressed)"
like "$(grep -E "= OID: $SUPPRESSED" "$TLOG" | tail -1)" "$(sd_oid smsDistRowsError)\\.0 = Gauge32: 1000" \
    "the summary carries smsDistRowsError = 1000"
is "$(snmp_value "$(sd_oid smsDistNotifyRateLimited).0")" "$supp" "smsDistNotifyRateLimited counts them too"

# --- a row announced in error is always announced leaving it ------------------
# A receiver that keeps a problem per row (Zabbix) closes it on the row's
# smsDistRowLeftError: the rate limit must never cut that one. Rows 500..999
# enter error (ST0001F4.. announced, the rest cut), then rows 0..499 too
# (ST000000.. announced), then all leave: in index order the unannounced rows
# 20.. fill the window before 500.. come, whose way out must still be sent.
range_rows() {
    "$PYTHON3" - "$D/.tmp" "$1" "$2" <<'PY' && mv "$D/.tmp" "$FILE"
import json, sys
lo, hi = int(sys.argv[2]), int(sys.argv[3])   # rows lo..hi-1 in error, of 1000
rows = [{"ObjectID": "ST%06X" % i, "MessageCategory": 1, "Type": 3 if lo <= i < hi else 1, "Assets": 1,
         "ObjectTypeID": 2, "PackageID": "ST%06X" % i, "LastUpdateDate": "2026-11-20T08:15:00Z"}
        for i in range(1000)]
json.dump({"value": rows}, open(sys.argv[1], "w"))
PY
}
sup_traps() { grep -c -E "= OID: $SUPPRESSED([[:space:]]|$)" "$TLOG"; }
st_idx() { idx "$(printf 'ST%06X' "$1")" 1; }
range_rows 0 0
ok sd_wait_served 1000 "1,000 rows, all Success again"
WANT=2 ok wait_trap "$SUPPRESSED" . "their 1,000 ways out end in a second summary, not 1,000 notifications"
s0=$(sup_traps)
range_rows 500 1000
WANT=$((s0 + 1)) ok wait_trap "$SUPPRESSED" . "rows 500..999 enter error: 20 announced, the rest cut"
range_rows 0 1000
WANT=$((s0 + 2)) ok wait_trap "$SUPPRESSED" . "rows 0..499 enter error too: 20 more announced"
left0=$(traps "$LEFT" "ST0")
range_rows 0 0
WANT=$((s0 + 3)) ok wait_trap "$SUPPRESSED" . "all 1,000 leave error: the window ends in a summary"
missing=0
for i in $(seq 500 519) $(seq 0 19); do
    [ "$(traps "$LEFT" "$TYPECOL$(st_idx "$i") ")" -ge 1 ] || { missing=$((missing + 1)); diag "no smsDistRowLeftError for row $i"; }
done
is "$missing" 0 "every announced row (0..19, 500..519) got its smsDistRowLeftError, though 20..39 filled the window first"
is "$(( $(traps "$LEFT" "ST0") - left0 ))" 60 "60 ways out sent: the 40 announced ones beyond the limit, and the 20 the limit admits"
supp=$(grep -E "= OID: $SUPPRESSED" "$TLOG" | tail -1 | grep -oE "$(sd_oid smsDistNotifySuppressed)\.0 = Gauge32: [0-9]+" | grep -oE '[0-9]+$')
is "$supp" 940 "the other 940 were cut and counted (smsDistNotifySuppressed)"

# --- the master goes away: queued, then sent ----------------------------------
write_rows PS100001:1:1 PS100003:5:2
ok sd_wait_served 2 "back to 2 rows"
n_i1=$(traps "$ENTERED" "$REASON$I1 = INTEGER: 1")
sd_stop "$SD_MASTER_PID" KILL
ok sd_wait_log "$T/smsdistd.log" 'AgentX master disconnected' "kill -9 of the master is noticed"
write_rows PS100001:1:3 PS100003:5:2
ok sd_wait_log "$T/smsdistd.log" 'loaded 2 rows.*' "PS100001 goes to Error while the master is down"
sd_start_master
WANT=$((n_i1 + 1)) ok wait_trap "$ENTERED" "$REASON$I1 = INTEGER: 1" \
    "the master is back: the queued smsDistRowEnteredError arrives"
ok sd_log_has "$T/smsdistd.log" 'sending 1 queued notifications' "it was queued and sent after reconnection"
is "$(snmp_value "$(sd_oid smsDistNotifyQueued).0")" 0 "nothing left in the queue"
is "$(snmp_value "$(sd_oid smsDistNotifyDropped).0")" 0 "nothing dropped"

# --- stale ---------------------------------------------------------------------
printf '%s\n' "source file:$FILE" "pollInterval 1" "agentXPingInterval 1" "staleAfter 2" >"$T/smsdistd.conf"
n_rec=$(traps "$RECOVERED")
kill -HUP "$SD_AGENT_PID"
ok wait_trap "$STALE" . "no new data for staleAfter: smsDistSourceStale"
write_rows PS100001:1:3 PS100003:5:1
WANT=$((n_rec + 1)) ok wait_trap "$RECOVERED" . "new data: smsDistSourceRecovered"

sd_stop_agent TERM
is "$SD_STOP_STATUS" 0 "smsdistd exits 0"
done_testing
