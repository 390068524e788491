#!/bin/bash
# traps.sh: notifications end to end. A private snmptrapd on 127.0.0.1 is
# the master's trap2sink; smsdistd's notifications must arrive through the
# master with the right OIDs and values:
#   a row already in error at start (presentAtStart), a row entering Error,
#   leaving it, disappearing; the source failing, recovering, going stale;
#   1,000 rows entering Error at once (rate limit, one summary, the rest
#   deferred and sent in later windows, withdrawn when fixed first); and a
#   row flipped while the master is down (queued, sent after reconnection),
#   and rows deferred while it is down (sent after it is back).

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
# notifyRateLimit 20 3: a bucket of 20 tokens, 20 new ones every 3 s: 20 go
# out at once, the other 980 are deferred (not lost) and go out one every
# 0.15 s, oldest first.
# st_rows LO HI: the 1,000 rows ST000000.. with rows LO..HI-1 in error
st_rows() {
    "$PYTHON3" - "$D/.tmp" "$1" "$2" <<'PY' && mv "$D/.tmp" "$FILE"
import json, sys
lo, hi = int(sys.argv[2]), int(sys.argv[3])
rows = [{"ObjectID": "ST%06X" % i, "MessageCategory": 1, "Type": 3 if lo <= i < hi else 1, "Assets": 1,
         "ObjectTypeID": 2, "PackageID": "ST%06X" % i, "LastUpdateDate": "2026-11-20T08:15:00Z"}
        for i in range(1000)]
json.dump({"value": rows}, open(sys.argv[1], "w"))
PY
}
# st_audit: per ST row, the row notifications received, in order of arrival:
# prints "bad N" (rows whose notifications do not alternate entered, left,
# entered, ... with the reasons and Type that fit), "entered N", "left N",
# "open N" (rows whose last notification is an entry), "order ok|broken"
# (deferred entries leave oldest first: in each burst of entries of one
# storm the rows come in index order) and "dup N" (an entry repeated without
# a way out between).
st_audit() {
    "$PYTHON3" - "$TLOG" "$ENTERED" "$LEFT" "$REASON" "$TYPECOL" <<'PY'
import re, sys
log, entered, left, reason, typecol = sys.argv[1:6]
state, bad, dup, ne, nl, seq = {}, 0, 0, 0, 0, []
for line in open(log, errors="replace"):
    m = re.search(r"= OID: (\S+)", line)
    if not m or m.group(1) not in (entered, left):
        continue
    r = re.search(re.escape(reason) + r"\.(\d+)\.([\d.]+) = INTEGER: (\d)", line)
    if not r:
        continue
    n = int(r.group(1))
    subs = [int(x) for x in r.group(2).split(".")]
    name = "".join(chr(c) for c in subs[:n])
    if not name.startswith("ST"):
        continue
    why = int(r.group(3))
    t = re.search(re.escape(typecol) + r"\.[\d.]+ = INTEGER: (\d+)", line)
    typ = int(t.group(1)) if t else -1
    was = state.get(name, False)
    if m.group(1) == entered:
        ne += 1
        if was:
            dup += 1
        if why not in (1, 4) or typ != 3:
            bad += 1
        state[name] = True
        seq.append(int(name[2:], 16))
    else:
        nl += 1
        if not was or why not in (2, 3) or (why == 2 and typ != 1):
            bad += 1
        state[name] = False
# the entries of each storm arrive in rising index order; a new storm
# starts where the index falls back
falls = sum(1 for a, b in zip(seq, seq[1:]) if b < a)
print("bad", bad)
print("dup", dup)
print("entered", ne)
print("left", nl)
print("open", sum(1 for v in state.values() if v))
print("falls", falls)
PY
}
audit() { st_audit | sed -n "s/^$1 //p"; }
deferred() { snmp_value "$(sd_oid smsDistNotifyDeferred).0"; }
deferred_is() { [ "$(deferred)" = "$1" ]; }
entered_st_reach() { [ "$(audit entered)" -ge "$1" ]; }
supp_in() { grep -E "= OID: $SUPPRESSED([[:space:]]|$)" "$TLOG" | tail -n 1 |
            grep -oE "$(sd_oid "$1")\.0 = Gauge32: [0-9]+" | grep -oE '[0-9]+$'; }
sup_traps() { grep -c -E "= OID: $SUPPRESSED([[:space:]]|$)" "$TLOG"; }

