#!/bin/bash
# bench/zabbix-scale.sh: the Zabbix template at site scale, in a REAL,
# unmodified Zabbix server (tests/contrib/zabbix-runtime.sh), polling a live
# smsdistd behind a private master snmpd, with its notifications through
# snmptrapd and contrib/zabbix/smsdistd-zabbix-traphandle, as README's
# "Zabbix" section sets it up. All on 127.0.0.1, on free ports; all state in
# a temp dir; every process started here is stopped by its PID on every exit
# (lib.sh's teardown and SD_AT_TEARDOWN, which holds zbx_rt_stop). Root only.
# Not part of `make check`: figures, not assertions. Every loop is bounded in
# count and time.
#
#   top_srcdir=$PWD top_builddir=$PWD/_build bash bench/zabbix-scale.sh
#   SD_ZABBIX_VERSION=7.0 top_srcdir=... top_builddir=... bash bench/zabbix-scale.sh
#
# Environment:
#   SD_ZABBIX_VERSION  6.0 (default: Debian 12's packages on this machine) or
#                      7.0 (Debian 13's, in the harness's cached chroot)
#   SD_ZABBIX_TEMPLATE the template (default contrib/zabbix/smsdistd_template.yaml,
#                      for 7.0 contrib/zabbix/smsdistd_template_7.0.yaml)
#   ROWS               status rows (default 20000)
#   ERROR_ROWS         percentage of the status rows in error (Type 3 or 4);
#                      default: what bench/gen.py makes (1,583 of 20,000 =
#                      7.9 %); when set, Success rows are turned to Error (3)
#                      or rows in error to Success (1), seeded, to reach it
#   DPS                distribution points (default 50; content rows follow:
#                      bench/gen.py --combined --dps)
#   SEED               bench/gen.py's seed (default 1)
#   MEASURE_SECONDS    the measuring window, after discovery settled (default 600)
#   SETTLE_SECONDS     between the end of the first discovery and the window
#                      (default 420: the discovered items reach the cache at
#                      the next configuration sync, CacheUpdateFrequency=60,
#                      and get their first value within their interval,
#                      {$SMSDIST.INTERVAL.COUNTERS} 5m; a window that holds
#                      those first values counts one history row per item too many)
#   DISCOVERY_WAIT     the longest wait for the first discovery (default 1800 s)
#   FLIP_ROWS          Success rows flipped to Error at the window's start (default 5)
#   SMSDISTD_CONF      more smsdistd.conf lines, separated by ';' (default none:
#                      smsdistd's defaults), e.g. 'notifyRateLimit 2000 60'
#   MAX_REPETITIONS    7.0: the host's SNMP interface's Max repetition count, the
#                      GETBULK size of its walk[] items (default: Zabbix's, 10)
#   CORRELATION        0: without README's event correlation rules (default 1)
#   HOST_MACROS        host macros, '{$M}=V' words separated by spaces (default
#                      none: the template's), e.g. '{$SMSDIST.ROWS.ERROR.MAX}=5000'
#
# The server runs with zabbix_server.conf's defaults (CacheSize=32M, default
# pollers, CacheUpdateFrequency ...) except what the harness must set
# (zbx_server_conf): DBHost/DBPort/DBName/DBUser/DBPassword (its private
# PostgreSQL), LogFile, LogFileSize=0, PidFile, SocketDir, ListenIP=127.0.0.1,
# ListenPort (free), StartSNMPTrapper=1 and SNMPTrapperFile (README's step 3).
# The host is made as README tells operators: an SNMPv2c interface on the
# master's address, community public, the template linked, no macro (every
# interval and threshold the template's default), README's event correlation
# rules, and smsdistd restarted after the link (README step 2: rows already
# in error are announced again). The only shortcut: right after the host is
# in the configuration cache, its items and discovery rules are executed once
# at once (check-now); afterwards every discovery runs on the template's own
# schedule ({$SMSDIST.STATUS.DISCOVERY.INTERVAL} 5m, DP discovery 15m).
#
# Output: one `name value unit` line per figure (grep -v '^#'), then a human
# summary as '#' lines. Figures:
#   rows, rows_in_error, dps, content_rows  the data set (rows in error: the
#                      oracle tests/integration/check_walk.py)
#   first_discovery    seconds from the check-now to the status discovery having
#                      made the items of every row in error it keeps (prototypes
#                      x min(rows in error, {$SMSDIST.STATUS.DISCOVERY.MAX}))
#   rcache_pused_empty / _baseline / _after_discovery / _peak
#                      zabbix[rcache,buffer,pused]: before the template import,
#                      after the import but before the host, at the window's
#                      start, and the highest value during the window (10 s
#                      samples of the internal item, read from the history table)
#   queue_10s_max      zabbix[queue,10s], highest during the window
#   values_per_second  zabbix[wcache,values] (a counter) over the window
#   history_rows_per_day_<table>, history_rows_per_day, history_rows_per_day_host
#                      rows added to history, history_uint, history_str,
#                      history_text, history_log during the window (all hosts;
#                      _host: the smsdistd host's items only), x 86400 / window.
#                      The rows-in-error items store an unchanged value once per
#                      {$SMSDIST.HEARTBEAT} (1h): a window shorter than that
#                      misses those (at most one row per item and hour: add
#                      error_rows_with_item x 24 for a whole day)
#   trends_rows_window, trends_rows_per_day
#                      rows added to trends + trends_uint in the window (written
#                      once an hour: often 0), and the steady figure: the
#                      host's items with trends that got values x 24
#   snmp_requests_per_minute  the master snmpd's snmpInPkts.0 delta over the
#                      window minus this script's own read, per minute (every
#                      SNMP request the server made: gets, bulk walks' pages)
#   smsdistd_cpu_seconds, snmpd_cpu_seconds  CPU (user+system) over the window;
#                      the MIB has no request counter of smsdistd's own
#   problems_row_open  open problems tagged smsdist=row (per-row problems) at
#                      the window's end, vs rows_in_error; problem_many_open:
#                      1 when 'many content status rows in error' is open (above
#                      {$SMSDIST.ROWS.ERROR.MAX}=20 the per-row problems depend
#                      on it); error_rows_with_item: rows in error with their
#                      discovered item; problems_contentdp_open
#   row_problems_all   seconds from smsdistd's restart (README step 2: every row
#                      in error announced again, at notifyRateLimit's pace) until
#                      the per-row problems numbered the rows in error (-1: not
#                      before the window; sampled every 5 s)
#   error_rows_covered_after_discovery  seconds after the first discovery until
#                      every row in error was covered: a per-row problem each
#                      when rows in error <= {$SMSDIST.ROWS.ERROR.MAX}, else the
#                      'many' problem (checked at the first sample after discovery)
#   flip_*             FLIP_ROWS Success rows turned Error at the window's start:
#                      seconds until their notifications were in the trap file
#                      (flip_trap), until smsdist.rows.error counted them
#                      (flip_rows_error), until their discovered items existed
#                      (flip_items), until each had a problem of its own
#                      (flip_problems; -1: not within the window) and how many did
#   zabbix_server_rss_kB / _pss_kB / _processes  VmRSS summed over all of
#                      zabbix_server's processes (its shared caches counted in
#                      each), PSS summed (shared memory counted once), how many
#   smsdistd_rss_kB, smsdistd_hwm_kB  VmRSS and VmHWM of smsdistd
#   duration           the whole run, seconds

