#!/bin/bash
# bench/run.sh: smsdistd's speed and memory figures, through a real master
# snmpd on 127.0.0.1 (the test harness starts and stops everything by PID).
#
#   BUILD_DIR=_build bench/run.sh [SIZES...]     (default sizes: 1000 10000 100000)
#
# Prints: full snmpbulkwalk -Cr50 of the table per size, as a subagent and as
# a dlmod inside snmpd (median wall time of WALKS runs, varbinds/s, walk
# checked complete; the ratio of the two is the AgentX hop's cost); reload
# time per size (fetch, decode, build: bench/loadbench, the loader's own
# code); GET latency p50/p99 idle and while the source reloads continuously
# (in-process client bench/getlat, LAT_SECONDS each); start-up to first
# answer; peak and steady RSS, bytes per row. Not part of `make check`:
# figures, not assertions. Every loop is bounded in count and time.

set -u
top=$(cd "$(dirname "$0")/.." && pwd)
export top_srcdir=$top
export top_builddir=${BUILD_DIR:-$top/_build}
export SD_WAIT=${SD_WAIT:-120}
WALKS=${WALKS:-3}
LAT_SECONDS=${LAT_SECONDS:-15}
SIZES=("$@")
[ "${#SIZES[@]}" -gt 0 ] || SIZES=(1000 10000 100000)

. "$top/tests/integration/lib.sh"
make -C "$top_builddir" bench/getlat bench/loadbench src/smsdist.la >/dev/null ||
    bail_out "cannot build bench/getlat, bench/loadbench and the dlmod"
DLMOD=$top_builddir/src/.libs/smsdist.so
sd_setup
D=$T/export
mkdir -p "$D"
FILE=$D/distribution.json
TABLE=$(sd_oid smsDistStatusTable)
LOADS=$(sd_oid smsDistSourceLoads).0

