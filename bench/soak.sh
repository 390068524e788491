#!/bin/bash
# bench/soak.sh: smsdistd under a long, steady load, through a real master
# snmpd on 127.0.0.1 (the test harness starts and stops everything by PID).
#
#   BUILD_DIR=_build bench/soak.sh          (SOAK_SECONDS=300 for a short run)
#
# For SOAK_SECONDS (default 3600): snmpbulkwalks of the whole table, one
# after the other, each checked against the oracle (every column of every
# row; Type may be either file's, since the data changes under the walk),
# while the source is replaced every second, alternating two generated
# exports of SOAK_ROWS rows (default 100,000; the second made with
# `gen.py --flip 0.05`). Reports RSS after the first load and at the end
# (and every minute), its growth, the walks done and the failed or
# incomplete ones (must be 0), the reloads, and smsdistd's notification
# counters. Exit status 0 only when no walk failed, no load failed and
# smsdistd ran to the end. Not part of `make check`. Every loop is bounded
# in count and time.

set -u
top=$(cd "$(dirname "$0")/.." && pwd)
export top_srcdir=$top
export top_builddir=${BUILD_DIR:-$top/_build}
export SD_WAIT=${SD_WAIT:-120}
SOAK_SECONDS=${SOAK_SECONDS:-3600}
SOAK_ROWS=${SOAK_ROWS:-100000}
WALK_TIMEOUT=${WALK_TIMEOUT:-900}     # one walk at most (s)
case "$SOAK_SECONDS$SOAK_ROWS$WALK_TIMEOUT" in *[!0-9]*) echo "soak.sh: numbers only" >&2; exit 2 ;; esac

. "$top/tests/integration/lib.sh"
sd_setup
D=$T/export
mkdir -p "$D"
FILE=$D/distribution.json
TABLE=$(sd_oid smsDistStatusTable)
oid_of() { printf '%s.0' "$(sd_oid "$1")"; }
LOADS=$(oid_of smsDistSourceLoads)
FAILURES=$(oid_of smsDistSourceLoadFailures)

rss() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }   # kB
put() { cp "$1" "$D/.tmp" && mv "$D/.tmp" "$FILE"; }
now() { date +%s; }

echo "# machine: $(nproc) cores, $(uname -sr), net-snmp $(net-snmp-config --version)"
echo "# soak: ${SOAK_SECONDS} s, ${SOAK_ROWS} rows, a reload every second"
"$PYTHON3" "$top/bench/gen.py" --rows "$SOAK_ROWS" --seed 1 --out "$T/a.json" || bail_out "gen.py failed"
"$PYTHON3" "$top/bench/gen.py" --rows "$SOAK_ROWS" --seed 1 --flip 0.05 --out "$T/b.json" || bail_out "gen.py failed"

# The verifier: columns 3-6 exactly the oracle's (the same in both files),
# column 7 (Type) either file's value, every row, in OID order, nothing else.
cat >"$T/verify.py" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import check_walk as cw
a, b = cw.Table(sys.argv[2]), cw.Table(sys.argv[3])
table_oid = cw.parse_oid(sys.argv[4])
assert [r["index"] for r in a.rows] == [r["index"] for r in b.rows], "the two exports differ in rows"
got = cw.parse_walk(open(sys.argv[5]).read())
bad = cw.compare(a, table_oid, [g for g in got if g[0][len(table_oid) + 1] != 7], columns=[3, 4, 5, 6])
types = {table_oid + (1, 7) + ra["index"]: (ra["Type"], rb["Type"]) for ra, rb in zip(a.rows, b.rows)}
seen = 0
for oid, typ, val, raw in got:
    if oid[len(table_oid) + 1] != 7:
        continue
    seen += 1
    if oid not in types or typ != "INTEGER" or val not in types[oid]:
        bad += 1
        if bad < 20:
            print("column 7: unexpected %s" % raw)
if seen != len(types):
    bad += 1
    print("column 7: %d varbinds, want %d" % (seen, len(types)))
print("varbinds %d, mismatches %d" % (len(got), bad))
sys.exit(1 if bad else 0)
PY

sd_start_master
put "$T/a.json"
sd_start_agent "source file:$FILE" "pollInterval 1"
sd_wait_served "$SOAK_ROWS" || bail_out "smsdistd did not serve the $SOAK_ROWS rows"
rss_start=$(rss "$SD_AGENT_PID" VmRSS)
loads0=$(snmp_value "$LOADS")
echo "# first load done: RSS ${rss_start} kB"

start=$(now)
end=$((start + SOAK_SECONDS))
: >"$T/rss.txt"