set -u
top=$(cd "$(dirname "$0")/.." && pwd)
export top_srcdir=${top_srcdir:-$top}
export top_builddir=${top_builddir:-${BUILD_DIR:-$top/_build}}
export SD_WAIT=${SD_WAIT:-300}     # lib.sh's waits: 20,000 rows load, snmpd start
ZVER=${SD_ZABBIX_VERSION:-6.0}
ROWS=${ROWS:-20000}
ERROR_ROWS=${ERROR_ROWS:-}
DPS=${DPS:-50}
SEED=${SEED:-1}
MEASURE_SECONDS=${MEASURE_SECONDS:-600}
SETTLE_SECONDS=${SETTLE_SECONDS:-420}
DISCOVERY_WAIT=${DISCOVERY_WAIT:-1800}
FLIP_ROWS=${FLIP_ROWS:-5}
SMSDISTD_CONF=${SMSDISTD_CONF:-}
HOST_MACROS=${HOST_MACROS:-}
MAX_REPETITIONS=${MAX_REPETITIONS:-}
CORRELATION=${CORRELATION:-1}
SAMPLE=15                          # seconds between samples in the window

# shellcheck source=tests/integration/lib.sh
. "$top_srcdir/tests/integration/lib.sh"
t_start=$SECONDS
phase() { diag "--- $* (at $((SECONDS - t_start)) s)"; }
# fig NAME VALUE UNIT: one machine-readable figure (also kept for the summary)
declare -A FIG
fig() { FIG[$1]=$2; printf '%s %s %s\n' "$1" "$2" "$3"; }

[ -x "$top_builddir/src/smsdistd" ] || bail_out "$top_builddir/src/smsdistd not built"
sd_setup

