#!/bin/bash
# bench/tables.sh: the per-DP tables at site scale, through a real master
# snmpd on 127.0.0.1 (the test harness starts and stops everything by PID).
#
#   BUILD_DIR=_build bench/tables.sh [CONTENT_ROWS...]   (default 10000 100000 1000000)
#
# For each size, a combined export (bench/gen.py --combined --content-rows N:
# all three classes, consistent) is the source of all three tables. Prints:
# the load of the whole file (fetch once, the three decodes side by side,
# builds: bench/loadbench ... all, the loader's own code) and of the
# content table alone from the same file; the time smsdistd took from a
# changed file to serving it, with 1 % of the content rows flipped between
# INSTALLED and INSTALL_FAILED (the diff that finds them is part of it) and
# the notifications that raised; RSS per content row (agent with the
# table, minus the same agent with an empty contentSource); and the CPU of
# smsdistd and snmpd per varbind walking one column of smsDistContentDPTable
# and one of smsDistStatusTable (snmpbulkwalk -Cr50), to compare the two.
# Not part of `make check`: figures, not assertions. Every loop is bounded.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
export top_srcdir=$top
export top_builddir=${BUILD_DIR:-$top/_build}
export SD_WAIT=${SD_WAIT:-300}
SIZES=("$@")
[ "${#SIZES[@]}" -gt 0 ] || SIZES=(10000 100000 1000000)
. "$top/tests/integration/lib.sh"
make -C "$top_builddir" bench/loadbench >/dev/null || bail_out "cannot build bench/loadbench"
sd_setup

rss() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }   # kB
# settled_rss PID: VmRSS once it has held still for three samples 0.5 s
# apart (the loader frees a load's buffers and trims after the swap), at
# most 30 samples
settled_rss() {
    local a b c i
    a=$(rss "$1" VmRSS); b=-1; c=-2
    for i in $(seq 30); do
        [ "$a" = "$b" ] && [ "$b" = "$c" ] && break
        sleep 0.5
        c=$b; b=$a; a=$(rss "$1" VmRSS)
    done
    echo "$a"
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }           # utime + stime
TICK_US=$((1000000 / $(getconf CLK_TCK)))
ms() { date +%s%3N; }
put() { cp "$1" "$T/.tmp" && mv "$T/.tmp" "$T/export.json"; }
served3() { [ "$(snmp_value "$(sd_oid smsDistLoadRowsServed).3")" = "$1" ]; }
content_state() { snmp_value "$(sd_oid smsDistContentDPState).$1"; }

# walk_cpu OID MIN: "varbinds agent_us_per_vb master_us_per_vb" of bulk walks
# of OID, back to back until MIN varbinds were walked (at most 1000 walks)
walk_cpu() {
    local a0 m0 a1 m1 n=0 i got
    a0=$(cpu_ticks "$SD_AGENT_PID"); m0=$(cpu_ticks "$SD_MASTER_PID")
    for i in $(seq 1000); do
        snmpbulkwalk -v2c -c public -t 30 -r 1 -On -Cr50 127.0.0.1:"$SD_PORT" "$1" >"$T/walk.txt" 2>&1
        got=$(grep -c "^$1\." "$T/walk.txt")
        n=$((n + got))
        [ "$got" -gt 0 ] && [ "$n" -lt "$2" ] || break
    done
    a1=$(cpu_ticks "$SD_AGENT_PID"); m1=$(cpu_ticks "$SD_MASTER_PID")
    awk -v n="$n" -v a=$((a1 - a0)) -v m=$((m1 - m0)) -v t="$TICK_US" \
        'BEGIN { printf "%d %.2f %.2f", n, n ? a * t / n : 0, n ? m * t / n : 0 }'
}

echo "# machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), net-snmp $(net-snmp-config --version)"
printf '[]' >"$T/empty.json"
sd_start_master
printf '\n%-9s %8s %9s %9s %9s %10s %9s %10s %8s %8s %10s %10s\n' content_rows file_MB \
    load_all_s content_s kept_B_row rss_B_row reload_s notif_sent agent_us master_us \
    status_agent_us status_master_us
