#!/bin/bash
# bench/run.sh: smsdistd's speed and memory figures, through a real master
# snmpd on 127.0.0.1 (the test harness starts and stops everything by PID).
#
#   BUILD_DIR=_build bench/run.sh [SIZES...]     (default sizes: 1000 10000 100000)
#
# Prints: full snmpbulkwalk -Cr50 of the table per size, as a subagent and as
# a dlmod inside snmpd (WALKS rounds; in each, every size in turn gets one
# sample of the same number of varbinds, as many back-to-back walks as it
# takes; median walk time and varbinds/s over the rounds; CPU per varbind
# of smsdistd and of snmpd; every walk checked complete; the ratio of the
# two forms is the AgentX hop's cost); reload
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

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }   # utime + stime
TICK_US=$((1000000 / $(getconf CLK_TCK)))

# walk_sample N AGENT_PID: one sample at N rows loaded: REPS full bulk walks
# back to back, REPS = largest size / N, so that every size's sample is the
# same number of varbinds and about the same time (this VM's speed drifts by
# +/-20 % over minutes; samples of equal length taken in turn see the same
# drift). Appends "N reps wall_ms agent_ticks master_ticks complete" to
# $T/walks; every walk is checked complete.
walk_sample() {
    local n=$1 apid=$2 reps=$((SIZES[-1] / $1)) i t0 t1 a0=0 a1=0 m0 m1 got ok=yes
    [ "$reps" -ge 1 ] || reps=1
    [ -n "$apid" ] && a0=$(cpu_ticks "$apid")
    m0=$(cpu_ticks "$SD_MASTER_PID")
    t0=$(ms)
    for i in $(seq "$reps"); do
        snmpbulkwalk -v2c -c public -t 10 -r 1 -On -Cr50 127.0.0.1:"$SD_PORT" "$TABLE" >"$T/walk-$n.$i.txt" 2>&1
    done
    t1=$(ms)
    [ -n "$apid" ] && a1=$(cpu_ticks "$apid")
    m1=$(cpu_ticks "$SD_MASTER_PID")
    for i in $(seq "$reps"); do
        got=$(grep -c "^$TABLE\." "$T/walk-$n.$i.txt")
        [ "$got" -eq $((5 * n)) ] || ok="no($got)"
        [ "$i" -eq 1 ] && mv "$T/walk-$n.$i.txt" "$T/walk-$n.txt" || rm -f "$T/walk-$n.$i.txt"
    done
    echo "$n $reps $((t1 - t0)) $((a1 - a0)) $((m1 - m0)) $ok" >>"$T/walks"
}

# walk_sizes AGENT_PID: WALKS rounds, each loading and sampling every size in
# turn; then per size "n median_walk_ms median_vb_per_s agent_us_per_vb
# master_us_per_vb complete" into $T/walk-summary (CPU: all rounds' total
# over their varbinds)
walk_sizes() {
    local apid=$1 r n
    : >"$T/walks"
    for r in $(seq "$WALKS"); do
        for n in "${SIZES[@]}"; do
            put "$T/data-$n.json"
            SD_AGENT_PID=$apid sd_wait_served "$n" >/dev/null || bail_out "size $n did not load"
            walk_sample "$n" "$apid"
        done
    done
    : >"$T/walk-summary"
    for n in "${SIZES[@]}"; do
        awk -v n="$n" -v tick="$TICK_US" '
            function median(v, k,   i, j, t) {
                for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
                return k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
            }
            $1 == n {
                k++; ms[k] = $3 / $2; vbs[k] = 5 * n * $2 * 1000 / $3
                vb += 5 * n * $2; a += $4; m += $5; if ($6 != "yes") bad = $6
            } END {
                printf "%d %.0f %.0f %.1f %.1f %s\n", n, median(ms, k), median(vbs, k), a * tick / vb, m * tick / vb, bad ? bad : "yes"
            }' "$T/walks" >>"$T/walk-summary"
    done
}

printf '\n== subagent (AgentX): %s rounds\n%-8s %9s %9s %10s %9s %9s %9s %9s %9s %9s\n' "$WALKS" rows walk_s \
    varbinds vb_per_s agent_us master_us complete decode_ms build_ms rss_kB
walk_sizes "$SD_AGENT_PID"
for n in "${SIZES[@]}"; do
    read -r _ wms vbs aus mus complete < <(awk -v n="$n" '$1 == n' "$T/walk-summary")
    read -r _ _ _ _ _ decode _ build _ _ < <("$top_builddir/bench/loadbench" "$T/data-$n.json" 3 | sed -n 3p)
    echo "$n $vbs" >>"$T/agentx-walks"
    printf '%-8s %9.2f %9d %10.0f %9s %9s %9s %9s %9s %9s\n' "$n" "$(echo "$wms / 1000" | bc -l)" \
        $((5 * n)) "$vbs" "$aus" "$mus" "$complete" "$decode" "$build" \
        "$(rss "$SD_AGENT_PID" VmRSS)"
done
echo "  (agent_us, master_us: CPU time of smsdistd and of snmpd per varbind walked)"
big=${SIZES[-1]}
put "$T/data-$big.json"
sd_wait_served "$big" >/dev/null || bail_out "size $big did not load"
cp "$T/walk-$big.txt" "$T/walk.txt"
rssn=$(rss "$SD_AGENT_PID" VmRSS)
hwm=$(rss "$SD_AGENT_PID" VmHWM)

# --- GET latency: idle, then while the source reloads continuously ---------
sed -n "s/^\\($TABLE\\.1\\.7\\.[0-9.]*\\) = .*/\\1/p" "$T/walk.txt" >"$T/get-oids.txt"
idle=$("$top_builddir/bench/getlat" 127.0.0.1:"$SD_PORT" public "$T/get-oids.txt" 1000000 "$LAT_SECONDS")
reloads_before=$(snmp_value "$LOADS")
# The reloader watches smsdistd's log for each load's line rather than asking
# through snmpd: an snmpget process every 50 ms would load the 2 cores more
# than the reloads do (and slow the very GETs being timed).
loaded_lines() { grep -c '^loaded ' "$T/smsdistd.log"; }
(   # alternate two versions of the big export, as fast as they load, at most 120 times / 120 s
    end=$((SECONDS + 120)) i=0 last=$(loaded_lines)
    while [ "$i" -lt 120 ] && [ "$SECONDS" -lt "$end" ] && [ ! -e "$T/stop-reloading" ]; do
        if [ $((i % 2)) -eq 0 ]; then put "$T/flip-$big.json"; else put "$T/data-$big.json"; fi
        i=$((i + 1))
        while [ "$SECONDS" -lt "$end" ] && [ ! -e "$T/stop-reloading" ]; do
            now=$(loaded_lines)
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
printf '\n== dlmod inside snmpd: %s rounds\n%-8s %9s %10s %9s %14s %9s\n' "$WALKS" rows walk_s vb_per_s \
    snmpd_us agentx_vs_dlmod complete
walk_sizes ""
for n in "${SIZES[@]}"; do
    read -r _ wms vbs _ mus complete < <(awk -v n="$n" '$1 == n' "$T/walk-summary")
    ax=$(awk -v n="$n" '$1 == n { print $2 }' "$T/agentx-walks")
    printf '%-8s %9.2f %10.0f %9s %13.1fx %9s\n' "$n" "$(echo "$wms / 1000" | bc -l)" \
        "$vbs" "$mus" "$(echo "$vbs / $ax" | bc -l)" "$complete"
done
done_testing >/dev/null