if [ -n "${SD_ZABBIX_TEMPLATE:-}" ]; then
    TEMPLATE=$SD_ZABBIX_TEMPLATE
elif [ "$ZVER" = 7.0 ]; then
    TEMPLATE=$top_srcdir/contrib/zabbix/smsdistd_template_7.0.yaml
else
    TEMPLATE=$top_srcdir/contrib/zabbix/smsdistd_template.yaml
fi
[ -f "$TEMPLATE" ] || bail_out "no template at $TEMPLATE"
# shellcheck disable=SC2034  # zbx_trap_path (zabbix-template-checks.sh) runs it
HANDLER=$top_srcdir/contrib/zabbix/smsdistd-zabbix-traphandle
HOST="smsdistd on 127.0.0.1"
STATUS_RULE=smsdist.status.discovery

# shellcheck source=tests/contrib/zabbix-runtime.sh
. "$top_srcdir/tests/contrib/zabbix-runtime.sh"
zbx_need_trap_tools
# readme_block, expected_problems (functions only)
# shellcheck source=tests/contrib/zabbix-template-checks.sh
. "$top_srcdir/tests/contrib/zabbix-template-checks.sh"
zbx_rt_init "$ZVER"
diag "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME"); template $TEMPLATE"

# --- the data set -----------------------------------------------------------------------------
phase "the data set: $ROWS status rows, $DPS DPs, seed $SEED${ERROR_ROWS:+, $ERROR_ROWS % in error}"
SRC=$T/export
mkdir -p "$SRC" || bail_out "cannot create $SRC"
C=$SRC/combined.json
"$PYTHON3" "$top_srcdir/bench/gen.py" --combined --rows "$ROWS" --dps "$DPS" --seed "$SEED" --out "$C.gen" \
    >"$T/gen.log" 2>&1 || { diag_file "$T/gen.log" 20; bail_out "bench/gen.py failed"; }
if [ -n "$ERROR_ROWS" ]; then
    # the share of rows in error (Type 3 or 4) set to ERROR_ROWS %, by turning
    # Success rows into Error (3) or rows in error into Success (1), seeded
    "$PYTHON3" - "$C.gen" "$ERROR_ROWS" "$SEED" <<'PY' || bail_out "cannot set the share of rows in error"
import json, random, sys
path, share, seed = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
doc = json.load(open(path))
rows = doc["SMS_DistributionStatus"]
want = round(len(rows) * share / 100)
err = [r for r in rows if r["Type"] in (3, 4)]
rnd = random.Random(seed)
if len(err) < want:
    for r in rnd.sample([r for r in rows if r["Type"] == 1], want - len(err)):
        r["Type"] = 3
else:
    for r in rnd.sample(err, len(err) - want):
        r["Type"] = 1
json.dump(doc, open(path + ".tmp", "w"), indent=1)
PY
    mv "$C.gen.tmp" "$C.gen" || bail_out "cannot rewrite the export"
fi
mv "$C.gen" "$C" || bail_out "cannot put the export in place"

