#!/bin/bash
# notifystate.sh: the rows announced in error survive a restart
# (notifyStateFile), so a receiver that keeps one problem per row (Zabbix)
# never keeps one open for ever. A private snmptrapd on 127.0.0.1 is the
# master's trap2sink:
#   (1) rows A and B enter error; smsdistd stops; A is fixed and B deleted
#       meanwhile; at the next start A gets smsDistRowLeftError leftError(2)
#       and B removed(3) with the varbinds it entered error with; rows never
#       announced get nothing;
#   (2) a row still in error at the restart is announced presentAtStart(4),
#       stays remembered, and its way out comes when it is fixed;
#   (3) a state file with a garbage line 3: one log line with the file and
#       the line; smsdistd serves; the entry before line 3 is honoured, the
#       one after it not; the file is rewritten;
#   (4) the state file is a FIFO, then a folder: said clearly, no hang;
#   (5) a folder smsdistd cannot write in: one warning, smsdistd serves;
#   (6) notifyStateFile none: no file is written;
#   (7) SIGTERM while notifications wait in the queue (the master is down):
#       no temporary file stays, the file parses at the next start, and a
#       way out that was queued, never sent, is sent after the restart;
#   (8) a reload that names another notifyStateFile: written there at once,
#       the old file left; and smsdistd -t warns of a folder (5).

# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

sd_setup
sd_need_snmptrapd

ENTERED=$(sd_oid smsDistRowEnteredError)
LEFT=$(sd_oid smsDistRowLeftError)
TYPECOL=$(sd_oid smsDistStatusType)
REASON=$(sd_oid smsDistNotifyReason)
ENTRY=$(sd_oid smsDistStatusEntry)
D=$T/export
mkdir -p "$D" "$T/state"
FILE=$D/distribution.json
STATE=$T/state/notify.state

write_rows() { sd_write_rows "$FILE" "$@"; }
idx() { sd_index "$@"; }
IA=$(idx PSA00001 1)
IB=$(idx PSB00002 1)
IC=$(idx PSC00003 1)
IE=$(idx PSE00005 1)
IX=$(idx PSX00009 1)

TLOG=$T/traps.log
printf 'disableAuthorization yes\n' >"$T/snmptrapd.conf"
sd_start_trapd "$T/snmptrapd.conf" "$TLOG" -On || bail_out "snmptrapd did not start"
SD_MASTER_EXTRA="trap2sink 127.0.0.1:$SD_TRAPD_PORT public"
sd_start_master

traps() { sd_traps "$@"; }
# wait_traps N NOTIFICATION ERE: until N notifications match
wait_traps() { WANT=$1 sd_wait_trap "$2" "$3"; }
# mark NOTIFICATION ERE: how many match now (MARK); more: MARK + 1
mark() { MARK=$(traps "$1" "$2"); }
more() { echo $((MARK + ${1:-1})); }
# start LINE...: smsdistd with the common lines and these
# (SD_FORM=dlmod: snmpd itself, which then needs the trap2sink line too)
start() {
    local sink=()
    [ "${SD_FORM:-}" = dlmod ] && sink=("trap2sink 127.0.0.1:$SD_TRAPD_PORT public")
    sd_start_agent "source file:$FILE" "pollInterval 1" "agentXPingInterval 1" \
        "notifyRateLimit 20 3" "notifyAtStart yes" "$@" ${sink[@]+"${sink[@]}"}
}
stop() { sd_stop_agent TERM; }
# entries FILE: its entry lines (after the header)
entries() { tail -n +2 "${1:-$STATE}" 2>/dev/null | grep -c -E '^smsDist'; }
entries_are() { [ "$(entries "${2:-$STATE}")" = "$1" ]; }
log_has() { sd_log_has "$T/smsdistd.log" "$1"; }
# The column varbinds (OID = value) of row index I in the last line of traps matching ERE.
columns_of() {
    grep -E -- "$1" "$TLOG" | tail -n 1 | tr '\t' '\n' |
        grep -E "^$(printf '%s' "$ENTRY" | sed 's/\./\\./g')\.[0-9]+$(printf '%s' "$2" | sed 's/\./\\./g') = " | sort
}
re_quote() { printf '%s' "$1" | sed 's/[][\.*^$()+?{}|/]/\\&/g'; }
QSTATE=$(re_quote "$STATE")