# --- the reloader: a new file every second; RSS sampled every 0.2 s, and
# each minute's lowest and highest written down (the lowest is what stays
# between reloads: a leak shows there) -----------------------------------------
(
    i=0 next=$(now) lo= hi=0
    while [ "$i" -le $((SOAK_SECONDS + 1)) ] && [ "$(now)" -lt "$end" ] && [ ! -e "$T/stop" ]; do
        if [ $((i % 2)) -eq 0 ]; then put "$T/b.json"; else put "$T/a.json"; fi
        i=$((i + 1))
        next=$((next + 1))
        while [ "$(now)" -lt "$next" ] && [ ! -e "$T/stop" ]; do
            r=$(rss "$SD_AGENT_PID" VmRSS)
            [ -n "$r" ] && { [ -z "$lo" ] || [ "$r" -lt "$lo" ]; } && lo=$r
            [ -n "$r" ] && [ "$r" -gt "$hi" ] && hi=$r
            sleep 0.2
        done
        if [ $((i % 60)) -eq 0 ]; then
            echo "$(($(now) - start)) ${lo:-0} $hi" >>"$T/rss.txt"
            lo= hi=0
        fi
    done
    echo "$i" >"$T/reloads"
) &
reloader=$!
SD_PIDS+=("$reloader")

# --- the walker: one full snmpbulkwalk after the other -------------------------
walks=0 failed=0
: >"$T/walktimes"
while [ "$(now)" -lt "$end" ] && [ "$walks" -lt 100000 ]; do
    sd_alive "$SD_AGENT_PID" || { echo "# smsdistd died"; failed=$((failed + 1)); break; }
    t0=$(date +%s%3N)
    timeout "$WALK_TIMEOUT" snmpbulkwalk -v2c -c public -t 10 -r 1 -On -Oe -Cr50 \
        127.0.0.1:"$SD_PORT" "$TABLE" >"$T/walk.txt" 2>"$T/walk.err"
    rc=$?
    t1=$(date +%s%3N)
    walks=$((walks + 1))
    if [ "$rc" -eq 0 ] && [ ! -s "$T/walk.err" ] &&
       "$PYTHON3" "$T/verify.py" "$top/tests/integration" "$T/a.json" "$T/b.json" "$TABLE" \
           "$T/walk.txt" >"$T/verify.out" 2>&1; then
        echo "$((t1 - t0))" >>"$T/walktimes"
    else
        failed=$((failed + 1))
        echo "# walk $walks failed (exit $rc after $((t1 - t0)) ms):"
        sed 's/^/#   /' "$T/walk.err" "$T/verify.out" | head -n 30
    fi
done

touch "$T/stop"
reloader_done() { ! sd_alive "$reloader"; }
sd_poll reloader_done || echo "# the reloader did not stop within ${SD_WAIT}s"
sd_stop "$reloader"
elapsed=$(($(now) - start))
# the last load done: the load counter still for 3 s
LAST_LOADS=-1 STILL=0
loads_settled() {
    local v
    v=$(snmp_value "$LOADS" 2>/dev/null) || return 1
    if [ "$v" = "$LAST_LOADS" ]; then STILL=$((STILL + 1)); else STILL=0; LAST_LOADS=$v; fi
    [ "$STILL" -ge 30 ]
}
sd_poll loads_settled || echo "# smsdistd was still loading after ${SD_WAIT}s"
alive=yes
sd_alive "$SD_AGENT_PID" || alive=no
rss_end=$(rss "$SD_AGENT_PID" VmRSS)
hwm=$(rss "$SD_AGENT_PID" VmHWM)
reloads=$(cat "$T/reloads" 2>/dev/null || echo 0)
loads=$(( $(snmp_value "$LOADS") - loads0 ))
load_failures=$(snmp_value "$FAILURES")
counters=""
for c in smsDistNotifySent smsDistNotifyRateLimited smsDistNotifyDropped smsDistNotifyQueued; do
    counters+=" ${c#smsDistNotify}=$(snmp_value "$(oid_of "$c")")"
done
timeouts=$(grep -c -i 'timeout\|timed out' "$T/snmpd.log")

echo
echo "soak: ${elapsed} s, ${SOAK_ROWS} rows"
echo "  walks:            $walks, failed or incomplete: $failed" \
     "(full snmpbulkwalk -Cr50, $((5 * SOAK_ROWS)) varbinds each;" \
     "$(sort -n "$T/walktimes" | awk '{ v[NR] = $1 } END { if (NR) printf "median %.1f s, max %.1f s", v[int((NR + 1) / 2)] / 1000, v[NR] / 1000; else printf "none complete" }'))"
echo "  reloads:          $reloads files put in place, $loads loads by smsdistd, $load_failures load failures"
echo "  RSS:              ${rss_start} kB after the first load, ${rss_end:-?} kB at the end" \
     "once the last load is done ($(awk -v a="$rss_start" -v b="${rss_end:-0}" 'BEGIN { printf "%+.1f%%", (b - a) * 100 / a }')); peak (VmHWM) ${hwm:-?} kB"
echo "  RSS each minute:  $(awk '{ printf "%s%ds %d-%d kB", sep, $1, $2, $3; sep = ", " }' "$T/rss.txt") (lowest-highest)"
echo "  notifications:   $counters"
echo "  AgentX timeouts logged by the master: $timeouts; smsdistd still running: $alive"
[ "$failed" -eq 0 ] && [ "$load_failures" = 0 ] && [ "$alive" = yes ] && [ "$walks" -gt 0 ]
status=$?
ok sd_stop_agent TERM "smsdistd stops on SIGTERM" >/dev/null
done_testing >/dev/null
exit "$status"
