#!/bin/bash
# restart.sh: the master snmpd goes away and comes back; smsdistd reconnects
# by itself, re-registers, and serves the whole table again.
#   (a) kill -9 of the master, a new master on the same AgentX socket path
#       (a new UDP port): smsdistd reconnects within a few ping intervals
#       (agentXPingInterval 1) and a full walk equals the oracle again;
#   (b) three times in a row, looking at smsdistd's AgentX socket in
#       /proc/PID/fd each time: the new connection takes the old one's file
#       descriptor number (keepalived#2726) and is served all the same;
#   (c) over a down period of 6 ping intervals the log gets the lines of the
#       loss and of the return once, nothing per reconnection attempt
#       (lldpd#166);
#   (d) smsdistd started before the master: one "master not reachable"
#       line, retries, and serves as soon as the master is there;
#   (e) SIGTERM to the master (a clean shutdown): the same recovery;
#   and the default ping interval (5 s, no agentXPingInterval): reconnected
#   well under net-snmp's 15 s.

# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

sd_setup

TABLE=$(sd_oid smsDistStatusTable)
cp "$SD_DATA/serve/sample.json" "$T/" || bail_out "cannot copy sample.json"
JSON=$T/sample.json
N=$(check_walk count "$JSON") || bail_out "the oracle cannot read sample.json"
LOG=$T/smsdistd.log
LOST='AgentX master lost; reconnecting every'
BACK='AgentX master is back after [0-9]+ s'
UNREACHABLE='AgentX master not reachable at'
# The limits below are in ping intervals; under valgrind everything is slower.
SLOW=1
[ -n "$SD_VALGRIND" ] && SLOW=3

now_ms() { date +%s%3N; }
# Lines of smsdistd's log (matching ERE, if given).
log_lines() { awk -v re="${1:-}" 're == "" || $0 ~ re { n++ } END { print n + 0 }' "$LOG"; }
# Lines of the log after line N.
log_after() { tail -n +"$(($1 + 1))" "$LOG"; }
log_count_is() { [ "$(log_lines "$1")" -eq "$2" ]; }
# wait_log_count ERE N: until N lines match
wait_log_count() { SD_WATCH_PID=$SD_AGENT_PID sd_poll log_count_is "$1" "$2"; }

# hold SECONDS: let the time pass (the master down) while checking, every
# 0.2 s, that smsdistd is still running. Fails at once if it died.
hold() {
    local end=$(($(now_ms) + $1 * 1000))
    while [ "$(now_ms)" -lt "$end" ]; do
        sd_alive "$SD_AGENT_PID" || { diag "smsdistd died while the master was down"; return 1; }
        sleep 0.2
    done
}

# "FD INODE" of smsdistd's one socket (its AgentX connection), from /proc.
agentx_fd() {
    local f l out=() pid=$SD_AGENT_PID
    for f in /proc/"$pid"/fd/*; do
        l=$(readlink "$f" 2>/dev/null) || continue
        case $l in socket:\[*\]) l=${l#socket:[}; out+=("${f##*/} ${l%]}") ;; esac
    done
    [ "${#out[@]}" -eq 1 ] || { echo "sockets: ${out[*]:-none}"; return 1; }
    echo "${out[0]}"
}

walk_matches() {
    snmp_walk "$TABLE" >"$T/walk.txt" 2>&1 &&
        check_walk compare "$JSON" --table-oid "$TABLE" "$T/walk.txt"
}

# reconnected LIMIT_MS DESC: since the new master answered (T_UP), the
# rows are served through it again within LIMIT_MS; then a full walk is the
# oracle's table.
reconnected() {
    local limit=$1 desc=$2 took
    if ! ok sd_wait_served "$N" "$desc: smsdistd re-registered, the $N rows are served again"; then
        return 1
    fi
    took=$(($(now_ms) - T_UP))
    RECONNECT_MS+=("$took")
    ok test "$took" -le "$limit" "$desc: reconnected ${took} ms after the master came up (limit ${limit} ms)"
    ok walk_matches "$desc: a full snmpwalk of the table is exactly the oracle's again"
}

# new_master: a new master on the same socket path (and a new UDP port).
new_master() {
    sd_start_master
    T_UP=$(now_ms)
}

RECONNECT_MS=()
SAME_FD=0

# --- (a)-(c): kill -9, three times, ping interval 1 s -------------------------
sd_start_master
sd_start_agent "source file:$JSON" "agentXPingInterval 1"
ok sd_wait_served "$N" "smsdistd serves the $N rows of sample.json"
ok walk_matches "a full snmpwalk is the oracle's table"

