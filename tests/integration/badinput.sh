#!/bin/bash
# badinput.sh: what smsdistd does with bad input, seen from a manager and
# from its log.
#  (a) bad rows among good ones: the good ones are served, each bad one is
#      counted and logged once, naming the file, the row and the property;
#  (b) a document that cannot be parsed at start: nothing served, state
#      failed(3), the reason in smsDistSourceLastError, the agent still up;
#  (c) a good document replaced by garbage and SIGHUP: the old rows stay
#      served, state failed(3); the good one back and SIGHUP: ok(1) again;
#  (d) an empty file and a file holding only a UTF-8 BOM are refused alike;
#  (e) SIGTERM: exit 0, and nothing removed that the agent does not own.

# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

sd_setup

TABLE=$(sd_oid smsDistStatusTable)
cp "$SD_DATA/serve/badrows.json" "$SD_DATA/serve/garbage.json" "$SD_DATA/serve/sample.json" "$T/" \
    || bail_out "cannot copy the test data"
BAD=$T/badrows.json
GARBAGE=$T/garbage.json
SAMPLE=$T/sample.json
NSAMPLE=$(check_walk count "$SAMPLE") || bail_out "the oracle cannot read sample.json"

scalar() { snmp_value "$(sd_oid "$1").0"; }
state_oid() { echo "$(sd_oid smsDistSourceState).0"; }

# An ERE matching the string literally.
re_quote() { printf '%s' "$1" | sed 's/[][\.*^$?+(){}|/]/\\&/g'; }

# walk_is INPUT DESC: the table walks exactly as the oracle reads INPUT.
walk_is() {
    snmp_walk "$TABLE" >"$T/walk.txt" 2>&1
    ok check_walk compare "$1" --table-oid "$TABLE" "$T/walk.txt" "$2"
}

# restart_on FILE: a fresh smsdistd (counters from zero) reading FILE.
restart_on() {
    if [ -n "${SD_AGENT_PID:-}" ] && sd_alive "$SD_AGENT_PID"; then
        sd_stop_agent TERM || diag "smsdistd did not stop on TERM"
    fi
    : >"$T/smsdistd.log"
    sd_start_agent "source file:$1"
}

# replace_and_hup FILE: puts FILE's content in place of $EXPORT (by rename,
# as an exporter should, so no half file is ever read) and sends SIGHUP.
# smsdistd also watches the file; stopped meanwhile, it sees the change and
# the SIGHUP together, so exactly one load follows (a SIGHUP reload replaces
# a pending watcher reload) and the counters below are exact.
replace_and_hup() {
    cp "$1" "$EXPORT.new" || bail_out "cannot write $EXPORT.new"
    kill -STOP "$SD_AGENT_PID"
    mv -f "$EXPORT.new" "$EXPORT"
    kill -HUP "$SD_AGENT_PID"
    kill -CONT "$SD_AGENT_PID"
}

sd_start_master

# --- (a) bad rows among good ones ------------------------------------------------
NGOOD=$(check_walk count "$BAD") || bail_out "the oracle cannot read badrows.json"
NBAD=$(check_walk summary "$BAD" --key rejected)
restart_on "$BAD"
ok sd_wait_served "$NGOOD" "(a) only the $NGOOD good rows of badrows.json are served"
is "$(scalar smsDistSourceRowsRejected)" "$NBAD" "(a) smsDistSourceRowsRejected is $NBAD"
is "$(scalar smsDistSourceState)" 1 "(a) a document with some bad rows is still ok(1)"
walk_is "$BAD" "(a) the good rows (one with a 112-character ObjectID) are served exactly"
ok sd_wait_log "$T/smsdistd.log" "loaded $NGOOD rows from .*$(re_quote "$BAD") \($NBAD rejected, 0 duplicates\)" \
    "(a) the log sums up the load"
qbad=$(re_quote "$BAD")
while read -r row prop; do
    n=$(grep -c -E -- "$qbad: row $row: $prop: .+; row skipped" "$T/smsdistd.log")
    is "$n" 1 "(a) one log line for row $row: $prop"
done < <(check_walk rejects "$BAD")
is "$(grep -c -E -- "$qbad: row [0-9]+: .*; row skipped" "$T/smsdistd.log")" "$NBAD" \
    "(a) no other row is logged as skipped"

# --- (b) garbage at start ----------------------------------------------------------------
restart_on "$GARBAGE"
ok sd_wait_value "$(state_oid)" 3 "(b) truncated JSON at start: smsDistSourceState is failed(3)"
is "$(scalar smsDistSourceRowsServed)" 0 "(b) no rows served"
is "$(snmp_walk "$TABLE" 2>&1 | grep -c -F "$TABLE.")" 0 "(b) the table is empty"
like "$(scalar smsDistSourceLastError)" "$(re_quote "$GARBAGE")" "(b) smsDistSourceLastError names the file"
is "$(scalar smsDistSourceLoadFailures)" 1 "(b) smsDistSourceLoadFailures is 1"
is "$(scalar smsDistSourceLoads)" 0 "(b) smsDistSourceLoads is 0"
ok sd_log_has "$T/smsdistd.log" "load failed: .*$(re_quote "$GARBAGE")" "(b) the log says the load failed and where"
ok sd_alive "$SD_AGENT_PID" "(b) smsdistd is still running"

