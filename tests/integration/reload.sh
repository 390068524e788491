#!/bin/bash
# reload.sh: the file source follows its file the ways real exporters write
# it, and the served table is always one whole data set. Checked through
# snmpget of the rows count and the health scalars at every step:
#   replace by rename (temp + mv), truncate-and-rewrite (scp, Out-File),
#   a file written slowly in two halves, garbage, deletion, re-creation,
#   rewriting the same rows (changes nothing), SIGHUP, and staleness.

. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

sd_setup

D=$T/export
mkdir -p "$D" || bail_out "mkdir"
FILE=$D/distribution.json
A=$SD_DATA/serve/sample.json
B=$SD_DATA/serve/sample.csv
NA=$(check_walk count "$A") || bail_out "oracle: $A"
# a smaller data set: the first 10 records of A
"$PYTHON3" -c 'import json,sys; d=json.load(open(sys.argv[1])); d["value"]=d["value"][:10]; json.dump(d, open(sys.argv[2],"w"))' \
    "$A" "$T/small.json" || bail_out "cannot make small.json"
NS=$(check_walk count "$T/small.json")
TABLE=$(sd_oid smsDistStatusTable)

scalar() { snmp_value "$(sd_oid "$1").0"; }
served() { sd_wait_served "$1"; }
state_is() { sd_wait_value "$(sd_oid smsDistSourceState).0" "$1"; }
failures_are() { sd_wait_value "$(sd_oid smsDistSourceLoadFailures).0" "$1"; }
loads_are() { sd_wait_value "$(sd_oid smsDistSourceLoads).0" "$1"; }

cp "$A" "$FILE"
sd_start_master
sd_start_agent "source file:$FILE" "pollInterval 1" "staleAfter 3600"
ok served "$NA" "start: the $NA rows of the export are served"

# --- replace by rename -------------------------------------------------------
cp "$T/small.json" "$D/.distribution.json.tmp" && mv "$D/.distribution.json.tmp" "$FILE"
ok served "$NS" "replaced by rename (temp file + mv): now $NS rows"
snmp_walk "$TABLE" >"$T/walk.txt" 2>&1
ok check_walk compare "$T/small.json" --table-oid "$TABLE" "$T/walk.txt" \
    "after the rename the walk is exactly the new file"

# --- truncate and rewrite in place (scp, Out-File) ---------------------------
cat "$A" >"$FILE"
ok served "$NA" "truncated and rewritten in place: $NA rows again"

# --- CSV replaces JSON under the same name (format is sniffed) --------------
cp "$B" "$D/.x" && mv "$D/.x" "$FILE"
ok sd_wait_log "$T/smsdistd.log" "loaded $NA rows .*distribution.json" "the CSV export under the same name loads"
snmp_walk "$TABLE" >"$T/walk.txt" 2>&1
ok check_walk compare "$B" --table-oid "$TABLE" "$T/walk.txt" "and serves the same table as the JSON"

