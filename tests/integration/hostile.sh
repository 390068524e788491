#!/bin/bash
# hostile.sh: the hostile input corpus (tests/data/hostile) against a running
# smsdistd. A good export is served; then each hostile document takes the
# export's place by rename (as an exporter should write it), the file watch
# picks it up, and after each one:
#  - smsdistd is still running;
#  - a refused document: smsDistSourceState is failed(3), smsDistSourceLoadFailures
#    counts it, smsDistSourceLastError is exactly "<file>: <reason>" (the
#    reason as tests/data/hostile/README.md gives it), the log says so once,
#    and the last good rows are still served exactly (the walk compared with
#    the oracle, check_walk.py, reading the last good document);
#  - a document with a bad row: state ok(1), smsDistSourceRowsRejected 1, the
#    row's message logged once, and the good rows served exactly;
#  - then the size and row caps, on documents generated here (gen.py caps),
#    and at the end the good export again: served as at the start.
# The cases and their messages are read from the README's table, so the
# documentation and the test cannot drift apart.

# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

sd_setup

HOSTILE=$SD_DATA/hostile
MAX_ROWS=50
MAX_BYTES=150000
TABLE=$(sd_oid smsDistStatusTable)
SAMPLE=$SD_DATA/serve/sample.json
GOOD=$HOSTILE/good.json
EXPORT=$T/export.json
mkdir -p "$T/gen" "$T/stage" || bail_out "cannot populate $T"
"$PYTHON3" "$HOSTILE/gen.py" caps "$T/gen" "$MAX_ROWS" "$MAX_BYTES" >"$T/gen.log" 2>&1 \
    || { diag_file "$T/gen.log"; bail_out "gen.py caps failed"; }
NSAMPLE=$(check_walk count "$SAMPLE") || bail_out "the oracle cannot read sample.json"
[ "$NSAMPLE" -le "$MAX_ROWS" ] || bail_out "sample.json has more than $MAX_ROWS rows"

# --- the cases, from the README's table ---------------------------------------------
# "| file | document / row N / nothing | `message` |", up to the generated ones.
CASE_FILE=() CASE_KIND=() CASE_MSG=()
re='^\| ([^ |]+) \| (document|row [0-9]+|nothing) \| (.*) \|$'
# shellcheck disable=SC2016 # literal backticks
quoted='^`(.*)`$'
while IFS= read -r line; do
    case $line in "## Generated"*) break ;; esac
    [[ $line =~ $re ]] || continue
    CASE_FILE+=("${BASH_REMATCH[1]}")
    CASE_KIND+=("${BASH_REMATCH[2]}")
    msg=${BASH_REMATCH[3]}
    if [[ $msg =~ $quoted ]]; then msg=${BASH_REMATCH[1]}; else msg=; fi
    CASE_MSG+=("$msg")
done <"$HOSTILE/README.md"
[ "${#CASE_FILE[@]}" -ge 30 ] || bail_out "read only ${#CASE_FILE[@]} cases from $HOSTILE/README.md"
for f in "${CASE_FILE[@]}"; do
    [ -f "$HOSTILE/$f" ] || bail_out "README.md lists $f, which is not in $HOSTILE"
done

# --- helpers --------------------------------------------------------------------------
scalar() { snmp_value "$(sd_oid "$1").0"; }
OID_LOADS="$(sd_oid smsDistSourceLoads).0"
OID_FAILURES="$(sd_oid smsDistSourceLoadFailures).0"
OID_LAST_ERROR="$(sd_oid smsDistSourceLastError).0"

# smsDistSourceLastError's octets as text, whatever they are (asked for in hex,
# so no quoting or escaping by snmpget gets in the way).
last_error() { sd_last_error; }

# walk_is INPUT DESC: the table walks exactly as the oracle reads INPUT.
walk_is() {
    snmp_walk "$TABLE" >"$T/walk.txt" 2>&1
    ok check_walk compare "$1" --table-oid "$TABLE" "$T/walk.txt" "$2"
}

count_lines() { grep -c -F -- "$1" "$T/smsdistd.log"; }

# put FILE: FILE's content becomes the export, by rename.
put() {
    cp "$1" "$T/stage/next" || bail_out "cannot copy $1"
    mv -f "$T/stage/next" "$EXPORT" || bail_out "cannot rename onto $EXPORT"
}

LOADS=0 FAILURES=0
LAST_GOOD=            # the document whose rows are served
PREV_ERROR=           # the refusal of the previous attempt, "" when it loaded

# After a failed check, the next case starts from what the agent counted,
# so one failure is reported once, not again by every case after it.
resync() {
    local v
    v=$(snmp_value "$OID_LOADS" 2>/dev/null) && LOADS=$v
    v=$(snmp_value "$OID_FAILURES" 2>/dev/null) && FAILURES=$v
}