# --- (c) good, then garbage + SIGHUP, then good again + SIGHUP --------------------------------
EXPORT=$T/export.json
cp "$SAMPLE" "$EXPORT"
restart_on "$EXPORT"
ok sd_wait_served "$NSAMPLE" "(c) the good export is served"
snmp_walk "$TABLE" >"$T/walk-good.txt" 2>&1
ok grep -q -F "$TABLE." "$T/walk-good.txt" "(c) a walk before the change shows the rows"
replace_and_hup "$GARBAGE"
ok sd_wait_value "$(state_oid)" 3 "(c) garbage + SIGHUP: smsDistSourceState is failed(3)"
is "$(scalar smsDistSourceRowsServed)" "$NSAMPLE" "(c) the old rows are still counted as served"
snmp_walk "$TABLE" >"$T/walk.txt" 2>&1
ok diff -u "$T/walk-good.txt" "$T/walk.txt" "(c) the old rows are still served, unchanged"
is "$(scalar smsDistSourceLoadFailures)" 1 "(c) smsDistSourceLoadFailures is 1"
is "$(scalar smsDistSourceLoads)" 1 "(c) smsDistSourceLoads is still 1"
err=$(scalar smsDistSourceLastError)
like "$err" "$(re_quote "$EXPORT")" "(c) smsDistSourceLastError names the file"
like "$err" "[Jj][Ss][Oo][Nn]|line [0-9]+|column [0-9]+" "(c) smsDistSourceLastError says why (JSON, line, column)"
ok sd_alive "$SD_AGENT_PID" "(c) smsdistd is still running"

replace_and_hup "$SAMPLE"
ok sd_wait_value "$(sd_oid smsDistSourceLoads).0" 2 "(c) good file + SIGHUP: smsDistSourceLoads is 2"
is "$(scalar smsDistSourceState)" 1 "(c) smsDistSourceState is ok(1) again"
is "$(scalar smsDistSourceLoadFailures)" 1 "(c) smsDistSourceLoadFailures stays 1"
snmp_walk "$TABLE" >"$T/walk.txt" 2>&1
ok diff -u "$T/walk-good.txt" "$T/walk.txt" "(c) after the recovery the table is what it was"

# --- (d) empty and BOM-only documents ------------------------------------------------------------
declare -A reason
for kind in empty bom; do
    f=$T/$kind.json
    case $kind in
        empty) : >"$f" ;;
        bom) printf '\357\273\277' >"$f" ;;
    esac
    restart_on "$f"
    ok sd_wait_value "$(state_oid)" 3 "(d) $kind file: smsDistSourceState is failed(3)"
    is "$(scalar smsDistSourceRowsServed)" 0 "(d) $kind file: no rows served"
    is "$(scalar smsDistSourceLoadFailures)" 1 "(d) $kind file: smsDistSourceLoadFailures is 1"
    reason[$kind]=$(scalar smsDistSourceLastError)
    like "${reason[$kind]}" "$(re_quote "$f").*[Ee]mpty" \
        "(d) $kind file: smsDistSourceLastError names the file and says it is empty"
    ok sd_alive "$SD_AGENT_PID" "(d) $kind file: smsdistd is still running"
done
# The same refusal: the reasons differ in nothing but the file name.
is "${reason[bom]//bom.json/F}" "${reason[empty]//empty.json/F}" \
    "(d) an empty file and a BOM-only file are refused with the same reason"

# --- (e) SIGTERM ------------------------------------------------------------------------------
restart_on "$SAMPLE"
ok sd_wait_served "$NSAMPLE" "(e) serving sample.json"
ok sd_wait_log "$T/smsdistd.log" "smsdistd .* started" "(e) the log says smsdistd started"
# (its own pid file is smsdistd's to remove; the listings are ours)
# shellcheck disable=SC2010 # the names in T are ours, all plain
listing() { ls -A "$T" | grep -v -x -e smsdistd.pid -e before.lst -e after.lst | sort; }
listing >"$T/before.lst"
ok sd_stop_agent TERM "(e) smsdistd stops on SIGTERM within ${SD_WAIT}s"
is "$SD_STOP_STATUS" 0 "(e) smsdistd exits 0 on SIGTERM"
listing >"$T/after.lst"
ok diff -u "$T/before.lst" "$T/after.lst" "(e) nothing in the test directory disappeared (sources, config, logs)"
ok test -S "$T/agentx.sock" "(e) the master's AgentX socket is still there"
ok cmp "$SD_DATA/serve/sample.json" "$SAMPLE" "(e) the source file is untouched"
ok sd_master_answers "(e) the master still answers"

done_testing