# --- a file written slowly: never half a data set ---------------------------
loads=$(scalar smsDistSourceLoads)
"$PYTHON3" - "$T/small.json" "$FILE" "$T/half-written" "$T/go-on" <<'PY' &
import os, sys, time
data = open(sys.argv[1], "rb").read()
with open(sys.argv[2], "wb") as f:
    f.write(data[: len(data) // 2]); f.flush()
    open(sys.argv[3], "w").close()            # tell the test: half is written
    deadline = time.time() + 20
    while not os.path.exists(sys.argv[4]) and time.time() < deadline:
        time.sleep(0.05)
    f.write(data[len(data) // 2:])
PY
writer=$!
SD_PIDS+=("$writer")
sd_poll test -e "$T/half-written" || bail_out "the slow writer did not start"
# Sample what is served for 3 s (three poll intervals) while the file stays
# half written: every answer must be one whole data set, old or new.
half_served=ok samples=0
deadline=$((SECONDS + 3))
while [ "$SECONDS" -lt "$deadline" ] && [ "$samples" -lt 100 ]; do
    v=$(scalar smsDistSourceRowsServed)
    case $v in "$NA"|"$NS") ;; *) half_served="rows served read '$v' mid-write" ;; esac
    samples=$((samples + 1))
    sleep 0.2
done
is "$half_served" ok "while the file is half written, only whole data sets are served"
touch "$T/go-on"
writer_done() { ! sd_alive "$writer"; }
sd_poll writer_done || diag "the slow writer did not finish"
sd_stop "$writer"       # reaps it
ok served "$NS" "once the writer closes the file, its $NS rows are served"
ok state_is 1 "and smsDistSourceState is ok(1)"

# --- garbage: old data stays, state failed -----------------------------------
fails=$(scalar smsDistSourceLoadFailures)
printf '{"value": [ {"ObjectID": "PS1' >"$FILE"
ok failures_are "$((fails + 1))" "garbage written: the load fails"
is "$(scalar smsDistSourceState)" 3 "smsDistSourceState is failed(3)"
is "$(scalar smsDistSourceRowsServed)" "$NS" "the last good $NS rows stay served"
like "$(scalar smsDistSourceLastError)" "distribution.json: JSON error at line 1" \
    "smsDistSourceLastError names the file and the parse error"

# --- deletion ----------------------------------------------------------------
cp "$A" "$FILE"
ok served "$NA" "a good file again: $NA rows"
fails=$(scalar smsDistSourceLoadFailures)
rm -f "$FILE"
ok failures_are "$((fails + 1))" "file deleted: the load fails"
is "$(scalar smsDistSourceState)" 3 "smsDistSourceState is failed(3) while the file is gone"
is "$(scalar smsDistSourceRowsServed)" "$NA" "the last good rows stay served"
like "$(scalar smsDistSourceLastError)" "cannot open: No such file" "smsDistSourceLastError says the file is missing"
cp "$T/small.json" "$D/.y" && mv "$D/.y" "$FILE"
ok served "$NS" "the file comes back: its rows are served"
ok state_is 1 "and the state is ok(1) again"

# --- the same rows again: nothing changes but the load count ----------------
loads=$(scalar smsDistSourceLoads)
lines=$(grep -c '^loaded ' "$T/smsdistd.log")
"$PYTHON3" -c 'import json,sys; json.dump(json.load(open(sys.argv[1])), open(sys.argv[2],"w"), indent=1)' \
    "$T/small.json" "$D/.z" && mv "$D/.z" "$FILE"
ok loads_are "$((loads + 1))" "the same rows written again (other formatting): counted as a good load"
is "$(grep -c '^loaded ' "$T/smsdistd.log")" "$lines" "and nothing is swapped or logged"
is "$(scalar smsDistSourceRowsServed)" "$NS" "the rows served are unchanged"

# --- SIGHUP reloads now ------------------------------------------------------
loads=$(scalar smsDistSourceLoads)
kill -HUP "$SD_AGENT_PID"
ok loads_are "$((loads + 1))" "SIGHUP reloads the source"

# --- staleness ---------------------------------------------------------------
printf '%s\n' "source file:$FILE" "pollInterval 1" "staleAfter 2" >"$T/smsdistd.conf"
kill -HUP "$SD_AGENT_PID"
ok sd_wait_value "$(sd_oid smsDistSourceStaleAfter).0" 2 "SIGHUP applies staleAfter 2"
ok state_is 2 "no new data for over 2 s: smsDistSourceState is stale(2)"
is "$(scalar smsDistSourceRowsServed)" "$NS" "stale rows are still served"
cp "$A" "$D/.w" && mv "$D/.w" "$FILE"
ok state_is 1 "a new export: ok(1) again"

sd_stop_agent TERM
is "$SD_STOP_STATUS" 0 "smsdistd exits 0 on SIGTERM"
done_testing