# refused FILE REASON: FILE as the export is refused with REASON.
refused() {
    local f=$1 name want before_log err
    name=$(basename "$f")
    want="$EXPORT: $2"
    before_log=$(count_lines "load failed: $want; ")
    FAILURES=$((FAILURES + 1))
    put "$f"
    ok sd_wait_value "$OID_FAILURES" "$FAILURES" "$name: refused (smsDistSourceLoadFailures $FAILURES)"
    is "$(scalar smsDistSourceState)" 3 "$name: smsDistSourceState is failed(3)"
    err=$(last_error)
    is "$err" "${want:0:255}" "$name: smsDistSourceLastError is the file and the reason"
    # logged once per change of trouble: not again when the same refusal repeats
    local logged=1
    [ "$PREV_ERROR" = "$want" ] && [ "${#want}" -le 255 ] && logged=0
    is "$(($(count_lines "load failed: $want; ") - before_log))" "$logged" \
        "$name: the log says so ($logged new line)"
    PREV_ERROR=$want
    is "$(scalar smsDistSourceLoads)" "$LOADS" "$name: smsDistSourceLoads stays $LOADS"
    walk_is "$LAST_GOOD" "$name: the last good rows ($(basename "$LAST_GOOD")) are still served exactly"
    ok sd_alive "$SD_AGENT_PID" "$name: smsdistd is still running"
    resync
}

# loaded FILE REJECTED MESSAGE SERVES: FILE as the export loads, with
# REJECTED rows refused (MESSAGE logged once for it) and serves what the
# oracle reads in SERVES.
loaded() {
    local f=$1 rejected=$2 msg=$3 serves=$4 name before_log
    name=$(basename "$f")
    [ -n "$msg" ] && before_log=$(count_lines "$EXPORT: $msg")
    LOADS=$((LOADS + 1))
    put "$f"
    ok sd_wait_value "$OID_LOADS" "$LOADS" "$name: loaded (smsDistSourceLoads $LOADS)"
    is "$(scalar smsDistSourceState)" 1 "$name: smsDistSourceState is ok(1)"
    is "$(scalar smsDistSourceRowsRejected)" "$rejected" "$name: smsDistSourceRowsRejected is $rejected"
    if [ -n "$msg" ]; then
        is "$(($(count_lines "$EXPORT: $msg") - before_log))" 1 "$name: the bad row is logged once"
    fi
    is "$(scalar smsDistSourceLoadFailures)" "$FAILURES" "$name: smsDistSourceLoadFailures stays $FAILURES"
    walk_is "$serves" "$name: the good rows are served exactly (as $(basename "$serves"))"
    ok sd_alive "$SD_AGENT_PID" "$name: smsdistd is still running"
    LAST_GOOD=$serves
    PREV_ERROR=
    resync
}

# --- a good export ----------------------------------------------------------------------
sd_start_master
cp "$SAMPLE" "$EXPORT" || bail_out "cannot copy sample.json"
sd_start_agent "source file:$EXPORT" "maxRows $MAX_ROWS" "maxSourceBytes $MAX_BYTES"
ok sd_wait_served "$NSAMPLE" "sample.json: the good export is served ($NSAMPLE rows)"
LOADS=1
LAST_GOOD=$SAMPLE
is "$(scalar smsDistSourceState)" 1 "sample.json: smsDistSourceState is ok(1)"
walk_is "$SAMPLE" "sample.json: served exactly"

# --- refused documents: sample.json stays served --------------------------------------------
for i in "${!CASE_FILE[@]}"; do
    [ "${CASE_KIND[i]}" = document ] || continue
    refused "$HOSTILE/${CASE_FILE[i]}" "${CASE_MSG[i]}"
done

# --- bad rows among good ones, and the files with nothing wrong ------------------------------
for i in "${!CASE_FILE[@]}"; do
    f=$HOSTILE/${CASE_FILE[i]}
    case ${CASE_KIND[i]} in
        document) ;;
        nothing)
            # good.csv holds good.json's rows; objectid-112.json is its own
            serves=$f
            [ "${CASE_FILE[i]}" = good.csv ] && serves=$GOOD
            loaded "$f" 0 "" "$serves"
            ;;
        row*) loaded "$f" 1 "${CASE_MSG[i]}" "$GOOD" ;;
    esac
done

# --- the caps: the rows of the last good load stay ------------------------------------------
size=$(stat -c %s "$T/gen/too-big.json")
is "$size" "$((MAX_BYTES + 1))" "too-big.json is maxSourceBytes + 1 bytes"
refused "$T/gen/too-big.json" "$size bytes, larger than maxSourceBytes ($MAX_BYTES bytes)"
refused "$T/gen/too-many-rows.json" "more than $MAX_ROWS rows (maxRows $MAX_ROWS)"

# --- and the good export again ---------------------------------------------------------------
loaded "$SAMPLE" 0 "" "$SAMPLE"
is "$(scalar smsDistSourceRowsServed)" "$NSAMPLE" "sample.json again: $NSAMPLE rows served"
ok sd_stop_agent TERM "smsdistd stops on SIGTERM after all of it"
is "$SD_STOP_STATUS" 0 "smsdistd exits 0"

done_testing