rss() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }   # kB
ms() { date +%s%3N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
put() { cp "$1" "$D/.tmp" && mv "$D/.tmp" "$FILE"; }

echo "# machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr), net-snmp $(net-snmp-config --version)"
echo "# generating data"
for n in "${SIZES[@]}"; do
    "$PYTHON3" "$top/bench/gen.py" --rows "$n" --seed 1 --out "$T/data-$n.json"
    "$PYTHON3" "$top/bench/gen.py" --rows "$n" --seed 1 --flip 0.05 --out "$T/flip-$n.json"
done
printf '{"value": []}' >"$T/empty.json"

sd_start_master
put "$T/empty.json"
sd_start_agent "source file:$FILE" "pollInterval 1" "notifyRateLimit 20 60"
sd_wait_served 0 || bail_out "smsdistd did not start"
sd_poll sd_log_has "$T/smsdistd.log" '^loaded 0 rows' || bail_out "no first load"
rss0=$(rss "$SD_AGENT_PID" VmRSS)

# walk_table N: WALKS bulk walks; sets WMS (median milliseconds) and COMPLETE
walk_table() {
    local n=$1 i t0 t1 got
    : >"$T/walktimes"
    COMPLETE=yes
    for i in $(seq "$WALKS"); do
        t0=$(ms)
        snmpbulkwalk -v2c -c public -t 10 -r 1 -On -Cr50 127.0.0.1:"$SD_PORT" "$TABLE" >"$T/walk.txt" 2>&1
        t1=$(ms)
        echo $((t1 - t0)) >>"$T/walktimes"
        got=$(grep -c "^$TABLE\." "$T/walk.txt")
        [ "$got" -eq $((5 * n)) ] || COMPLETE="no($got)"
    done
    WMS=$(median <"$T/walktimes")
}

printf '\n== subagent (AgentX)\n%-8s %10s %10s %12s %9s %9s %9s %9s %9s\n' rows walk_s varbinds vb_per_s \
    complete fetch_ms decode_ms build_ms rss_kB
for n in "${SIZES[@]}"; do
    put "$T/data-$n.json"
    sd_wait_served "$n" || bail_out "size $n did not load"
    read -r _ _ _ fetch _ decode _ build _ _ < <("$top_builddir/bench/loadbench" "$T/data-$n.json" 3 | sed -n 3p)
    walk_table "$n"
    wms=$WMS
    echo "$n $wms" >>"$T/agentx-walks"
    printf '%-8s %10.2f %10d %12.0f %9s %9s %9s %9s %9s\n' "$n" "$(echo "$wms / 1000" | bc -l)" \
        $((5 * n)) "$(echo "5 * $n * 1000 / $wms" | bc -l)" "$COMPLETE" "$fetch" "$decode" "$build" \
        "$(rss "$SD_AGENT_PID" VmRSS)"
done
big=${SIZES[-1]}
rssn=$(rss "$SD_AGENT_PID" VmRSS)
hwm=$(rss "$SD_AGENT_PID" VmHWM)

# --- GET latency: idle, then while the source reloads continuously ---------
sed -n "s/^\\($TABLE\\.1\\.7\\.[0-9.]*\\) = .*/\\1/p" "$T/walk.txt" >"$T/get-oids.txt"
idle=$("$top_builddir/bench/getlat" 127.0.0.1:"$SD_PORT" public "$T/get-oids.txt" 1000000 "$LAT_SECONDS")
reloads_before=$(snmp_value "$LOADS")
(   # alternate two versions of the big export, as fast as they load, at most 120 times / 120 s
    end=$((SECONDS + 120)) i=0 last=$(snmp_value "$LOADS")
    while [ "$i" -lt 120 ] && [ "$SECONDS" -lt "$end" ] && [ ! -e "$T/stop-reloading" ]; do
        if [ $((i % 2)) -eq 0 ]; then put "$T/flip-$big.json"; else put "$T/data-$big.json"; fi
        i=$((i + 1))
        while [ "$SECONDS" -lt "$end" ] && [ ! -e "$T/stop-reloading" ]; do
            now=$(snmp_value "$LOADS" 2>/dev/null)
            [ -n "$now" ] && [ "$now" != "$last" ] && { last=$now; break; }
            sleep 0.05
        done
    done
) &
reloader=$!
SD_PIDS+=("$reloader")
busy=$("$top_builddir/bench/getlat" 127.0.0.1:"$SD_PORT" public "$T/get-oids.txt" 1000000 "$LAT_SECONDS")
touch "$T/stop-reloading"
sd_stop "$reloader"
reloads=$(( $(snmp_value "$LOADS") - reloads_before ))
timeouts=$(grep -c -i 'timeout\|timed out' "$T/snmpd.log")

echo
echo "GET latency, $big rows (in-process client, one varbind per GET):"
echo "  idle:                     $idle"
echo "  during $reloads reloads:      $busy"
echo "  AgentX timeouts logged by the master: $timeouts"
grep '^loaded .* in [0-9.]* s$' "$T/smsdistd.log" | tail -n "$((reloads > 0 ? reloads : 1))" |
    sed -E 's/.* in ([0-9.]+) s$/\1/' |
    awk '{ s += $1; if ($1 > m) m = $1; n++ } END { if (n) printf "  reload inside smsdistd (fetch+decode+build), last %d: mean %.3f s, max %.3f s\n", n, s / n, m }'

# --- start-up to first answer, big file -------------------------------------
put "$T/data-$big.json"
sd_wait_served "$big" >/dev/null
sd_stop_agent
t0=$(ms)
"$SD_AGENT_BIN" -f -C -c "$T/smsdistd.conf" -x "$T/agentx.sock" -Lf "$T/smsdistd2.log" &
SD_AGENT_PID=$!
SD_PIDS+=("$SD_AGENT_PID")
sd_poll snmp_get "$(sd_oid smsDistSourceState).0" >/dev/null
t1=$(ms)
sd_poll sd_served_is "$big"
t2=$(ms)
echo
echo "start-up: first answer through the master after $((t1 - t0)) ms; all $big rows served after $((t2 - t0)) ms"
echo "memory: RSS $rss0 kB empty, $rssn kB at $big rows, peak (VmHWM) $hwm kB; $(( (rssn - rss0) * 1024 / big )) bytes per row"

# --- the same module as a dlmod inside snmpd: the AgentX hop's cost ---------
sd_stop_agent
sd_stop "$SD_MASTER_PID"
SD_MASTER_EXTRA="dlmod smsdist $DLMOD
source file:$FILE
pollInterval 1"
sd_start_master
printf '\n== dlmod inside snmpd\n%-8s %10s %12s %14s\n' rows walk_s vb_per_s agentx_vs_dlmod
for n in "${SIZES[@]}"; do
    put "$T/data-$n.json"
    SD_AGENT_PID= sd_wait_served "$n" || bail_out "dlmod: size $n did not load"
    walk_table "$n"
    wms=$WMS
    ax=$(awk -v n="$n" '$1 == n { print $2 }' "$T/agentx-walks")
    printf '%-8s %10.2f %12.0f %13.1fx  complete=%s\n' "$n" "$(echo "$wms / 1000" | bc -l)" \
        "$(echo "5 * $n * 1000 / $wms" | bc -l)" "$(echo "$ax / $wms" | bc -l)" "$COMPLETE"
done
done_testing >/dev/null
