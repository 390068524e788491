#!/bin/bash
# bench/profile.sh: where smsdistd spends its CPU during a walk, and whether
# its cost per request grows with the table. Runs smsdistd under callgrind
# (instruction counts: repeatable, whatever else the machine does) behind a
# real master on 127.0.0.1; for each size, loads it, zeroes the counters,
# walks, dumps, and reports instructions per varbind and the share spent in
# smsdistd's own code (functions in src/) against net-snmp, libc and the
# rest.       BUILD_DIR=_build bench/profile.sh [ROWS...]   (default 1000 100000)
# A size of up to 4,000 rows is walked whole (5 columns); a larger one by
# its smsDistStatusType column alone (one varbind per row, the same code
# path), which keeps the run to a minute or two under callgrind.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
export top_srcdir=$top
export top_builddir=${BUILD_DIR:-$top/_build}
export SD_WAIT=${SD_WAIT:-300}
SIZES=("$@")
[ "${#SIZES[@]}" -gt 0 ] || SIZES=(1000 100000)
. "$top/tests/integration/lib.sh"
command -v valgrind >/dev/null || skip_all "valgrind not installed"
sd_setup
mkdir -p "$T/export"
FILE=$T/export/d.json
for n in "${SIZES[@]}"; do
    "$PYTHON3" "$top/bench/gen.py" --rows "$n" --seed 1 --out "$T/data-$n.json"
done
SD_MASTER_EXTRA="agentXTimeout 30"
sd_start_master
cp "$T/data-${SIZES[0]}.json" "$FILE"
printf '%s\n' "source file:$FILE" "pollInterval 1" >"$T/smsdistd.conf"
SD_LOGS+=("$T/smsdistd.log")
valgrind --tool=callgrind --callgrind-out-file="$T/cg.%p" "$SD_AGENT_BIN" -f -C \
    -c "$T/smsdistd.conf" -x "$T/agentx.sock" -Lf "$T/smsdistd.log" 2>"$T/valgrind.txt" &
SD_AGENT_PID=$!
SD_PIDS+=("$SD_AGENT_PID")

dumps=0
for n in "${SIZES[@]}"; do
    cp "$T/data-$n.json" "$T/export/.tmp" && mv "$T/export/.tmp" "$FILE"
    sd_wait_served "$n" || bail_out "smsdistd under callgrind did not load $n rows"
    if [ "$n" -le 4000 ]; then what=smsDistStatusTable; else what=smsDistStatusType; fi
    callgrind_control -z "$SD_AGENT_PID" >/dev/null
    t0=$(date +%s%3N)
    snmpbulkwalk -v2c -c public -t 30 -r 0 -On -Cr50 127.0.0.1:"$SD_PORT" "$(sd_oid "$what")" >"$T/walk.txt"
    t1=$(date +%s%3N)
    callgrind_control -d "$SD_AGENT_PID" >/dev/null
    dumps=$((dumps + 1))
    vb=$(wc -l <"$T/walk.txt")
    dump=$T/cg.$SD_AGENT_PID.$dumps        # the dump taken right after this walk
    sd_poll test -s "$dump" || bail_out "no callgrind dump $dump"
    callgrind_annotate --auto=no --threshold=100 "$dump" >"$T/annotate-$n.txt" 2>/dev/null
    total=$(awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }' "$T/annotate-$n.txt")
    # Functions still on the stack at the dump (main, the event loop) carry
    # their callees' cost, so only leaf-ish shares add up: count smsdistd's
    # own functions (never on the stack at the dump) against the total.
    own=$(awk '/[ \/]src\/[a-z_]+\.c:/ { n = $1; gsub(",", "", n); s += n } END { print s + 0 }' "$T/annotate-$n.txt")
    printf '%7d rows, walk of %s: %d varbinds in %d ms under callgrind; %d instructions per varbind in smsdistd, of them %d in its own code (%.2f %%)\n' \
        "$n" "$what" "$vb" $((t1 - t0)) $((total / vb)) $((own / vb)) "$(echo "100 * $own / $total" | bc -l)"
done
sd_stop_agent

last=$T/annotate-${SIZES[-1]}.txt
echo "the most expensive functions at ${SIZES[-1]} rows (exclusive; callers on the stack excluded):"
grep -E '^ *[0-9,]+ \( *[0-9.]+%\)' "$last" | grep -v -E 'PROGRAM TOTALS|\(below main\)|libc-start|libc_start_call|ld-linux|smsdistd.c:main|snmp_api.c:snmp_read|agent_check_and_process' |
    head -8 | sed 's/^/    /'
echo "top functions of smsdistd's own code:"
grep -E '[ /]src/[a-z_]+\.c:' "$last" | head -8 | sed 's/^/    /'
cp "$last" "${PROFILE_KEEP:-/dev/null}" 2>/dev/null
done_testing >/dev/null
