#!/bin/bash
# bench/profile.sh: where smsdistd spends its CPU during a walk. Runs it
# under callgrind (instruction counts: repeatable, whatever else the machine
# does) behind a real master on 127.0.0.1, zeroes the counters once the
# data is loaded, walks the table, and reports the share of instructions
# spent in smsdistd's own code (functions in src/) against net-snmp, libc
# and the rest.   BUILD_DIR=_build bench/profile.sh [ROWS]   (default 2000)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
export top_srcdir=$top
export top_builddir=${BUILD_DIR:-$top/_build}
export SD_WAIT=${SD_WAIT:-120}
ROWS=${1:-2000}
. "$top/tests/integration/lib.sh"
command -v valgrind >/dev/null || skip_all "valgrind not installed"
sd_setup
mkdir -p "$T/export"
"$PYTHON3" "$top/bench/gen.py" --rows "$ROWS" --seed 1 --out "$T/export/d.json"
SD_MASTER_EXTRA="agentXTimeout 30"
sd_start_master
printf '%s\n' "source file:$T/export/d.json" >"$T/smsdistd.conf"
SD_LOGS+=("$T/smsdistd.log")
valgrind --tool=callgrind --callgrind-out-file="$T/cg.%p" "$SD_AGENT_BIN" -f -C \
    -c "$T/smsdistd.conf" -x "$T/agentx.sock" -Lf "$T/smsdistd.log" 2>"$T/valgrind.txt" &
SD_AGENT_PID=$!
SD_PIDS+=("$SD_AGENT_PID")
sd_wait_served "$ROWS" || bail_out "smsdistd under callgrind did not load"
callgrind_control -z "$SD_AGENT_PID" >/dev/null
t0=$(date +%s%3N)
snmpbulkwalk -v2c -c public -t 30 -r 0 -On -Cr50 127.0.0.1:"$SD_PORT" "$(sd_oid smsDistStatusTable)" >"$T/walk.txt"
t1=$(date +%s%3N)
callgrind_control -d "$SD_AGENT_PID" >/dev/null
vb=$(wc -l <"$T/walk.txt")
sd_stop_agent
dump=$T/cg.$SD_AGENT_PID.1          # the dump taken right after the walk
[ -f "$dump" ] || bail_out "no callgrind dump $dump"
callgrind_annotate --auto=no --threshold=100 "$dump" >"$T/annotate.txt" 2>/dev/null
total=$(awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }' "$T/annotate.txt")
echo "walk of $ROWS rows: $vb varbinds in $((t1 - t0)) ms under callgrind; $total instructions in smsdistd"
# Functions still on the stack at the dump (main, the event loop) carry
# their callees' cost, so only leaf-ish shares add up: report smsdistd's
# own functions (never on the stack at the dump) against the total, and
# the top of the list for context.
own=$(awk '/ src\/[a-z_]+\.c:/ { n = $1; gsub(",", "", n); s += n } END { print s + 0 }' "$T/annotate.txt")
printf '  smsdistd'"'"'s own code (src/): %s instructions, %.2f %% of the total\n' "$own" \
    "$(echo "100 * $own / $total" | bc -l)"
echo "  the most expensive functions overall (exclusive, callers on the stack excluded):"
grep -E '^ *[0-9,]+ \( *[0-9.]+%\)' "$T/annotate.txt" | grep -v -E 'PROGRAM TOTALS|\(below main\)|libc-start|libc_start_call|ld-linux|smsdistd.c:main|snmp_api.c:snmp_read|agent_check_and_process' |
    head -8 | sed 's/^/    /'
echo "  top functions of smsdistd's own code:"
grep -E ' src/[a-z_]+\.c:' "$T/annotate.txt" | head -8 | sed 's/^/    /'
cp "$T/annotate.txt" "${PROFILE_KEEP:-/dev/null}" 2>/dev/null
done_testing >/dev/null