# =============================================================================
# (1) fixed and gone while smsdistd was stopped
# =============================================================================
write_rows PSA00001:1:1 PSB00002:1:1 PSC00003:1:1 PSE00005:1:1
start "notifyStateFile $STATE"
ok sd_wait_served 4 "(1) 4 rows served, none in error"
write_rows PSA00001:1:3 PSB00002:1:4 PSC00003:1:1 PSE00005:1:1
ok wait_traps 1 "$ENTERED" "$REASON$IA = INTEGER: 1" "(1) A enters error: smsDistRowEnteredError"
ok wait_traps 1 "$ENTERED" "$REASON$IB = INTEGER: 1" "(1) B enters error: smsDistRowEnteredError"
ok sd_poll entries_are 2 "(1) the state file holds the 2 announced rows"
is "$(head -n 1 "$STATE")" "smsdistd-notify-state 1" "(1) its first line is the format's version"
B_ENTERED_COLS=$(columns_of "$REASON$IB = INTEGER: 1" "$IB")
ok test -n "$B_ENTERED_COLS" "(1) B's entered notification carries its columns"
stop
is "$SD_STOP_STATUS" 0 "(1) smsdistd stops on SIGTERM"
ok test ! -e "$STATE.tmp" "(1) no temporary file left"
write_rows PSA00001:1:1 PSC00003:1:1
start "notifyStateFile $STATE"
ok sd_wait_served 2 "(1) started again: 2 rows (A fixed, B and E deleted meanwhile)"
ok wait_traps 1 "$LEFT" "$REASON$IA = INTEGER: 2" "(1) A, fixed while smsdistd was stopped: smsDistRowLeftError leftError(2)"
like "$(grep -E "$REASON$IA = INTEGER: 2" "$TLOG")" "$TYPECOL$IA = INTEGER: 1" "(1) with A's Type now (1)"
ok wait_traps 1 "$LEFT" "$REASON$IB = INTEGER: 3" "(1) B, deleted while smsdistd was stopped: smsDistRowLeftError removed(3)"
B_LEFT_COLS=$(columns_of "$REASON$IB = INTEGER: 3" "$IB")
is "$B_LEFT_COLS" "$B_ENTERED_COLS" "(1) B's way out carries the columns it entered error with"
like "$B_LEFT_COLS" "$TYPECOL$IB = INTEGER: 4" "(1) among them its last known Type (4)"
ok sd_poll entries_are 0 "(1) the state file is rewritten without them"
is "$(traps "$LEFT")" 2 "(1) 2 smsDistRowLeftError in all"
is "$(traps "$LEFT" "$IC |$IE ")" 0 "(1) none for C and E, never announced"
ok log_has "announcing 2 rows as leaving \(1 fixed, 1 gone" "(1) the log says so"