# oracle: check_walk.py's summary of the status rows (an independent reading)
declare -A SUM
oracle() {
    local k v
    SUM=()
    "$PYTHON3" -c 'import json, sys
json.dump({"value": json.load(open(sys.argv[1]))["SMS_DistributionStatus"]}, open(sys.argv[2], "w"))' \
        "$C" "$T/oracle-status.json" || bail_out "cannot extract the status rows"
    while read -r k v; do SUM[$k]=$v; done < <(check_walk summary "$T/oracle-status.json")
    [ -n "${SUM[rows]:-}" ] || bail_out "check_walk.py summary failed"
}
oracle
N=${SUM[rows]}
NERR=${SUM[error]}
read -r NDP NCONTENT NCDPFAILED < <("$PYTHON3" -c 'import json, sys
d = json.load(open(sys.argv[1]))
c = d["SMS_PackageStatusDistPointsSummarizer"]
print(len(d["SMS_DPStatusInfo"]), len(c), sum(1 for r in c if r["State"] in (3, 6)))' "$C")
fig rows "$N" rows
fig rows_in_error "$NERR" rows
fig dps "$NDP" dps
fig content_rows "$NCONTENT" rows
fig content_rows_failed "$NCDPFAILED" rows

# --- snmptrapd, the master, smsdistd (as tests/contrib/zabbix-server.sh) ------------------------
phase "snmptrapd, snmpd, smsdistd"
TRAPLOG=$T/snmptrapd.log
zbx_trap_path
# smsdistd with its defaults: only the source (the combined export: all three
# tables), and SMSDISTD_CONF's lines
# smsdistd's configuration lines: the source, and SMSDISTD_CONF's
AGENT_CONF=("source file:$C")
IFS=';' read -r -a _extra <<<"$SMSDISTD_CONF"
for _l in ${_extra[@]+"${_extra[@]}"}; do
    _l=${_l#"${_l%%[![:space:]]*}"}
    [ -n "$_l" ] && AGENT_CONF+=("$_l")
done
sd_start_agent "${AGENT_CONF[@]}"
sd_wait_served "$N" || bail_out "smsdistd does not serve the $N rows"
IN_PKTS_OID=.1.3.6.1.2.1.11.1.0
snmp_value "$IN_PKTS_OID" >/dev/null || bail_out "the master's snmpInPkts.0 cannot be read"

# --- Zabbix -------------------------------------------------------------------------------------
phase "the Zabbix $ZVER runtime"
zbx_rt_start
zbx_internal_host >"$T/internal-host.log" 2>&1 || { diag_file "$T/internal-host.log" 10; bail_out "cannot create the internal figures host"; }

# bpsql SQL: one query against the runtime's database, unaligned output
bpsql() {
    setpriv --reuid=postgres --regid=postgres --init-groups \
        timeout 120 psql -X -q -At -F ' ' -v ON_ERROR_STOP=1 -h "$ZBX_DIR/pg" -p "$ZBX_PG_PORT" \
        -U postgres -d zabbix -c "$1"
}
internal_itemid() {
    bpsql "SELECT i.itemid FROM items i JOIN hosts h ON h.hostid = i.hostid
           WHERE h.host = '$ZBX_INTERNAL_HOST' AND i.key_ = '$1'"
}
# fresh KEY SINCE: the first value of the internal item KEY stored at or after
# SINCE (epoch), waited for (bounded: 180 s, the item is polled every 10 s)
fresh_got() {
    FRESH=$(bpsql "(SELECT value FROM history WHERE itemid = $1 AND clock >= $2 ORDER BY clock LIMIT 1)
                   UNION ALL (SELECT value FROM history_uint WHERE itemid = $1 AND clock >= $2 ORDER BY clock LIMIT 1)" 2>/dev/null)
    [ -n "$FRESH" ] && return 0
    sleep 1
    return 1
}
fresh() {
    local id
    id=$(internal_itemid "$1")
    [ -n "$id" ] || { echo "?"; return 1; }
    FRESH=
    zbx_wait 180 fresh_got "$id" "$2" || { echo "?"; return 1; }
    printf '%s\n' "$FRESH" | head -n 1
}
# window_stat KEY AGG T0 T1: AGG (max, min) of the internal item's values in [T0, T1]
window_stat() {
    local id
    id=$(internal_itemid "$1")
    bpsql "SELECT round($2(value)::numeric, 2) FROM (SELECT value FROM history WHERE itemid = $id AND clock BETWEEN $3 AND $4
           UNION ALL SELECT value FROM history_uint WHERE itemid = $id AND clock BETWEEN $3 AND $4) v"
}
# discovered_items: items the status discovery rule made on the host (item ->
# its prototype -> the rule, by item_discovery)
discovered_items() {
    bpsql "SELECT count(*) FROM items i JOIN item_discovery d ON d.itemid = i.itemid
           JOIN item_discovery pd ON pd.itemid = d.parent_itemid JOIN items r ON r.itemid = pd.parent_itemid
           JOIN hosts h ON h.hostid = i.hostid
           WHERE h.host = '$HOST' AND i.flags = 4 AND r.key_ = '$STATUS_RULE'"
}
pct() { awk -v v="$1" 'BEGIN { if (v == "" || v == "?") print "?"; else printf "%.1f", v }'; }

zbx_reload
zbx check-now --host "$ZBX_INTERNAL_HOST" >/dev/null
PUSED_EMPTY=$(fresh 'zabbix[rcache,buffer,pused]' "$(date +%s)")
fig rcache_pused_empty "$(pct "$PUSED_EMPTY")" %

phase "the template"
t0=$SECONDS
zbx import "$TEMPLATE" >"$T/templates.json" || bail_out "configuration.import of $TEMPLATE failed"
fig template_import "$((SECONDS - t0))" s
zbx_reload
zbx check-now --host "$ZBX_INTERNAL_HOST" >/dev/null
PUSED_BASE=$(fresh 'zabbix[rcache,buffer,pused]' "$(date +%s)")
fig rcache_pused_baseline "$(pct "$PUSED_BASE")" %

# README step 3: the event correlation rules, as README gives them
if [ "$CORRELATION" = 1 ]; then
    readme_block correlation.create >"$T/correlation.json"
    zbx call correlation.create "$(cat "$T/correlation.json")" >"$T/correlation.out" 2>&1 ||
        { diag_file "$T/correlation.out" 10; bail_out "correlation.create failed"; }
fi

# README step 2: the host, the template linked, the template's macros as they are
zbx host-create --host "$HOST" --port "$SD_PORT" --templates-of "$TEMPLATE" \
    ${MAX_REPETITIONS:+--max-repetitions "$MAX_REPETITIONS"} >"$T/host.out" 2>&1 ||
    { diag_file "$T/host.out" 10; bail_out "host.create failed"; }
if [ -n "$HOST_MACROS" ]; then
    # shellcheck disable=SC2086  # words
    zbx macros --host "$HOST" $HOST_MACROS >/dev/null || bail_out "cannot set the host macros $HOST_MACROS"
fi
zbx_reload || diag "zabbix_server -R config_cache_reload failed"
# README step 2: rows already in error are announced again by a restart of smsdistd
sd_stop_agent TERM
t_restart=$SECONDS
sd_start_agent "${AGENT_CONF[@]}"
sd_wait_served "$N" || bail_out "smsdistd does not serve the $N rows after its restart"

# what the status discovery is to make: prototypes x rows in error (capped)
nproto=$(zbx dump prototypes --host "$HOST" --key-re . | "$PYTHON3" -c 'import json, sys
print(sum(1 for p in json.load(sys.stdin) if p["discoveryRule"]["key_"] == sys.argv[1]))' "$STATUS_RULE")
cap=$(zbx template-macros --templates-of "$TEMPLATE" | awk '$1 == "{$SMSDIST.STATUS.DISCOVERY.MAX}" { print $2 }')
rowmax=$(zbx template-macros --templates-of "$TEMPLATE" | awk '$1 == "{$SMSDIST.ROWS.ERROR.MAX}" { print $2 }')
for _m in $HOST_MACROS; do
    case $_m in '{$SMSDIST.ROWS.ERROR.MAX}='*) rowmax=${_m#*=} ;; esac
done
kept=$NERR
[ -n "$cap" ] && [ "$cap" -lt "$kept" ] && kept=$cap
WANT=$((nproto * kept))
diag "status discovery: $nproto prototype(s) x $kept rows in error = $WANT items (cap ${cap:-none}); {\$SMSDIST.ROWS.ERROR.MAX} ${rowmax:-?}"

phase "the first discovery"
t_kick=$SECONDS
zbx check-now --host "$HOST" >/dev/null || diag "check-now failed"
zbx check-now --host "$ZBX_INTERNAL_HOST" >/dev/null
# polled in the database (cheap: the API's item.get of 1,500 items a second
# would load the 2 cores the server needs), every 2 s, bounded
disc_done() { [ "$(discovered_items)" = "$WANT" ] && return 0; sleep 2; return 1; }
zbx_wait "$DISCOVERY_WAIT" disc_done ||
    bail_out "the status discovery did not make its $WANT items within $DISCOVERY_WAIT s (made $(discovered_items))"
t_disc=$SECONDS
fig first_discovery "$((t_disc - t_kick))" s

# helpers for the window's samples
host_problems() { zbx dump problems --host "$HOST" >"$T/problems.json"; }
# count_problems: "row many contentdp" open problems
count_problems() {
    "$PYTHON3" -c 'import json, sys
ps = json.load(open(sys.argv[1]))
tags = lambda p: {(t["tag"], t["value"]) for t in p.get("tags", [])}
row = sum(1 for p in ps if ("smsdist", "row") in tags(p))
many = sum(1 for p in ps if p["name"].startswith("smsdistd: many content status rows in error"))
cdp = sum(1 for p in ps if any(t == "contentdp" for t, _ in tags(p)))
print(row, many, cdp)' "$T/problems.json"
}
rows_error_value() {
    zbx call item.get "{\"hostids\": [\"$HOSTID\"], \"output\": [\"lastvalue\", \"lastclock\"], \"filter\": {\"key_\": [\"smsdist.rows.error\"]}}" |
        "$PYTHON3" -c 'import json, sys
r = json.load(sys.stdin)
print(r[0]["lastvalue"] if r and r[0]["lastclock"] != "0" else "")'
}
HOSTID=$(zbx call host.get "{\"output\": [\"hostid\"], \"filter\": {\"host\": [\"$HOST\"]}}" |
    "$PYTHON3" -c 'import json, sys; print(json.load(sys.stdin)[0]["hostid"])')

# covered: every row in error has a problem of its own (rows in error <=
# {$SMSDIST.ROWS.ERROR.MAX}) or 'many content status rows in error' is open
covered() {
    local r m
    host_problems || return 1
    read -r r m _ < <(count_problems)
    if [ "$NERR" -gt "${rowmax:-20}" ]; then [ "$m" -ge 1 ]; else [ "$r" -ge "$NERR" ]; fi
}

phase "settling ($SETTLE_SECONDS s)"
COVERED_AT=-1 ROWS_ALL_AT=-1
# every row in error has its own problem
rows_all() { local r; read -r r _ < <(count_problems); [ "$r" -ge "$NERR" ]; }
deadline=$((SECONDS + SETTLE_SECONDS))
for _ in $(seq $((SETTLE_SECONDS / 5 + 2))); do
    [ "$COVERED_AT" = -1 ] && covered && COVERED_AT=$((SECONDS - t_disc))
    [ "$ROWS_ALL_AT" = -1 ] && rows_all && ROWS_ALL_AT=$((SECONDS - t_restart))
    [ "$SECONDS" -ge "$deadline" ] && break
    sleep 5
done

# --- the window ---------------------------------------------------------------------------------
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
TICKS=$(getconf CLK_TCK)
phase "measuring for $MEASURE_SECONDS s"
tw0=$(date +%s)
PUSED_AFTER=$(fresh 'zabbix[rcache,buffer,pused]' "$tw0")
fig rcache_pused_after_discovery "$(pct "$PUSED_AFTER")" %
tw0=$(date +%s)
in0=$(snmp_value "$IN_PKTS_OID")
trends_count() { bpsql "SELECT (SELECT count(*) FROM trends) + (SELECT count(*) FROM trends_uint)"; }
tr0=$(trends_count)
a0=$(cpu_ticks "$SD_AGENT_PID"); m0=$(cpu_ticks "$SD_MASTER_PID")

# trap_mentions: for each flipped row, how many lines of the trap file name its
# ObjectID (quoted, as snmptrapd prints an index string)
trap_mentions() {
    local name oid
    while IFS= read -r name; do
        oid=${name#SCCM content }
        oid=${oid% is in error (category *}
        grep -c -F "\"$oid\"" "$ZBX_TRAPFILE"
    done <"$T/flips.txt"
}
flip_traps() {   # how many of the flipped rows have a new mention (their smsDistRowEnteredError)
    paste -d' ' "$T/flip-mentions.0" <(trap_mentions) | awk '$2 > $1 { n++ } END { print n + 0 }'
}
# the flips: FLIP_ROWS unique Success rows go to Error (3), atomically
FLIPS=$("$PYTHON3" - "$C" "$C.tmp" "$FLIP_ROWS" <<'PY'
import collections, json, sys
doc = json.load(open(sys.argv[1]))
rows = doc["SMS_DistributionStatus"]
seen = collections.Counter((r["ObjectID"], r["MessageCategory"]) for r in rows)
n = 0
for r in rows:
    if n < int(sys.argv[3]) and r["Type"] == 1 and seen[(r["ObjectID"], r["MessageCategory"])] == 1:
        r["Type"] = 3
        n += 1
        print("SCCM content %s is in error (category %s)" % (r["ObjectID"], r["MessageCategory"]))
json.dump(doc, open(sys.argv[2], "w"), indent=1)
PY
)
printf '%s\n' "$FLIPS" >"$T/flips.txt"
trap_mentions >"$T/flip-mentions.0"
mv "$C.tmp" "$C" || bail_out "cannot rewrite the export"
t_flip=$SECONDS
NFLIP=$(printf '%s\n' "$FLIPS" | grep -c .)
printf '%s\n' "$FLIPS" >"$T/flips.txt"
oracle
NERR2=${SUM[error]}
diag "flipped to Error: $NFLIP rows (oracle: $NERR -> $NERR2 in error)"
kept2=$NERR2
[ -n "$cap" ] && [ "$cap" -lt "$kept2" ] && kept2=$cap
WANT2=$((nproto * kept2))

flip_problems() {
    "$PYTHON3" -c 'import json, sys
names = {l.strip() for l in open(sys.argv[2]) if l.strip()}
print(sum(1 for p in json.load(open(sys.argv[1])) if p["name"] in names))' "$T/problems.json" "$T/flips.txt"
}
F_TRAP=-1 F_ROWS=-1 F_ITEMS=-1 F_PROB=-1 fp=0
nsamples=$((MEASURE_SECONDS / SAMPLE + 3))
deadline=$((tw0 + MEASURE_SECONDS))
for _ in $(seq "$nsamples"); do
    el=$((SECONDS - t_flip))
    [ "$F_TRAP" = -1 ] && [ "$(flip_traps)" -ge "$NFLIP" ] && F_TRAP=$el
    [ "$F_ROWS" = -1 ] && [ "$(rows_error_value)" = "$NERR2" ] && F_ROWS=$el
    [ "$F_ITEMS" = -1 ] && [ "$(discovered_items)" = "$WANT2" ] && F_ITEMS=$el
    if host_problems; then
        fp=$(flip_problems)
        [ "$F_PROB" = -1 ] && [ "$fp" -ge "$NFLIP" ] && F_PROB=$el
    fi
    now=$(date +%s)
    [ "$now" -ge "$deadline" ] && break
    left=$((deadline - now))
    sleep $((left < SAMPLE ? left : SAMPLE))
done
tw1=$(date +%s)
in1=$(snmp_value "$IN_PKTS_OID")
a1=$(cpu_ticks "$SD_AGENT_PID"); m1=$(cpu_ticks "$SD_MASTER_PID")
W=$((tw1 - tw0))
fig window "$W" s

# the internal figures over the window (stored 10 s samples); a last sample first
sleep 12
fig rcache_pused_peak "$(window_stat 'zabbix[rcache,buffer,pused]' max "$tw0" "$tw1")" %
fig queue_10s_max "$(window_stat 'zabbix[queue,10s]' max "$tw0" "$tw1" | sed 's/\.00$//')" items
vid=$(internal_itemid 'zabbix[wcache,values]')
fig values_per_second "$(bpsql "SELECT round(((max(value) - min(value)) / nullif(max(clock) - min(clock), 0))::numeric, 1)
    FROM history WHERE itemid = $vid AND clock BETWEEN $tw0 AND $tw1")" values/s

# history rows added in the window, per table (all hosts, and the smsdistd host), x 24 h
hsum=0 hhost=0
for tb in history history_uint history_str history_text history_log; do
    read -r all host < <(bpsql "SELECT count(*), count(*) FILTER (WHERE i.hostid = $HOSTID)
        FROM $tb h JOIN items i ON i.itemid = h.itemid WHERE h.clock >= $tw0 AND h.clock < $tw1")
    fig "history_rows_per_day_$tb" "$((all * 86400 / W))" rows/day
    hsum=$((hsum + all)); hhost=$((hhost + host))
done
fig history_rows_window "$hsum" rows
fig history_rows_per_day "$((hsum * 86400 / W))" rows/day
fig history_rows_per_day_host "$((hhost * 86400 / W))" rows/day
fig trends_rows_window "$(($(trends_count) - tr0))" rows
tri=$(bpsql "SELECT count(DISTINCT i.itemid) FROM items i WHERE i.hostid = $HOSTID AND i.trends <> '0'
    AND i.value_type IN (0, 3) AND (EXISTS (SELECT 1 FROM history h WHERE h.itemid = i.itemid AND h.clock BETWEEN $tw0 AND $tw1)
    OR EXISTS (SELECT 1 FROM history_uint h WHERE h.itemid = i.itemid AND h.clock BETWEEN $tw0 AND $tw1))")
fig trends_rows_per_day "$((tri * 24))" rows/day

# SNMP requests at the master: every packet it received, minus this script's
# own read of in1 (in0's own packet was counted before in0 was answered)
if [ -n "$in0" ] && [ -n "$in1" ]; then
    fig snmp_requests_window "$((in1 - in0 - 1))" requests
    fig snmp_requests_per_minute "$(awk -v d=$((in1 - in0 - 1)) -v w="$W" 'BEGIN { printf "%.1f", d * 60 / w }')" requests/min
fi
fig smsdistd_cpu_seconds "$(awk -v d=$((a1 - a0)) -v t="$TICKS" 'BEGIN { printf "%.2f", d / t }')" s
fig snmpd_cpu_seconds "$(awk -v d=$((m1 - m0)) -v t="$TICKS" 'BEGIN { printf "%.2f", d / t }')" s

# correctness: problems vs rows in error (the oracle's, after the flips)
host_problems
read -r prow pmany pcdp < <(count_problems)
fig rows_in_error_now "$NERR2" rows
fig problems_row_open "$prow" problems
fig problem_many_open "$pmany" problems
fig problems_contentdp_open "$pcdp" problems
ditems=$(discovered_items)
fig error_rows_with_item "$((ditems / (nproto > 0 ? nproto : 1)))" rows
fig error_rows_covered_after_discovery "$COVERED_AT" s
fig row_problems_all "$ROWS_ALL_AT" s
fig flip_rows "$NFLIP" rows
fig flip_trap "$F_TRAP" s
fig flip_rows_error "$F_ROWS" s
fig flip_items "$F_ITEMS" s
fig flip_problems "$F_PROB" s
fig flip_problems_open "$fp" problems

# memory
rss() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null; }
zrss=0 zpss=0 zn=0
for p in $(pgrep -g "$ZBX_SERVER_PID"); do
    r=$(rss "$p" VmRSS); s=$(awk '$1 == "Pss:" { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null)
    zrss=$((zrss + ${r:-0})); zpss=$((zpss + ${s:-0})); zn=$((zn + 1))
done
fig zabbix_server_rss_kB "$zrss" kB
fig zabbix_server_pss_kB "$zpss" kB
fig zabbix_server_processes "$zn" processes
fig smsdistd_rss_kB "$(rss "$SD_AGENT_PID" VmRSS)" kB
fig smsdistd_hwm_kB "$(rss "$SD_AGENT_PID" VmHWM)" kB
zbx_server_figures >"$T/figures.txt" 2>&1
fig duration "$((SECONDS - t_start))" s

# --- the summary ----------------------------------------------------------------------------------
nitems=$(zbx dump items --host "$HOST" | "$PYTHON3" -c 'import json, sys; print(len(json.load(sys.stdin)))')
cat <<EOF | sed 's/^/# /'

Zabbix ${ZBX_PKG_VERSION:-$ZVER} (defaults: CacheSize=32M, default pollers), PostgreSQL $("$ZBX_PG_BIN/postgres" --version | awk '{ print $3 }'),
$(nproc) cores, $(. /etc/os-release; echo "$PRETTY_NAME"); template $(basename "$TEMPLATE"), its default macros.
Data: $N status rows ($NERR in error, $NERR2 after $NFLIP flips), $NDP DPs, $NCONTENT content-on-DP rows ($NCDPFAILED failed).
The host has $nitems items ($ditems made by the status discovery).
First discovery: $((t_disc - t_kick)) s from check-now to the $WANT items of the rows in error.
Configuration cache used: ${FIG[rcache_pused_empty]} % empty, ${FIG[rcache_pused_baseline]} % with the
  template imported (before the host), ${FIG[rcache_pused_after_discovery]} % after discovery,
  peak ${FIG[rcache_pused_peak]} % over the ${W} s window.
Queue over 10 s: at most ${FIG[queue_10s_max]}. Values processed: ${FIG[values_per_second]}/s (whole server).
History: ${FIG[history_rows_per_day]} rows a day (${FIG[history_rows_per_day_host]} of the smsdistd host);
  trends: ${FIG[trends_rows_per_day]} rows a day (items with trends x 24).
SNMP at the master: ${FIG[snmp_requests_per_minute]:-?} requests a minute; CPU over the window: smsdistd
  ${FIG[smsdistd_cpu_seconds]} s, snmpd ${FIG[snmpd_cpu_seconds]} s.
Problems at the end: $prow per-row (tag smsdist=row) for $NERR2 rows in error, 'many content status
  rows in error' open: $pmany, $pcdp content-on-DP. Rows in error with their item: $((ditems / (nproto > 0 ? nproto : 1))).
Every row in error covered (own problem, or 'many' above {\$SMSDIST.ROWS.ERROR.MAX} ${rowmax:-?}): $COVERED_AT s after
  the first discovery (-1: not within the settle time); a problem of its own for every row in
  error $ROWS_ALL_AT s after smsdistd's restart (-1: not before the window).
smsdistd: ${SMSDISTD_CONF:-its defaults}; host macros: ${HOST_MACROS:-none}; max repetitions: ${MAX_REPETITIONS:-Zabbix's default}.
$NFLIP rows flipped to Error: notifications in the trap file after $F_TRAP s, smsdist.rows.error
  counted them after $F_ROWS s, their items after $F_ITEMS s, problems of their own: $fp
  (all after $F_PROB s; -1: not within the window).
Memory: zabbix_server $zn processes, RSS sum $((zrss / 1024)) MiB, PSS sum $((zpss / 1024)) MiB;
  smsdistd RSS $(( $(rss "$SD_AGENT_PID" VmRSS) / 1024 )) MiB (peak $(( $(rss "$SD_AGENT_PID" VmHWM) / 1024 )) MiB).
Last internal figures: $(cat "$T/figures.txt")
Run: $((SECONDS - t_start)) s.
EOF
done_testing >/dev/null