for n in "${SIZES[@]}"; do
    "$PYTHON3" "$top/bench/gen.py" --combined --content-rows "$n" --seed 1 --out "$T/data.json" ||
        bail_out "gen.py failed for $n"
    "$PYTHON3" "$top/bench/gen.py" --combined --content-rows "$n" --seed 1 --flip 0.01 \
        --out "$T/flip.json" || bail_out "gen.py --flip failed for $n"
    mb=$(awk -v b="$(stat -c %s "$T/data.json")" 'BEGIN { printf "%.0f", b / 1048576 }')
    # the loader's own code, in-process: all three tables, then the content table alone
    all=$("$top_builddir/bench/loadbench" "$T/data.json" 1 all | awk '/^rows/ { print $10 / 1000 }')
    read -r content kept < <("$top_builddir/bench/loadbench" "$T/data.json" 1 content |
        awk '/^rows/ { print ($6 + $8) / 1000, $12 }')

    # RSS per row: the agent with the content table, less the agent without it
    put "$T/data.json"
    common=("source file:$T/export.json" "maxRows 5000000" "maxSourceBytes 2147483648"
            "loadTimeout 900" "notifyAtStart no" "notifyRateLimit 100000 60"
            "notifyQueueSize 100000")
    sd_start_agent "${common[@]}" "contentSource file:$T/empty.json"
    SD_WATCH_PID=$SD_AGENT_PID sd_poll sd_log_has "$T/smsdistd.log" 'smsDistDPTable: loaded' ||
        bail_out "$n: no first load without the content table"
    sd_poll sd_log_has "$T/smsdistd.log" 'smsDistContentDPTable: loaded 0 rows' ||
        bail_out "$n: no empty content load"
    rss_without=$(settled_rss "$SD_AGENT_PID")
    sd_stop_agent
    sd_start_agent "${common[@]}"
    SD_WATCH_PID=$SD_AGENT_PID sd_poll served3 "$n" || bail_out "$n content rows were not served"
    rss_with=$(settled_rss "$SD_AGENT_PID")
    per_row=$(( (rss_with - rss_without) * 1024 / n ))

    # a changed file (1 % flipped): from the rename to the new rows served
    first=$(grep -m1 "^$(sd_oid smsDistContentDPState)\." <(snmpbulkwalk -v2c -c public -On \
        -Cr5 -Cc 127.0.0.1:"$SD_PORT" "$(sd_oid smsDistContentDPState)" 2>/dev/null | head -1) |
        sed "s/^$(sd_oid smsDistContentDPState)\\.\\([0-9.]*\\) = .*/\\1/")
    sent0=$(snmp_value "$(sd_oid smsDistNotifySent).0")
    limited0=$(snmp_value "$(sd_oid smsDistNotifyRateLimited).0")
    loads0=$(snmp_value "$(sd_oid smsDistLoadCount).3")
    t0=$(ms)
    put "$T/flip.json"
    loads_moved() { [ "$(snmp_value "$(sd_oid smsDistLoadCount).3")" != "$loads0" ]; }
    SD_WATCH_PID=$SD_AGENT_PID sd_poll loads_moved || bail_out "$n: the flipped file was not loaded"
    t1=$(ms)
    drained() { [ "$(snmp_value "$(sd_oid smsDistNotifyQueued).0")" = 0 ]; }
    SD_WATCH_PID=$SD_AGENT_PID sd_poll drained || bail_out "$n: the notifications never left"
    t2=$(ms)
    sent=$(( $(snmp_value "$(sd_oid smsDistNotifySent).0") - sent0 +
             $(snmp_value "$(sd_oid smsDistNotifyRateLimited).0") - limited0 ))
    reload=$(awk -v d=$((t1 - t0)) 'BEGIN { printf "%.2f", d / 1000 }')
    drain=$(awk -v d=$((t2 - t1)) 'BEGIN { printf "%.2f", d / 1000 }')

    read -r vb aus mus < <(walk_cpu "$(sd_oid smsDistContentDPState)" "$((n > 100000 ? n : 100000))")
    [ $((vb % n)) -eq 0 ] || bail_out "$n: the content walks gave $vb varbinds"
    read -r svb saus smus < <(walk_cpu "$(sd_oid smsDistStatusType)" "$vb")
    printf '%-9s %8s %9s %9s %9s %10s %9s %10s %8s %8s %10s %10s\n' "$n" "$mb" "$all" "$content" \
        "$kept" "$per_row" "$reload" "$sent" "$aus" "$mus" "$saus" "$smus"
    echo "  (walked $vb content and $svb status varbinds; the $sent notifications left in $drain s more; first content index $first: State $(content_state "$first"))"
    sd_stop_agent
done
cat <<'EOF'
  load_all_s: fetch + the three decodes + builds of the combined file (loadbench all);
  content_s: decode + build of the content table alone; kept_B_row: its records and
  strings per row; rss_B_row: the agent's resident memory per content row;
  reload_s: a file with 1 % of the content rows flipped, from the rename to the new
  data served (watch settle delay, fetch, decodes, diff, swap); notif_sent: the
  notifications that reload raised (sent + rate-limited); agent_us/master_us: CPU
  per varbind walking smsDistContentDPState; status_*: the same for smsDistStatusType.
EOF
done_testing >/dev/null