for round in 1 2 3; do
    before=$(agentx_fd) || bail_out "round $round: no single AgentX socket in /proc/$SD_AGENT_PID/fd ($before)"
    n0=$(log_lines)
    sd_stop "$SD_MASTER_PID" KILL
    ok wait_log_count "$LOST" "$round" "kill -9 #$round: smsdistd notices the master is gone"
    if [ "$round" = 1 ]; then
        # (c) a down period of 6 ping intervals
        like "$(grep -E "$LOST" "$LOG" | tail -n 1)" "reconnecting every 1 s, notifications are queued" \
            "the loss line says how often it retries (agentXPingInterval 1)"
        ok hold 6 "the master stays down for 6 s (6 ping intervals); smsdistd keeps running"
        down=$(log_after "$n0")
        is "$(printf '%s\n' "$down" | grep -c .)" 2 \
            "over the 6 s down the log got 2 lines, none per reconnection attempt" ||
            { diag "lines logged while the master was down:"; diag "$down"; }
        is "$(printf '%s\n' "$down" | grep -c -E "$LOST")" 1 "one of them is smsdistd's 'AgentX master lost'"
        is "$(printf '%s\n' "$down" | grep -c -E '^AgentX master disconnected us, reconnecting in 1$')" 1 \
            "the other is net-snmp's own 'AgentX master disconnected us, reconnecting in 1'"
    fi
    n1=$(log_lines)
    new_master
    reconnected $((3000 * SLOW)) "kill -9 #$round"
    ok log_count_is "$BACK" "$round" "kill -9 #$round: one 'AgentX master is back' line"
    after=$(agentx_fd) || bail_out "round $round: no single AgentX socket after reconnection ($after)"
    diag "round $round: AgentX socket before: fd ${before% *} (socket inode ${before#* }), after: fd ${after% *} (inode ${after#* })"
    ok test "${before#* }" != "${after#* }" "kill -9 #$round: a new AgentX connection (socket inode ${before#* } -> ${after#* })"
    [ "${before% *}" = "${after% *}" ] && SAME_FD=$((SAME_FD + 1))
    if [ "$round" = 1 ]; then
        back=$(log_after "$n1")
        is "$(printf '%s\n' "$back" | grep -c .)" 2 \
            "at the return the log got 2 lines: smsdistd's 'is back' and net-snmp's 'subagent connected'" ||
            { diag "lines logged at the return:"; diag "$back"; }
    fi
done
ok test "$SAME_FD" -ge 1 \
    "the new connection had the old one's fd number in $SAME_FD of 3 reconnections (keepalived#2726), and was served"
is "$(log_lines "$LOST")" 3 "three losses: three 'master lost' lines in all"
is "$(log_lines 'Failed to connect|Warning: ')" 0 "no per-attempt connection warning in the whole log"

# --- (e) SIGTERM: the master shuts down cleanly -----------------------------------
ok sd_stop "$SD_MASTER_PID" TERM "the master stops on SIGTERM"
ok wait_log_count "$LOST" 4 "SIGTERM: smsdistd notices the master is gone"
new_master
reconnected $((3000 * SLOW)) "SIGTERM"
ok log_count_is "$BACK" 4 "SIGTERM: one more 'AgentX master is back' line"

ok sd_stop_agent TERM "smsdistd stops on SIGTERM"
is "$SD_STOP_STATUS" 0 "smsdistd exits 0"

# --- the default ping interval (5 s) ------------------------------------------------
# (each smsdistd starts a new log: -Lf truncates it)
sd_start_agent "source file:$JSON"
ok sd_wait_served "$N" "default ping interval: smsdistd serves the $N rows"
sd_stop "$SD_MASTER_PID" KILL
ok wait_log_count "$LOST" 1 "default ping interval: the loss is noticed"
like "$(grep -E "$LOST" "$LOG" | tail -n 1)" "reconnecting every 5 s" "and retried every 5 s (smsdistd's default)"
new_master
reconnected $((10000 * SLOW)) "default ping interval (5 s)"
ok sd_stop_agent TERM "smsdistd stops on SIGTERM"
is "$SD_STOP_STATUS" 0 "smsdistd exits 0"

# --- (d) smsdistd before the master --------------------------------------------------
ok sd_stop "$SD_MASTER_PID" TERM "the master stops"
sd_start_agent "source file:$JSON" "agentXPingInterval 1"
ok wait_log_count "$UNREACHABLE" 1 "started without a master: smsdistd says the master is not reachable"
like "$(grep -E "$UNREACHABLE" "$LOG")" "$UNREACHABLE $T/agentx\\.sock; retrying every 1 s" \
    "naming the socket and the retry interval"
ok hold 4 "no master for 4 s (4 ping intervals); smsdistd keeps running"
is "$(log_lines "$UNREACHABLE")" 1 "still one 'not reachable' line"
is "$(log_lines 'Failed to connect|Warning: ')" 0 "no per-attempt warning"
new_master
reconnected $((3000 * SLOW)) "master started after smsdistd"

ok sd_stop_agent TERM "smsdistd stops on SIGTERM"
is "$SD_STOP_STATUS" 0 "smsdistd exits 0"
diag "reconnection times (ms after the new master answered): ${RECONNECT_MS[*]}"
done_testing