st_rows 0 0
ok sd_wait_served 1000 "1,000 rows, all Success"
st_rows 0 1000
WANT=1 ok wait_trap "$SUPPRESSED" . "1,000 rows go to Error: one smsDistNotificationsSuppressed at the window's end"
is "$(supp_in smsDistNotifySuppressed)" 980 "smsDistNotifySuppressed: the 980 past the bucket (20) were held back"
like "$(grep -E "= OID: $SUPPRESSED" "$TLOG" | tail -1)" "$(sd_oid smsDistRowsError)\\.0 = Gauge32: 1000" \
    "the summary carries smsDistRowsError = 1000"
sd0=$(supp_in smsDistNotifyDeferred)
ok test "${sd0:-0}" -gt 900 -a "${sd0:-0}" -lt 980 "and smsDistNotifyDeferred: deferred, not lost, some already sent in the window ($sd0 still to come)"
is "$(snmp_value "$(sd_oid smsDistNotifyRateLimited).0")" 980 "smsDistNotifyRateLimited counts them, once"
d1=$(deferred)
ok test "$d1" -le 980 -a "$d1" -ge 800 "smsDistNotifyDeferred.0 is served ($d1 waiting)"
ok sd_poll entered_st_reach $((1020 - d1)) "the deferred ones go out at the limit's pace ($((1020 - d1)) entries received)"
d2=$(deferred)
ok test "$d2" -lt "$d1" "smsDistNotifyDeferred falls as they go out ($d1, then $d2)"
is "$(sup_traps)" 1 "windows that only send deferred rows end in no summary"

# a reload to a faster limit while rows wait
printf '%s\n' "source file:$FILE" "pollInterval 1" "agentXPingInterval 1" \
    "notifyRateLimit 100 1" "notifyAtStart yes" >"$T/smsdistd.conf"
kill -HUP "$SD_AGENT_PID"
ok sd_wait_log "$T/smsdistd.log" 'SIGHUP: re-reading' "SIGHUP: notifyRateLimit 100 1, with rows waiting"

# Rows 0..499 leave error, most of them before their turn: those still
# deferred are withdrawn (neither notification), those announced get their
# way out at once (the limit never holds back a way out the receiver needs).
# Rows 500..999 stay in error and their entries keep coming until none waits.
st_rows 500 1000
SD_WAIT=$((SD_WAIT * 4)) ok sd_poll deferred_is 0 "rows 0..499 leave error: deferred ones withdrawn; the entries of 500..999 go out until none waits"
is "$(audit bad)" 0 "every row notification fits its row's story (order, reasons, Type)"
is "$(audit dup)" 0 "no row was announced entering error twice (the reload announced nothing again)"
is "$(audit open)" 500 "the receiver's view converged: exactly the 500 rows in error are open"
is "$(audit falls)" 0 "the deferred entries went out oldest first (in index order)"
e=$(audit entered); l=$(audit left)
is "$((e - l))" 500 "each of the $l rows announced and then fixed got its way out ($e entries)"
ok test "$e" -lt 1000 "rows fixed while deferred were never announced ($((1000 - e)) of them)"
is "$(sup_traps)" 1 "and nothing was held back meanwhile: no new summary"

st_rows 0 0
open_is() { [ "$(audit open)" = "$1" ]; }
ok sd_poll open_is 0 "all 500 leave error at once: 500 ways out, past the limit (100 a second, bursts of 20)"
is "$(audit bad)" 0 "every one fits its row"
is "$(sup_traps)" 1 "the ways out were not held back: no summary"

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

# --- rows enter error while the master is away: nothing is lost -------------------
# (The master is stopped first: a notification already handed to a master
# that is then killed is lost with it, AgentX has no acknowledgement.)
n_lost=$(grep -c 'AgentX master disconnected' "$T/smsdistd.log")
sd_stop "$SD_MASTER_PID" KILL
lost_again() { [ "$(grep -c 'AgentX master disconnected' "$T/smsdistd.log")" -gt "$n_lost" ]; }
ok sd_poll lost_again "the master is killed, and smsdistd knows it"
n_loads=$(grep -c 'loaded 1000 rows' "$T/smsdistd.log")
st_rows 0 300
loaded_again() { [ "$(grep -c 'loaded 1000 rows' "$T/smsdistd.log")" -gt "$n_loads" ]; }
ok sd_poll loaded_again "300 rows enter error while it is away: the limit's burst queued, the rest deferred"
sd_start_master
SD_WAIT=$((SD_WAIT * 4)) ok sd_poll open_is 300 "the master is back: every one of the 300 rows in error is announced"
is "$(audit dup)" 0 "each once"
is "$(audit bad)" 0 "each fitting its row"
is "$(deferred)" 0 "none waits"
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