# =============================================================================
# (2) still in error at the restart
# =============================================================================
mark "$ENTERED" "$REASON$IA = INTEGER: 1"
write_rows PSA00001:1:3 PSC00003:1:1
ok wait_traps "$(more)" "$ENTERED" "$REASON$IA = INTEGER: 1" "(2) A enters error again"
ok sd_poll entries_are 1 "(2) remembered"
A_LINE=$(grep -E '^smsDist' "$STATE")
stop
start "notifyStateFile $STATE"
ok wait_traps 1 "$ENTERED" "$REASON$IA = INTEGER: 4" "(2) still in error at the restart: presentAtStart(4)"
is "$(traps "$LEFT" "$REASON$IA ")" 1 "(2) and no way out for it"
is "$(entries)" 1 "(2) it stays in the state file"
mark "$LEFT" "$REASON$IA = INTEGER: 2"
write_rows PSA00001:1:1 PSC00003:1:1
ok wait_traps "$(more)" "$LEFT" "$REASON$IA = INTEGER: 2" "(2) fixed later: its smsDistRowLeftError comes"
ok sd_poll entries_are 0 "(2) and it is forgotten"
B_LINE=$(printf '%s' "$A_LINE" | sed "s/$(re_quote "${IA#.}")/${IB#.}/g")

# =============================================================================
# (3) a garbage line
# =============================================================================
stop
printf '%s\n' "smsdistd-notify-state 1" "$A_LINE" "this is not an entry" "$B_LINE" >"$STATE"
nb=$(traps "$LEFT" "$REASON$IB = INTEGER: 3")
mark "$LEFT" "$REASON$IA = INTEGER: 2"
start "notifyStateFile $STATE"
ok sd_wait_served 2 "(3) a garbage line 3: smsdistd serves"
ok log_has "notifyStateFile $QSTATE: line 3: .*; using the 1 rows read before line 3" \
    "(3) one log line names the file, the line and why"
is "$(grep -c "notifyStateFile" "$T/smsdistd.log")" 1 "(3) only one"
ok wait_traps "$(more)" "$LEFT" "$REASON$IA = INTEGER: 2" "(3) the entry before line 3 is honoured: A's way out"
ok sd_poll entries_are 0 "(3) the file is rewritten at that change"
ok test "$(grep -c 'not an entry' "$STATE")" = 0 "(3) without the garbage"
# anything sent in the same pass arrives before a later notification
write_rows PSA00001:1:1 PSC00003:1:4
ok wait_traps 1 "$ENTERED" "$REASON$IC = INTEGER: 1" "(3) a later notification arrives"
is "$(traps "$LEFT" "$REASON$IB = INTEGER: 3")" "$nb" "(3) the entry after line 3 is not honoured"

# =============================================================================
# (4) not a regular file
# =============================================================================
stop
rm -f "$STATE"
mkfifo "$STATE"
start "notifyStateFile $STATE"
ok sd_wait_served 2 "(4) the state file is a FIFO: smsdistd starts and serves"
ok log_has "notifyStateFile $QSTATE: not a regular file \(a FIFO\).*starting with no rows remembered" \
    "(4) and says so"
mark "$ENTERED" "$REASON$IA = INTEGER: 1"
write_rows PSA00001:1:4 PSC00003:1:4
ok wait_traps "$(more)" "$ENTERED" "$REASON$IA = INTEGER: 1" "(4) A enters error"
regular_with() { [ -f "$STATE" ] && entries_are "$1"; }
ok sd_poll regular_with 2 "(4) the FIFO is replaced by the state file at that change"
stop
rm -f "$STATE"
mkdir "$STATE"
start "notifyStateFile $STATE"
ok sd_wait_served 2 "(4) the state file is a folder: smsdistd starts and serves"
ok log_has "notifyStateFile $QSTATE: not a regular file \(a directory\)" "(4) and says so"
write_rows PSA00001:1:1 PSC00003:1:1
ok sd_wait_log "$T/smsdistd.log" "notifyStateFile $QSTATE: cannot replace it: Is a directory" \
    "(4) a change: it cannot be replaced, said once"
mark "$ENTERED" "$REASON$IA = INTEGER: 1"
write_rows PSA00001:1:3 PSC00003:1:1
ok wait_traps "$(more)" "$ENTERED" "$REASON$IA = INTEGER: 1" "(4) smsdistd goes on notifying"
is "$(grep -c 'cannot replace it' "$T/smsdistd.log")" 1 "(4) one line, not one per change"
stop
rmdir "$STATE"

# =============================================================================
# (5) a folder smsdistd cannot write in
# =============================================================================
if [ "$(id -u)" = 0 ]; then
    NOWRITE=$T/missing/notify.state        # root writes anywhere: a folder that is not there
    WHY='No such file or directory'
else
    mkdir -p "$T/ro" && chmod 0555 "$T/ro"
    NOWRITE=$T/ro/notify.state
    WHY='Permission denied'
fi
printf '%s\n' "source file:$FILE" "notifyStateFile $NOWRITE" >"$T/t.conf"
"$SD_AGENT_BIN" -t -C -c "$T/t.conf" >"$T/t.out" 2>&1
is "$?" 0 "(5) smsdistd -t: the configuration is still fine (a start would serve)"
like "$(cat "$T/t.out")" "warning: notifyStateFile $(re_quote "$NOWRITE"): cannot create files in $(re_quote "${NOWRITE%/*}") \\($WHY\\).*not be kept across a restart" \
    "(5) smsdistd -t warns: the folder, and why"
printf '%s\n' "source file:$FILE" "notifyStateFile $T/notify-t.state" >"$T/t.conf"
"$SD_AGENT_BIN" -t -C -c "$T/t.conf" >"$T/t.out" 2>&1
ok test "$?" = 0 -a "$(grep -c warning "$T/t.out")" = 0 "(5) smsdistd -t with a folder it can write in: no warning"
ok test ! -e "$T/notify-t.state" "(5) and -t leaves no file there"
start "notifyStateFile $NOWRITE"
ok sd_wait_served 2 "(5) a folder smsdistd cannot write in: it serves"
ok log_has "notifyStateFile $(re_quote "$NOWRITE"): cannot create files in $(re_quote "${NOWRITE%/*}") \($WHY\).*not kept across a restart" \
    "(5) one warning names the file and why"
mark "$LEFT" "$REASON$IA = INTEGER: 2"
write_rows PSA00001:1:1 PSC00003:1:1
ok wait_traps "$(more)" "$LEFT" "$REASON$IA = INTEGER: 2" "(5) notifications go on"
is "$(grep -c "notifyStateFile" "$T/smsdistd.log")" 1 "(5) and the warning is not repeated at each change"
stop

# =============================================================================
# (6) notifyStateFile none
# =============================================================================
mkdir -p "$T/six"
start "notifyStateFile $T/six/notify.state" "notifyStateFile none"
ok sd_wait_served 2 "(6) notifyStateFile none: serves"
mark "$ENTERED" "$REASON$IA = INTEGER: 1"
write_rows PSA00001:1:3 PSC00003:1:1
ok wait_traps "$(more)" "$ENTERED" "$REASON$IA = INTEGER: 1" "(6) A enters error"
stop
is "$(find "$T/six" -mindepth 1 | wc -l)" 0 "(6) no file written"
is "$(grep -c "notifyStateFile" "$T/smsdistd.log")" 0 "(6) nothing logged about it"

# =============================================================================
# (7) SIGTERM with notifications waiting in the queue
# =============================================================================
if [ "${SD_FORM:-}" = dlmod ]; then
    skip 20 "(7) needs the master away while the module runs, (8) a SIGHUP to smsdistd: the dlmod is the master"
    done_testing
    exit 0
fi
rm -f "$STATE"
write_rows PSX00009:1:1 PSC00003:1:1
start "notifyStateFile $STATE" "notifyRateLimit 100000 60 100000"
ok sd_wait_served 2 "(7) 2 rows"
write_rows PSX00009:1:3 PSC00003:1:1
ok wait_traps 1 "$ENTERED" "$REASON$IX = INTEGER: 1" "(7) X enters error, announced"
sd_stop "$SD_MASTER_PID" KILL
ok sd_wait_log "$T/smsdistd.log" 'AgentX master lost' "(7) the master is gone"
many() {
    "$PYTHON3" - "$D/.tmp" "$1" <<'PY' && mv "$D/.tmp" "$FILE"
import json, sys
rows = [{"ObjectID": "ST%06X" % i, "MessageCategory": 1, "Type": 3, "Assets": 1, "ObjectTypeID": 2,
         "PackageID": "ST%06X" % i, "LastUpdateDate": "2026-11-20T08:15:00Z"} for i in range(int(sys.argv[2]))]
rows += [{"ObjectID": "PSX00009", "MessageCategory": 1, "Type": 1, "Assets": 1, "ObjectTypeID": 2,
          "PackageID": "PSX00009", "LastUpdateDate": "2026-11-20T08:15:00Z"}]
json.dump({"value": rows}, open(sys.argv[1], "w"))
PY
}
many 300
ok sd_wait_log "$T/smsdistd.log" 'loaded 301 rows' "(7) 300 rows enter error and X leaves it, the master still away"
stop
is "$SD_STOP_STATUS" 0 "(7) SIGTERM with 301 notifications queued: smsdistd exits 0"
ok test ! -e "$STATE.tmp" "(7) no temporary file left"
is "$(head -n 1 "$STATE")" "smsdistd-notify-state 1" "(7) the file is whole: its version line"
is "$(entries)" 301 "(7) the 300 rows, and X whose way out was never sent"
ok test "$(tail -c 1 "$STATE" | od -An -c | tr -d ' ')" = '\n' "(7) it ends with a whole line"
sd_start_master
nx=$(traps "$LEFT" "$REASON$IX = INTEGER: 2")
ST4='"ST0[0-9A-F]{5}".*'"$REASON"'[.0-9]* = INTEGER: 4'
np=$(traps "$ENTERED" "$ST4")
start "notifyStateFile $STATE" "notifyRateLimit 100000 60 100000"
ok sd_wait_served 301 "(7) started again with the master back"
ok wait_traps $((nx + 1)) "$LEFT" "$REASON$IX = INTEGER: 2" "(7) X's queued way out, never sent, comes after the restart"
ok wait_traps $((np + 300)) "$ENTERED" "$ST4" "(7) the 300 rows still in error are announced presentAtStart(4)"
is "$(grep -c "notifyStateFile $QSTATE: line" "$T/smsdistd.log")" 0 "(7) the file parsed without a complaint"
ok sd_poll entries_are 300 "(7) the file keeps the 300, not X"
stop
is "$SD_STOP_STATUS" 0 "(7) smsdistd exits 0"

# =============================================================================
# (8) a reload that moves notifyStateFile
# =============================================================================
write_rows PSA00001:1:3 PSC00003:1:1
rm -f "$T/first.state"
mkdir -p "$T/moved"
start "notifyStateFile $T/first.state"
ok sd_poll entries_are 1 "$T/first.state" "(8) A, in error at start, is announced and kept in the first file"
sed -i "s|^notifyStateFile $T/first.state\$|notifyStateFile $T/moved/notify.state|" "$T/smsdistd.conf"
kill -HUP "$SD_AGENT_PID"
ok sd_poll entries_are 1 "$T/moved/notify.state" "(8) SIGHUP with another notifyStateFile: the new file is written at once, with A"
mark "$LEFT" "$REASON$IA = INTEGER: 2"
write_rows PSA00001:1:1 PSC00003:1:1
ok wait_traps "$(more)" "$LEFT" "$REASON$IA = INTEGER: 2" "(8) A is fixed: smsDistRowLeftError"
ok sd_poll entries_are 0 "$T/moved/notify.state" "(8) the new file follows"
is "$(entries "$T/first.state")" 1 "(8) the old file is left as it was"
stop

done_testing
