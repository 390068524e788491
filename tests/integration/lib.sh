# lib.sh: what every integration script sources.
# shellcheck shell=bash disable=SC2034  # variables here are for the scripts
#
# - TAP: plan / ok / is / like / skip / diag / done_testing / skip_all / bail_out.
# - An isolated world per script: a private temp dir T with its own
#   SNMPCONFPATH and SNMP_PERSISTENT_DIR (nothing reads /etc/snmp or writes
#   /var/lib/snmp), MIBS/MIBDIRS set explicitly (no MIB at all by default, so
#   every value comes out in its raw form), a master snmpd on a free port of
#   127.0.0.1 with a private AgentX socket, and smsdistd attached to it.
# - Teardown on every exit path (EXIT, INT, TERM): each process started here
#   is stopped by its PID (TERM, bounded wait, KILL), its log is shown as TAP
#   diagnostics when the script failed, and T is removed.
#
# Every wait is a bounded poll (short sleeps up to a deadline), never a bare
# sleep; every SNMP request goes to 127.0.0.1 with a timeout and one retry.
#
# Environment (set by `make check`, defaults for a manual run):
#   top_builddir top_srcdir SNMPD PYTHON3
#   SD_WAIT    seconds a wait may take before it fails (default 15; 60
#              under SD_VALGRIND)
#   SD_KEEP    non-empty: keep T after the run (for debugging)
#   SD_VALGRIND  1: run smsdistd under valgrind memcheck (sd_start_agent);
#              errors or definite leaks fail the script when it stops
#
# Memory checks: whenever an smsdistd started by sd_start_agent exits (sd_stop,
# sd_stop_agent, done_testing, teardown), its stderr and log are searched for
# AddressSanitizer / UndefinedBehaviorSanitizer / LeakSanitizer reports (a
# --enable-sanitizers build), its exit status for SIGABRT, and under
# SD_VALGRIND its valgrind log for errors and definite leaks; each finding is
# a "not ok" TAP line. done_testing stops the smsdistd still running first,
# so reports printed at exit (leaks) count too.

set -u

: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PYTHON3:=python3}"
: "${SD_VALGRIND:=}"
[ "$SD_VALGRIND" = 0 ] && SD_VALGRIND=
if [ -n "$SD_VALGRIND" ]; then : "${SD_WAIT:=60}"; else : "${SD_WAIT:=15}"; fi
# net-snmp's own frames that leak at exit (tests/lsan.supp says which and why)
if [ -z "${LSAN_OPTIONS:-}" ] && [ -f "$top_srcdir/tests/lsan.supp" ]; then
    export LSAN_OPTIONS="suppressions=$top_srcdir/tests/lsan.supp:print_suppressions=0"
fi
if [ -z "${SNMPD:-}" ]; then
    SNMPD=$(command -v snmpd 2>/dev/null || { test -x /usr/sbin/snmpd && echo /usr/sbin/snmpd; })
fi

SD_DATA="$top_srcdir/tests/data"
SD_CHECK_WALK="$top_srcdir/tests/integration/check_walk.py"
SD_AGENT_BIN="$top_builddir/src/smsdistd"

# ---------------------------------------------------------------------------
# TAP

SD_TESTNUM=0
SD_FAILED=0
SD_PLANNED=

plan() {
    SD_PLANNED=$1
    echo "1..$1"
}

diag() {
    local line
    printf '%s\n' "$*" | while IFS= read -r line; do printf '# %s\n' "$line"; done
}

# Prints a file (or stdin with -) as diagnostics, at most N lines from the end.
diag_file() {
    local f=$1 max=${2:-200}
    if [ "$f" = - ]; then
        tail -n "$max" | sed 's/^/#   /'
    elif [ -e "$f" ]; then
        tail -n "$max" "$f" | sed 's/^/#   /'
    else
        echo "#   ($f does not exist)"
    fi
}

sd_result() {
    local status=$1 desc=$2
    SD_TESTNUM=$((SD_TESTNUM + 1))
    if [ "$status" -eq 0 ]; then
        echo "ok $SD_TESTNUM - $desc"
    else
        echo "not ok $SD_TESTNUM - $desc"
        SD_FAILED=$((SD_FAILED + 1))
    fi
    return "$status"
}

# ok CMD [ARG...] DESC: passes when CMD ARG... exits 0. CMD runs in this
# shell (a function may change state); its output, if any, is shown as
# diagnostics when it fails.
ok() {
    local desc=${*: -1} out=${T:-/tmp}/.ok.$$ status
    set -- "${@:1:$#-1}"
    "$@" >"$out" 2>&1
    status=$?
    if ! sd_result "$status" "$desc"; then
        diag "  failed: $*"
        diag_file "$out" 60
    fi
    rm -f "$out"
    return "$status"
}

# is GOT WANT DESC
is() {
    local got=$1 want=$2 desc=$3
    if [ "$got" = "$want" ]; then
        sd_result 0 "$desc"
    else
        sd_result 1 "$desc"
        diag "       got: '$got'" "  expected: '$want'"
        return 1
    fi
}

# like GOT ERE DESC
like() {
    local got=$1 re=$2 desc=$3
    if [[ $got =~ $re ]]; then
        sd_result 0 "$desc"
    else
        sd_result 1 "$desc"
        diag "       got: '$got'" "  expected to match: /$re/"
        return 1
    fi
}

# skip N REASON: N tests that cannot run here, counted as skipped.
skip() {
    local n=$1 reason=$2 i
    for ((i = 0; i < n; i++)); do
        SD_TESTNUM=$((SD_TESTNUM + 1))
        echo "ok $SD_TESTNUM # SKIP $reason"
    done
}

done_testing() {
    sd_agents_stop_all
    [ -z "$SD_PLANNED" ] && echo "1..$SD_TESTNUM"
    SD_DONE=1
}

# Only for a tool that truly cannot be had. A proper TAP skip before or after
# sd_setup (the teardown then stops what was started and exits 0): before
# any test "1..0 # SKIP why"; after a plan, the tests still to come are
# skipped; after unplanned tests, the plan is the tests run so far.
# (tests/integration/selftest-skip.sh checks all three.)
skip_all() {
    if [ -n "$SD_PLANNED" ]; then
        [ "$SD_TESTNUM" -lt "$SD_PLANNED" ] && skip $((SD_PLANNED - SD_TESTNUM)) "$*"
    elif [ "$SD_TESTNUM" -eq 0 ]; then
        echo "1..0 # SKIP $*"
        SD_PLANNED=0
    else
        diag "the rest is skipped: $*"
        plan "$SD_TESTNUM"
    fi
    SD_DONE=1
    exit 0
}

bail_out() {
    echo "Bail out! $*"
    SD_FAILED=$((SD_FAILED + 1))
    exit 1
}

# ---------------------------------------------------------------------------
# Processes

SD_PIDS=()          # started here and not yet reaped
SD_LOGS=()          # shown when the script failed
SD_DONE=
SD_TORN_DOWN=
SD_AT_TEARDOWN=()   # functions teardown runs once every process is stopped

# True while PID is a live child of this shell (not a zombie, not a PID that
# has been reaped and reused by someone else).
sd_alive() {
    local pid=$1 stat rest ppid state
    [ -r "/proc/$pid/stat" ] || return 1
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
    rest=${stat##*) }           # after "pid (comm) "
    state=${rest%% *}
    rest=${rest#* }
    ppid=${rest%% *}
    [ "$ppid" = "$$" ] && [ "$state" != Z ] && [ "$state" != X ]
}

sd_forget_pid() {
    local pid=$1 p keep=()
    for p in "${SD_PIDS[@]}"; do
        [ "$p" = "$pid" ] || keep+=("$p")
    done
    SD_PIDS=("${keep[@]}")
}

# sd_stop PID [SIGNAL]: signal (default TERM), wait up to SD_WAIT s, then
# KILL. Sets SD_STOP_STATUS to the exit status (128+n for a signal n) and
# SD_STOP_KILLED=1 when it had to be killed. Returns 0 when it exited by
# itself after the signal.
sd_stop() {
    local pid=$1 sig=${2:-TERM} deadline
    SD_STOP_KILLED=0
    SD_STOP_STATUS=
    if sd_alive "$pid"; then
        kill -s "$sig" "$pid" 2>/dev/null
        deadline=$((SECONDS + SD_WAIT))
        while sd_alive "$pid" && [ "$SECONDS" -lt "$deadline" ]; do
            sleep 0.05
        done
        if sd_alive "$pid"; then
            kill -s KILL "$pid" 2>/dev/null
            SD_STOP_KILLED=1
        fi
    fi
    wait "$pid" 2>/dev/null
    SD_STOP_STATUS=$?
    sd_forget_pid "$pid"
    sd_agent_verdict "$pid" "$sig"
    [ "$SD_STOP_KILLED" -eq 0 ]
}

sd_teardown() {
    local status=$? pid log
    [ -n "$SD_TORN_DOWN" ] && return
    SD_TORN_DOWN=1
    trap - EXIT INT TERM
    [ -n "${SD_TAP_OUT:-}" ] && exec 1>&"$SD_TAP_OUT" 2>&"$SD_TAP_ERR"
    # last started, first stopped: smsdistd before its master
    local i
    for ((i = ${#SD_PIDS[@]} - 1; i >= 0; i--)); do
        pid=${SD_PIDS[i]}
        sd_stop "$pid" TERM || echo "# pid $pid did not stop on TERM; killed"
    done
    for fn in ${SD_AT_TEARDOWN[@]+"${SD_AT_TEARDOWN[@]}"}; do
        "$fn"
    done
    if [ -n "$SD_PLANNED" ] && [ "$SD_TESTNUM" -ne "$SD_PLANNED" ]; then
        echo "# planned $SD_PLANNED tests but ran $SD_TESTNUM"
        status=1
    elif [ -z "$SD_PLANNED" ] && [ -z "$SD_DONE" ]; then
        echo "# exited before done_testing (after $SD_TESTNUM tests)"
        [ "$status" -eq 0 ] && status=1
    fi
    [ "$SD_FAILED" -gt 0 ] && [ "$status" -eq 0 ] && status=1
    if [ "$status" -ne 0 ]; then
        for log in "${SD_LOGS[@]}"; do
            echo "# ---- $log"
            diag_file "$log" 150
        done
    fi
    if [ -n "${T:-}" ] && [ -d "$T" ]; then
        if [ -n "${SD_KEEP:-}" ]; then
            echo "# kept $T"
        else
            rm -rf "$T"
        fi
    fi
    exit "$status"
}

# ---------------------------------------------------------------------------
# Setup

sd_setup() {
    command -v snmpget >/dev/null 2>&1 || skip_all "snmpget not found (Debian: apt-get install snmp)"
    if [ -z "$SNMPD" ] || [ ! -x "$SNMPD" ]; then
        skip_all "snmpd not found (Debian: apt-get install snmpd)"
    fi
    command -v "$PYTHON3" >/dev/null 2>&1 || skip_all "python3 not found"

    # A unix socket path must fit 108 bytes: fall back to /tmp for a long TMPDIR.
    local base=${TMPDIR:-/tmp}
    [ "${#base}" -gt 60 ] && base=/tmp
    T=$(mktemp -d "$base/smsdistd-it.XXXXXX") || bail_out "mktemp -d failed"
    # The TAP stream, kept for teardown: a signal may arrive while a
    # command's output is redirected (inside ok), and the trap inherits that.
    exec {SD_TAP_OUT}>&1 {SD_TAP_ERR}>&2
    trap sd_teardown EXIT
    trap 'echo "# interrupted" >&"$SD_TAP_OUT"; SD_FAILED=$((SD_FAILED + 1)); exit 130' INT
    trap 'echo "# terminated" >&"$SD_TAP_OUT"; SD_FAILED=$((SD_FAILED + 1)); exit 143' TERM

    mkdir -p "$T/conf" "$T/persist" "$T/nomibs" || bail_out "cannot populate $T"
    export SNMPCONFPATH="$T/conf"
    export SNMP_PERSISTENT_DIR="$T/persist"
    # No MIB at all by default: OIDs numeric, enums as numbers, DateAndTime
    # as its octets. The name-based checks set their own (snmp_named).
    export MIBS=""
    export MIBDIRS="$T/nomibs"
    unset SNMP_PERSISTENT_FILE

    sd_load_oids
}

# OIDs come from the C code's own table (tests/oid_dump), so re-rooting the
# MIB needs no change here. sd_oid NAME prints the numeric OID.
sd_load_oids() {
    local dump="$top_builddir/tests/oid_dump"
    if [ ! -x "$dump" ]; then
        make -C "$top_builddir" tests/oid_dump >"$T/oid_dump-build.log" 2>&1 \
            || { diag_file "$T/oid_dump-build.log" 40; bail_out "cannot build $dump"; }
    fi
    "$dump" >"$T/oids.txt" || bail_out "$dump failed"
    grep -q '^smsDistStatusTable ' "$T/oids.txt" || bail_out "$dump printed no smsDistStatusTable"
}

sd_oid() {
    local oid
    oid=$(awk -v n="$1" '$1 == n { print $2; exit }' "$T/oids.txt")
    [ -n "$oid" ] || bail_out "no OID named $1 in oid_dump's output"
    printf '%s\n' "$oid"
}

# sd_need_snmptrapd: SNMPTRAPD (default: the one on PATH, or
# /usr/sbin/snmptrapd) is there, or the script is skipped saying what to install.
sd_need_snmptrapd() {
    [ -n "${SNMPTRAPD:-}" ] || SNMPTRAPD=$(command -v snmptrapd || echo /usr/sbin/snmptrapd)
    [ -x "$SNMPTRAPD" ] || skip_all "snmptrapd not found (Debian: apt-get install snmptrapd)"
}

# sd_free_port [tcp]: a free unprivileged UDP (or TCP) port on 127.0.0.1,
# chosen by the kernel.
sd_free_port() {
    "$PYTHON3" -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if sys.argv[1:] == ["tcp"] else socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()' "$@"
}

# Polls until CMD succeeds or SD_WAIT seconds pass. Stops early (failing)
# when the process named by SD_WATCH_PID, if set, has died.
sd_poll() {
    local deadline=$((SECONDS + SD_WAIT))
    while :; do
        "$@" && return 0
        if [ -n "${SD_WATCH_PID:-}" ] && ! sd_alive "$SD_WATCH_PID"; then
            diag "process $SD_WATCH_PID died while waiting for: $*"
            return 1
        fi
        [ "$SECONDS" -ge "$deadline" ] && return 1
        sleep 0.1
    done
}

sd_master_answers() {
    snmpget -v2c -c public -t 1 -r 0 -On 127.0.0.1:"$SD_PORT" .1.3.6.1.2.1.1.3.0 >/dev/null 2>&1
}

# sd_start_trapd CONF LOG [OPTION...]: a private snmptrapd on a free port of
# 127.0.0.1 (config CONF, extra OPTIONs), writing its own messages and each
# notification received, as one "TRAP <varbinds>" line, to LOG. Sets
# SD_TRAPD_PID and SD_TRAPD_PORT; returns 1 if it did not start (3 ports tried).
sd_start_trapd() {
    local conf=$1 log=$2 attempt
    shift 2
    : "${SNMPTRAPD:=$(command -v snmptrapd || echo /usr/sbin/snmptrapd)}"
    SD_LOGS+=("$log")
    SD_TRAPD_LOG=$log
    for attempt in 1 2 3; do
        SD_TRAPD_PORT=$(sd_free_port)
        : >"$log"
        "$SNMPTRAPD" -f -C -c "$conf" "$@" -F 'TRAP %v\n' -Lf "$log" udp:127.0.0.1:"$SD_TRAPD_PORT" \
            >>"$T/snmptrapd.out" 2>&1 {SD_TAP_OUT}>&- {SD_TAP_ERR}>&- &
        SD_TRAPD_PID=$!
        SD_PIDS+=("$SD_TRAPD_PID")
        SD_WATCH_PID=$SD_TRAPD_PID sd_poll sd_log_has "$log" 'NET-SNMP version' && return 0
        sd_stop "$SD_TRAPD_PID"
    done
    return 1
}

# After sd_start_trapd: sd_traps NOTIFICATION [ERE] counts the received
# notifications NOTIFICATION (an OID) whose line matches ERE; sd_wait_trap
# waits (bounded) until there is one (WANT: that many).
sd_traps() { grep -E "= OID: $1([[:space:]]|\$)" "$SD_TRAPD_LOG" | grep -c -E -- "${2:-.}"; }
sd_traps_reach() { [ "$(sd_traps "$@")" -ge "${WANT:-1}" ]; }
sd_wait_trap() { SD_WATCH_PID=${SD_AGENT_PID:-} sd_poll sd_traps_reach "$@"; }

# sd_write_rows FILE SPEC...: an export whose rows are OBJECTID:CATEGORY:TYPE
# (Assets 3, ObjectTypeID 2, PackageID the ObjectID's first 8 characters),
# put in place by rename as exporters do.
sd_write_rows() {
    local file=$1
    shift
    "$PYTHON3" - "$file.sd-tmp" "$@" <<'PY' && mv "$file.sd-tmp" "$file"
import json, sys
rows = []
for spec in sys.argv[2:]:
    oid, cat, typ = spec.split(":")
    rows.append({"ObjectID": oid, "MessageCategory": int(cat), "Type": int(typ), "Assets": 3,
                 "ObjectTypeID": 2, "PackageID": oid[:8], "LastUpdateDate": "2026-11-20T08:15:00Z"})
json.dump({"value": rows}, open(sys.argv[1], "w"))
PY
}

# sd_index OBJECTID CATEGORY: the row's index as sub-identifiers (.len.octets....category)
sd_index() {
    local s=$1 out=".${#1}" c i
    for ((i = 0; i < ${#s}; i++)); do
        printf -v c '%d' "'${s:i:1}"
        out+=".$c"
    done
    printf '%s.%s' "$out" "$2"
}

# sd_last_error: smsDistSourceLastError.0 as its exact bytes (asked for in
# hex, so no quoting or escaping by snmpget gets in the way).
sd_last_error() {
    local out
    out=$(snmpget -v2c -c public -t 2 -r 1 -On -Ox 127.0.0.1:"$SD_PORT" \
        "$(sd_oid smsDistSourceLastError).0") || return 1
    "$PYTHON3" -c '
import sys
v = sys.stdin.read().split(" = ", 1)[1].strip()
if v.startswith("Hex-STRING:"):
    sys.stdout.write(bytes.fromhex(v[len("Hex-STRING:"):].replace("\n", " ")).decode("latin-1"))
elif v != "\"\"":
    sys.exit("not an octet string: " + v)' <<<"$out"
}

# sd_fault_hup DESC PATTERN [CONF...]: the script's agent_conf CONF..., a
# SIGHUP, then sd_expect_failure with the script's N rows.
sd_fault_hup() {
    local desc=$1 pattern=$2 before
    shift 2
    before=$(snmp_value "$(sd_oid smsDistSourceLoadFailures).0")
    agent_conf "$@"
    kill -HUP "$SD_AGENT_PID"
    sd_expect_failure "$desc" "$pattern" "$N" "$before"
}

# sd_expect_failure DESC PATTERN ROWS BEFORE: after a reconfiguration, the load
# fails (smsDistSourceLoadFailures BEFORE -> BEFORE+1), state failed(3), the
# last good ROWS stay served, and smsDistSourceLastError (left in ERR) matches
# PATTERN.
sd_expect_failure() {
    local desc=$1 pattern=$2 rows=$3 before=$4 base
    base=$(sd_oid smsDistSourceLoadFailures)
    ok sd_wait_value "$base.0" "$((before + 1))" \
        "$desc: the load fails (smsDistSourceLoadFailures $before -> $((before + 1)))"
    is "$(snmp_value "$(sd_oid smsDistSourceState).0")" 3 "$desc: smsDistSourceState is failed(3)"
    is "$(snmp_value "$(sd_oid smsDistSourceRowsServed).0")" "$rows" \
        "$desc: the last good $rows rows stay served"
    ERR=$(sd_last_error)
    like "$ERR" "$pattern" "$desc: smsDistSourceLastError says why"
}

# sd_test_pki: a test PKI in T: the CA "good" (good-ca.pem) signs server.pem
# (key server.key) for 127.0.0.1; the CA "other" (other-ca.pem) signs nothing.
sd_test_pki() {
    local ca
    for ca in good other; do
        openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$ca test CA" \
            -keyout "$T/$ca-ca.key" -out "$T/$ca-ca.pem" >>"$T/openssl.log" 2>&1 ||
            bail_out "openssl could not make the test CAs"
    done
    printf 'subjectAltName=IP:127.0.0.1\n' >"$T/san.ext"
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$T/server.key" \
        -out "$T/server.csr" >>"$T/openssl.log" 2>&1 &&
    openssl x509 -req -in "$T/server.csr" -CA "$T/good-ca.pem" -CAkey "$T/good-ca.key" \
        -CAcreateserial -days 2 -extfile "$T/san.ext" -out "$T/server.pem" >>"$T/openssl.log" 2>&1 ||
        bail_out "openssl could not sign the server certificate"
}

sd_start_master() {
    local attempt
    cat >"$T/snmpd.conf" <<EOF || bail_out "cannot write $T/snmpd.conf"
master agentx
agentXSocket ${SD_AGENTX:-$T/agentx.sock}
agentXPerms ${SD_AGENTX_PERMS:-0600 0700}
agentXTimeout 5
rocommunity public 127.0.0.1
rwcommunity private 127.0.0.1
dontLogTCPWrappersConnects yes
${SD_MASTER_EXTRA:-}
EOF
    SD_LOGS+=("$T/snmpd.log" "$T/snmpd.out")
    for attempt in 1 2 3 4 5; do
        SD_PORT=$(sd_free_port) || bail_out "cannot find a free port"
        : >"$T/snmpd.log"
        ${SD_MASTER_PRELOAD:+env LD_PRELOAD="$SD_MASTER_PRELOAD" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"} \
        "$SNMPD" -f -C -c "$T/snmpd.conf" -Lf "$T/snmpd.log" -p "$T/snmpd.pid" \
            udp:127.0.0.1:"$SD_PORT" >>"$T/snmpd.out" 2>&1 {SD_TAP_OUT}>&- {SD_TAP_ERR}>&- &
        SD_MASTER_PID=$!
        SD_PIDS+=("$SD_MASTER_PID")
        if SD_WATCH_PID=$SD_MASTER_PID sd_poll sd_master_answers; then
            return 0
        fi
        if ! sd_alive "$SD_MASTER_PID" && grep -q -i 'error opening specified endpoint\|address already in use' "$T/snmpd.log"; then
            sd_stop "$SD_MASTER_PID"
            diag "port $SD_PORT was taken (attempt $attempt); trying another"
            continue
        fi
        bail_out "master snmpd on udp:127.0.0.1:$SD_PORT did not answer within ${SD_WAIT}s"
    done
    bail_out "could not bind the master snmpd to a free port in 5 attempts"
}

# sd_start_agent LINE...: writes the lines to $T/smsdistd.conf and starts
# smsdistd in the foreground (of a background job) against the master.
# SD_AGENT_DIR (default T) holds its configuration, log, pid file and output;
# the array SD_AGENT_PREFIX (e.g. setpriv ...) goes before the command;
# SD_AGENTX is the master's socket (default $T/agentx.sock, the master's too).
sd_start_agent() {
    if [ "${SD_FORM:-subagent}" = dlmod ]; then
        # a sanitized module needs the sanitizer runtimes first in snmpd
        SD_MASTER_PRELOAD=$(ldd "$top_builddir/src/.libs/smsdist.so" 2>/dev/null |
            awk '/lib(asan|ubsan)\.so/ { printf "%s%s", sep, $3; sep = ":" }')
        sd_agent_mark "$T/snmpd.out"
        sd_start_dlmod "$@"
        sd_agent_watch "$SD_AGENT_PID"
        return
    fi
    [ -x "$SD_AGENT_BIN" ] || bail_out "$SD_AGENT_BIN not built"
    local dir=${SD_AGENT_DIR:-$T} wrap=()
    # each test keeps its notifications' state in its own folder (a later
    # notifyStateFile line in the arguments wins)
    printf '%s\n' "notifyStateFile $dir/notify.state" "$@" >"$dir/smsdistd.conf" ||
        bail_out "cannot write $dir/smsdistd.conf"
    case " ${SD_LOGS[*]} " in
        *" $dir/smsdistd.log "*) ;;
        *) SD_LOGS+=("$dir/smsdistd.log" "$dir/smsdistd.out") ;;
    esac
    if [ -n "$SD_VALGRIND" ]; then
        command -v valgrind >/dev/null 2>&1 \
            || bail_out "SD_VALGRIND is set but valgrind is not installed (Debian: apt-get install valgrind)"
        wrap=(valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
              --show-leak-kinds=definite --num-callers=30 --log-file="$dir/valgrind.%p.log")
    fi
    sd_agent_mark "$dir/smsdistd.out"
    SD_AGENT_MARK+="0 $dir/smsdistd.log"$'\n'      # -Lf: smsdistd truncates it
    ${SD_AGENT_PREFIX[@]+"${SD_AGENT_PREFIX[@]}"} ${wrap[@]+"${wrap[@]}"} \
        "$SD_AGENT_BIN" -f -C -c "$dir/smsdistd.conf" -x "${SD_AGENTX:-$T/agentx.sock}" \
        -Lf "$dir/smsdistd.log" -p "$dir/smsdistd.pid" \
        >>"$dir/smsdistd.out" 2>&1 {SD_TAP_OUT}>&- {SD_TAP_ERR}>&- &
    SD_AGENT_PID=$!
    SD_PIDS+=("$SD_AGENT_PID")
    sd_agent_watch "$SD_AGENT_PID" "${wrap[@]+$dir/valgrind.$SD_AGENT_PID.log}"
}

# SD_FORM=dlmod: the same module loaded by snmpd itself (src/smsdist.la).
# The master is (re)started with `dlmod smsdist ...` and the directives
# after it; it then plays the agent's part (SD_AGENT_PID, and smsdistd.log
# is its log).
sd_start_dlmod() {
    local so="$top_builddir/src/.libs/smsdist.so"
    [ -f "$so" ] || bail_out "$so not built"
    [ -n "${SD_MASTER_PID:-}" ] && sd_alive "$SD_MASTER_PID" && sd_stop "$SD_MASTER_PID"
    SD_MASTER_EXTRA="dlmod smsdist $so
notifyStateFile $T/notify.state
$(printf '%s\n' "$@")"
    printf '%s\n' "notifyStateFile $T/notify.state" "$@" >"$T/smsdistd.conf"
    ln -sfn "$T/snmpd.log" "$T/smsdistd.log"
    sd_start_master
    SD_AGENT_PID=$SD_MASTER_PID
}

# Stops smsdistd with SIGNAL (default TERM); SD_STOP_STATUS has its exit status.
sd_stop_agent() {
    sd_stop "$SD_AGENT_PID" "${1:-TERM}"
}

# --- memory checks of the agent at exit -------------------------------------

declare -A SD_AGENT_FILES=()    # pid -> "offset path" lines: what it wrote
declare -A SD_AGENT_VGLOG=()    # pid -> its valgrind log (under SD_VALGRIND)
SD_AGENT_MARK=

# sd_agent_mark FILE...: before a start, where the new process's output begins.
sd_agent_mark() {
    local f
    SD_AGENT_MARK=
    for f in "$@"; do
        SD_AGENT_MARK+="$(stat -c %s "$f" 2>/dev/null || echo 0) $f"$'\n'
    done
}

# sd_agent_watch PID [VALGRIND_LOG]: PID's exit is to be checked (sd_stop).
sd_agent_watch() {
    SD_AGENT_FILES[$1]=$SD_AGENT_MARK
    [ -n "${2:-}" ] && SD_AGENT_VGLOG[$1]=$2
    SD_AGENT_MARK=
}

SD_SANITIZER_RE='ERROR: AddressSanitizer|AddressSanitizer:DEADLYSIGNAL|runtime error:|LeakSanitizer'

# sd_agent_verdict PID SIGNAL: after a watched PID was reaped (SD_STOP_STATUS),
# one "not ok" when it left a sanitizer report, died of SIGABRT, or (valgrind)
# reported errors or definitely lost memory. Silent when clean.
sd_agent_verdict() {
    local pid=$1 sig=$2 off f size vg errors definite problems=() report
    [ -n "${SD_AGENT_FILES[$pid]+x}" ] || return 0
    report=$T/.verdict.$pid
    : >"$report"
    while read -r off f; do
        [ -n "$f" ] || continue
        size=$(stat -c %s "$f" 2>/dev/null || echo 0)
        [ "$size" -lt "$off" ] && off=0         # truncated since (snmpd.log)
        if tail -c +"$((off + 1))" "$f" 2>/dev/null | grep -E -q -- "$SD_SANITIZER_RE"; then
            problems+=("a sanitizer report in $f")
            tail -c +"$((off + 1))" "$f" | grep -E -m 1 -A 40 -- "$SD_SANITIZER_RE" >>"$report"
        fi
    done <<<"${SD_AGENT_FILES[$pid]}"
    unset 'SD_AGENT_FILES[$pid]'
    [ "$SD_STOP_STATUS" = 134 ] && problems+=("it died of SIGABRT (exit status 134)")
    vg=${SD_AGENT_VGLOG[$pid]:-}
    unset 'SD_AGENT_VGLOG[$pid]'
    if [ -n "$vg" ]; then
        [ "$SD_STOP_STATUS" = 99 ] && problems+=("valgrind's --error-exitcode (99)")
        errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$vg" 2>/dev/null | tail -n 1 | tr -d ,)
        definite=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$vg" 2>/dev/null | tail -n 1 | tr -d ,)
        if [ -z "$errors" ]; then
            [ "$sig" = KILL ] || problems+=("no ERROR SUMMARY in $vg (killed after ${SD_WAIT}s?)")
        elif [ "$errors" != 0 ]; then
            problems+=("valgrind: $errors errors")
        fi
        [ "${definite:-0}" != 0 ] && problems+=("valgrind: $definite bytes definitely lost")
        [ "${#problems[@]}" -gt 0 ] && grep -v -E '^==[0-9]+== *$' "$vg" | tail -n 80 >>"$report"
    fi
    [ "${#problems[@]}" -eq 0 ] && { rm -f "$report"; return 0; }
    {
        sd_result 1 "smsdistd (pid $pid) exits clean of sanitizer and valgrind reports"
        diag "$(printf '  %s\n' "${problems[@]}")"
        diag_file "$report" 120
    } >&"${SD_TAP_OUT:-1}"
    rm -f "$report"
    return 1
}

# Stops (TERM) every watched agent still running and checks it.
sd_agents_stop_all() {
    local pid
    for pid in "${!SD_AGENT_FILES[@]}"; do
        sd_stop "$pid" TERM
    done
}

# ---------------------------------------------------------------------------
# SNMP requests: v2c, 127.0.0.1 only, timeout 2 s, one retry, numeric
# output (-On), enums as numbers (-Oe). With no MIB loaded (MIBS="") values
# print as: "Gauge32: 5", "INTEGER: 3", "STRING: \"PS100095\"",
# "Hex-STRING: 07 EA ..." and an empty string as `""`.

SD_SNMP_OPTS=(-t 2 -r 1 -On -Oe)

snmp_get()      { snmpget      -v2c -c public  "${SD_SNMP_OPTS[@]}" 127.0.0.1:"$SD_PORT" "$@"; }
snmp_getnext()  { snmpgetnext  -v2c -c public  "${SD_SNMP_OPTS[@]}" 127.0.0.1:"$SD_PORT" "$@"; }
snmp_walk()     { snmpwalk     -v2c -c public  "${SD_SNMP_OPTS[@]}" 127.0.0.1:"$SD_PORT" "$@"; }
snmp_bulkwalk() { snmpbulkwalk -v2c -c public  "${SD_SNMP_OPTS[@]}" 127.0.0.1:"$SD_PORT" "$@"; }
snmp_set()      { snmpset      -v2c -c private "${SD_SNMP_OPTS[@]}" 127.0.0.1:"$SD_PORT" "$@"; }

# snmp_named CMD ARG...: CMD (snmpget, snmptable, ...) with the project's MIB
# and the base MIBs loaded; OIDs and enums by name.
snmp_named() {
    local cmd=$1
    shift
    MIBS=SMS-DISTRIBUTION-STATUS-MIB MIBDIRS="$SD_NAMED_MIBDIRS" \
        "$cmd" -v2c -c public -t 2 -r 1 127.0.0.1:"$SD_PORT" "$@"
}

# Whether the name-based checks can run: 0 yes (SD_NAMED_MIBDIRS set), 1 no
# because something cannot be had here, 2 no because something failed (in
# both cases SD_NAMED_WHY says what). Fetches the base MIBs with
# tests/mib/fetch-base-mibs.sh when they are not there yet.
sd_named_mibs() {
    local base="$top_builddir/tests/mibs-base" fetch="$top_srcdir/tests/mib/fetch-base-mibs.sh"
    local sys status
    SD_NAMED_WHY=
    if [ ! -f "$top_srcdir/mibs/SMS-DISTRIBUTION-STATUS-MIB.txt" ]; then
        SD_NAMED_WHY="mibs/SMS-DISTRIBUTION-STATUS-MIB.txt not written yet"
        return 1
    fi
    if [ ! -s "$base/SNMPv2-TC.txt" ]; then
        if [ ! -f "$fetch" ]; then
            SD_NAMED_WHY="no base MIBs in $base and no tests/mib/fetch-base-mibs.sh yet"
            return 1
        fi
        bash "$fetch" "$base" >"$T/fetch-base-mibs.log" 2>&1
        status=$?
        if [ "$status" -eq 77 ]; then
            SD_NAMED_WHY="base MIBs cannot be had here: $(tail -n 1 "$T/fetch-base-mibs.log")"
            return 1
        elif [ "$status" -ne 0 ]; then
            SD_NAMED_WHY="fetch-base-mibs.sh failed (exit $status): $(tail -n 3 "$T/fetch-base-mibs.log")"
            return 2
        fi
    fi
    sys=$(net-snmp-config --default-mibdirs 2>/dev/null | tr ':' '\n' | grep -v -F "$HOME" | paste -sd: -)
    SD_NAMED_MIBDIRS="$top_srcdir/mibs:$base${sys:+:$sys}"
    return 0
}

# The value part of one varbind ("Gauge32: 5" -> "5"; "STRING: \"x\"" -> x).
snmp_value() {
    local out
    out=$(snmp_get "$1" 2>&1) || { printf '%s\n' "$out" >&2; return 1; }
    out=${out#* = }
    case $out in
        STRING:\ \"*\") out=${out#STRING: \"}; out=${out%\"} ;;
        \"\") out= ;;
        *:\ *) out=${out#*: } ;;
    esac
    printf '%s\n' "$out"
}

# The typed value of one varbind ("Gauge32: 5", "No Such Instance ...").
snmp_typed() {
    local out
    out=$(snmp_get "$1" 2>&1) || { printf '%s\n' "$out"; return 1; }
    printf '%s\n' "${out#* = }"
}

# ---------------------------------------------------------------------------
# Waits

sd_served_is() {
    local v
    v=$(snmp_value "$SD_OID_ROWS_SERVED" 2>/dev/null) || return 1
    SD_LAST_SERVED=$v
    [ "$v" = "$1" ]
}

# sd_wait_served N: until smsDistSourceRowsServed.0 reads N through the master.
sd_wait_served() {
    SD_OID_ROWS_SERVED="$(sd_oid smsDistSourceRowsServed).0"
    SD_LAST_SERVED='(no answer)'
    if SD_WATCH_PID=${SD_AGENT_PID:-} sd_poll sd_served_is "$1"; then
        return 0
    fi
    diag "smsDistSourceRowsServed.0 did not reach $1 within ${SD_WAIT}s (last: $SD_LAST_SERVED)"
    return 1
}

sd_log_has() { grep -E -q -- "$2" "$1" 2>/dev/null; }

# sd_wait_log FILE ERE: until a line of FILE matches.
sd_wait_log() {
    if SD_WATCH_PID=${SD_AGENT_PID:-} sd_poll sd_log_has "$1" "$2"; then
        return 0
    fi
    diag "no line matching /$2/ in $1 within ${SD_WAIT}s"
    return 1
}

# sd_wait_value OID WANT: until the value part of OID reads WANT.
sd_value_is() {
    local v
    v=$(snmp_value "$1" 2>/dev/null) || return 1
    SD_LAST_VALUE=$v
    [ "$v" = "$2" ]
}

sd_wait_value() {
    SD_LAST_VALUE='(no answer)'
    if SD_WATCH_PID=${SD_AGENT_PID:-} sd_poll sd_value_is "$1" "$2"; then
        return 0
    fi
    diag "$1 did not read '$2' within ${SD_WAIT}s (last: '$SD_LAST_VALUE')"
    return 1
}

# ---------------------------------------------------------------------------
# Oracle

check_walk() { "$PYTHON3" "$SD_CHECK_WALK" "$@"; }
# sd_walk_matches JSON: one test, the walk of smsDistStatusTable equals the
# oracle's reading of the rows in JSON.
sd_walk_matches() {
    local table
    table=$(sd_oid smsDistStatusTable)
    snmp_walk "$table" >"$T/walk.txt" 2>&1
    ok check_walk compare "$1" --table-oid "$table" "$T/walk.txt" \
        "the walk of the table equals the oracle's reading of the same rows"
}

# ---------------------------------------------------------------------------
# A PKI shaped like a ConfigMgr site server's

# sd_site_pki [HOST]: in $T/site, a self-signed issuing root (like the site
# server's "SMS Issuing" certificate; root.pem, root.key) and, signed by it,
# the server certificate of HOST (default provider.sd.test; HOST.pem and
# HOST.key, subjectAltName DNS:HOST, extendedKeyUsage serverAuth), as the
# SMS Provider's IIS presents it. Sets SD_SITE (the directory) and
# SD_SITE_ROOT (root.pem, what tlsCAFile names). The host is reached with
# `httpResolve HOST:PORT:127.0.0.1`; nothing resolves it otherwise.
sd_site_pki() {
    local host=${1:-provider.sd.test}
    SD_SITE=$T/site
    SD_SITE_ROOT=$SD_SITE/root.pem
    mkdir -p "$SD_SITE" || bail_out "cannot create $SD_SITE"
    if [ ! -s "$SD_SITE_ROOT" ]; then
        printf '%s\n' "[req]" "distinguished_name = dn" "x509_extensions = root" "prompt = no" \
            "[dn]" "CN = SMS Issuing" "[root]" "basicConstraints = critical, CA:TRUE" \
            "keyUsage = critical, keyCertSign, cRLSign" "subjectKeyIdentifier = hash" \
            >"$SD_SITE/root.cnf"
        openssl req -x509 -newkey rsa:2048 -nodes -days 2 -config "$SD_SITE/root.cnf" \
            -keyout "$SD_SITE/root.key" -out "$SD_SITE_ROOT" >>"$T/openssl.log" 2>&1 ||
            bail_out "openssl could not make the site's issuing root (see $T/openssl.log)"
    fi
    sd_site_cert "$host" "DNS:$host"
}

# sd_site_cert NAME SAN: one more server certificate from the site's root
# (sd_site_pki first): $SD_SITE/NAME.pem and NAME.key for the subjectAltName
# SAN (e.g. "DNS:stray.sd.test,IP:127.0.0.1"), its CN the first name.
sd_site_cert() {
    local name=$1 san=$2 cn
    cn=${san%%,*}
    cn=${cn#*:}
    printf '%s\n' "basicConstraints = critical, CA:FALSE" \
        "keyUsage = critical, digitalSignature, keyEncipherment" \
        "extendedKeyUsage = serverAuth" "subjectAltName = $san" \
        "subjectKeyIdentifier = hash" "authorityKeyIdentifier = keyid" >"$SD_SITE/$name.ext"
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$cn" -keyout "$SD_SITE/$name.key" \
        -out "$SD_SITE/$name.csr" >>"$T/openssl.log" 2>&1 &&
    openssl x509 -req -in "$SD_SITE/$name.csr" -CA "$SD_SITE_ROOT" -CAkey "$SD_SITE/root.key" \
        -CAcreateserial -days 2 -extfile "$SD_SITE/$name.ext" -out "$SD_SITE/$name.pem" \
        >>"$T/openssl.log" 2>&1 ||
        bail_out "openssl could not sign the certificate of $name (see $T/openssl.log)"
}

# ---------------------------------------------------------------------------
# Kerberos: a private MIT realm on 127.0.0.1
#
# sd_krb5_realm starts a KDC for the realm SD.TEST (SD_KRB5_REALM) on a free
# port of 127.0.0.1 (SD_KDC_PORT), its database, configuration and log in
# $T/krb5 (SD_KRB5), and exports KRB5_CONFIG and KRB5_KDC_PROFILE, so that
# every process started afterwards (kinit, the test servers, smsdistd, under
# valgrind too: they inherit the environment) uses this realm and nothing of
# /etc. The programs come unpacked from Debian's packages (tools/krb5-kdc.sh,
# cached); when they cannot be had, the script is skipped (skip_all) saying
# why. The KDC's PID is SD_KDC_PID, in SD_PIDS. Tickets live
# SD_KRB5_LIFETIME (default 1h: ticket_lifetime and the realm's max_life,
# which kdb5_util gives krbtgt); for short tickets give the client principal
# its own: sd_krb5_addprinc NAME -maxlife 1m. KRB5CCNAME, KRB5_KTNAME and
# KRB5_CLIENT_KTNAME are unset and the default credential cache and keytabs
# are files in $T/krb5 that do not exist: no one gets credentials behind a
# test's back, and smsdistd keeps its tickets in memory. An acceptor's replay
# cache is in $T/krb5 (KRB5RCACHEDIR), not in /var/tmp.

SD_KRB5_REALM=SD.TEST

sd_krb5_realm() {
    local status attempt
    SD_KRB5=$T/krb5
    mkdir -p "$SD_KRB5" || bail_out "cannot create $SD_KRB5"
    SD_KRB5_ROOT=$(bash "$top_srcdir/tools/krb5-kdc.sh" -q 2>"$SD_KRB5/krb5-kdc.err")
    status=$?
    if [ "$status" -eq 77 ]; then
        skip_all "$(tail -n 1 "$SD_KRB5/krb5-kdc.err")"
    elif [ "$status" -ne 0 ] || [ -z "$SD_KRB5_ROOT" ]; then
        diag_file "$SD_KRB5/krb5-kdc.err" 20
        bail_out "tools/krb5-kdc.sh failed (exit $status)"
    fi
    SD_KRB5_SBIN=$SD_KRB5_ROOT/usr/sbin
    SD_KRB5_BIN=$SD_KRB5_ROOT/usr/bin
    : "${SD_KRB5_LIFETIME:=1h}"
    export KRB5_CONFIG=$SD_KRB5/krb5.conf
    export KRB5_KDC_PROFILE=$SD_KRB5/kdc.conf
    export KRB5RCACHEDIR=$SD_KRB5
    unset KRB5CCNAME KRB5_KTNAME KRB5_CLIENT_KTNAME
    SD_LOGS+=("$SD_KRB5/kdc.log" "$SD_KRB5/kdc.out")
    for attempt in 1 2 3 4 5; do
        SD_KDC_PORT=$(sd_free_port) || bail_out "cannot find a free port"
        sd_krb5_write_conf
        if [ ! -f "$SD_KRB5/principal" ]; then
            "$SD_KRB5_SBIN/kdb5_util" create -s -P "kdb-master-$$" -r "$SD_KRB5_REALM" \
                >"$SD_KRB5/kdb5_util.log" 2>&1 ||
                { diag_file "$SD_KRB5/kdb5_util.log" 20; bail_out "kdb5_util create failed"; }
        fi
        # shellcheck disable=SC2119  # no variables: the true time
        sd_krb5_start_kdc && return 0
        diag "the KDC did not start on port $SD_KDC_PORT (attempt $attempt); trying another"
    done
    bail_out "the KDC did not start in 5 attempts (see $SD_KRB5/kdc.log)"
}

# sd_krb5_write_conf: (re)writes krb5.conf and kdc.conf; SD_KRB5_LIBDEFAULTS,
# if set, is one more line of krb5.conf's [libdefaults] (e.g. "kdc_timesync
# = 0"). A running process sees the change with its next krb5 context, once
# the file's time stamp differs (MIT looks at it at most once a second).
sd_krb5_write_conf() {
    local multiarch
    multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
    printf '%s\n' "[libdefaults]" \
        "    default_realm = $SD_KRB5_REALM" \
        "    dns_lookup_kdc = false" \
        "    dns_lookup_realm = false" \
        "    dns_canonicalize_hostname = false" \
        "    rdns = false" \
        "    ticket_lifetime = $SD_KRB5_LIFETIME" \
        "    default_ccache_name = FILE:$SD_KRB5/no-default-ccache" \
        "    default_client_keytab_name = FILE:$SD_KRB5/no-client.keytab" \
        "    default_keytab_name = FILE:$SD_KRB5/no.keytab" \
        ${SD_KRB5_LIBDEFAULTS:+"$SD_KRB5_LIBDEFAULTS"} \
        "[realms]" \
        "    $SD_KRB5_REALM = {" \
        "        kdc = 127.0.0.1:$SD_KDC_PORT" \
        "    }" \
        "[domain_realm]" \
        "    .sd.test = $SD_KRB5_REALM" \
        "    sd.test = $SD_KRB5_REALM" >"$KRB5_CONFIG" || bail_out "cannot write $KRB5_CONFIG"
    printf '%s\n' "[kdcdefaults]" \
        "    kdc_listen = 127.0.0.1:$SD_KDC_PORT" \
        "    kdc_tcp_listen = 127.0.0.1:$SD_KDC_PORT" \
        "[realms]" \
        "    $SD_KRB5_REALM = {" \
        "        database_name = $SD_KRB5/principal" \
        "        key_stash_file = $SD_KRB5/stash" \
        "        acl_file = $SD_KRB5/kadm5.acl" \
        "        max_life = $SD_KRB5_LIFETIME" \
        "        max_renewable_life = 0" \
        "    }" \
        "[dbmodules]" \
        "    db_module_dir = $SD_KRB5_ROOT/usr/lib/$multiarch/krb5/plugins/kdb" \
        "[logging]" \
        "    kdc = FILE:$SD_KRB5/kdc.log" >"$KRB5_KDC_PROFILE" || bail_out "cannot write $KRB5_KDC_PROFILE"
}

# The KDC started last is up: it said so in its log (not just anyone on its port).
sd_kdc_up() {
    grep -q -F "krb5kdc[$SD_KDC_PID](info): commencing operation" "$SD_KRB5/kdc.log" 2>/dev/null &&
        (exec 3<>"/dev/tcp/127.0.0.1/$SD_KDC_PORT") 2>/dev/null
}

# sd_krb5_start_kdc [VAR=VALUE...]: (re)starts the realm's KDC on its port,
# these variables in its environment (e.g. LD_PRELOAD and FAKETIME for
# libfaketime). Returns 1 when it did not come up within SD_WAIT.
# shellcheck disable=SC2120  # the scripts pass variables (kerberos.sh)
sd_krb5_start_kdc() {
    env "$@" "$SD_KRB5_SBIN/krb5kdc" -n -P "$SD_KRB5/kdc.pid" \
        >>"$SD_KRB5/kdc.out" 2>&1 {SD_TAP_OUT}>&- {SD_TAP_ERR}>&- &
    SD_KDC_PID=$!
    SD_PIDS+=("$SD_KDC_PID")
    SD_WATCH_PID=$SD_KDC_PID sd_poll sd_kdc_up && return 0
    sd_stop "$SD_KDC_PID"
    return 1
}

# sd_krb5_stop_kdc: stops the KDC; its port then refuses, as a KDC that is down.
sd_krb5_stop_kdc() {
    sd_stop "$SD_KDC_PID"
}

# sd_krb5_restart_kdc [VAR=VALUE...]: the KDC stopped (if it runs) and
# started again with these variables, on its port, or on another one when
# someone took that meanwhile (krb5.conf and kdc.conf then rewritten; see
# sd_krb5_write_conf for when a running process sees the change).
sd_krb5_restart_kdc() {
    local attempt
    sd_alive "$SD_KDC_PID" && sd_krb5_stop_kdc
    for attempt in 1 2 3; do
        sd_krb5_start_kdc "$@" && return 0
        diag "the KDC did not start again on port $SD_KDC_PORT (attempt $attempt); trying another"
        SD_KDC_PORT=$(sd_free_port) || return 1
        sd_krb5_write_conf
    done
    return 1
}

# sd_kadmin QUERY: kadmin.local on the realm's database (its output appended
# to $SD_KRB5/kadmin.log and shown when it fails).
sd_kadmin() {
    local status
    "$SD_KRB5_SBIN/kadmin.local" -r "$SD_KRB5_REALM" -q "$1" >"$SD_KRB5/kadmin.out" 2>&1
    status=$?
    cat "$SD_KRB5/kadmin.out" >>"$SD_KRB5/kadmin.log"
    # kadmin.local -q exits 0 when the query fails: its message says so
    if [ "$status" -ne 0 ] || grep -q -E ' while |[Ee]rror|[Uu]sage:|does not exist' "$SD_KRB5/kadmin.out"; then
        diag "kadmin.local -q '$1' failed:"
        diag_file "$SD_KRB5/kadmin.out" 20
        return 1
    fi
}

# sd_krb5_addprinc NAME [OPTION...]: a principal with a random key (NAME
# without @REALM is in SD.TEST), e.g. HTTP/provider.sd.test or smsdist.
sd_krb5_addprinc() {
    local name=$1
    shift
    sd_kadmin "addprinc -randkey $* $name" || bail_out "cannot add the principal $name"
}

# sd_krb5_delprinc NAME: the KDC forgets NAME.
sd_krb5_delprinc() {
    sd_kadmin "delprinc -force $1" || bail_out "cannot delete the principal $1"
}

# sd_krb5_keytab NAME FILE: NAME's current keys added to the keytab FILE
# (mode 0600), the keys left as they are (-norandkey), so every keytab
# written for NAME stays good.
sd_krb5_keytab() {
    local name=$1 file=$2
    (umask 077 && sd_kadmin "ktadd -k $file -norandkey $name") ||
        bail_out "cannot write the keys of $name to $file"
    chmod 0600 "$file"
}

# sd_kinit PRINCIPAL KEYTAB CCACHE: a ticket-granting ticket from KEYTAB in
# the credential cache CCACHE, for the test's own clients (curl
# --negotiate); smsdistd gets its tickets itself.
sd_kinit() {
    KRB5CCNAME=$3 "$SD_KRB5_BIN/kinit" -k -t "$2" "$1"
}

# sd_python_with MODULE...: prints a python3 that can import every MODULE
# (e.g. gssapi impacket.ntlm: the test servers' Negotiate and NTLM): PYTHON3
# if it can, else /usr/bin/python3 (Debian's python3-gssapi and
# python3-impacket are there, a pyenv or venv PYTHON3 may lack them).
# Returns 1 when neither can.
sd_python_with() {
    local py mods
    mods=$(printf 'import %s\n' "$@")
    for py in "$PYTHON3" /usr/bin/python3; do
        if "$py" -c "$mods" >/dev/null 2>&1; then
            command -v "$py"
            return 0
        fi
    done
    return 1
}

# sd_adminservice NAME [VAR=VALUE...] [-- OPTION...]: the fake AdminService
# (tests/integration/adminservice.py, run by SD_ADMIN_PYTHON, default
# PYTHON3) with these variables in its environment and these options, its
# port written to $T/NAME.port, its request log $T/NAME.log, its stderr
# $T/NAME.err. Sets SD_ADMIN_PORT and SD_ADMIN_PID (in SD_PIDS).
sd_adminservice() {
    local name=$1 envs=()
    shift
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        envs+=("$1")
        shift
    done
    [ "${1:-}" = -- ] && shift
    rm -f "$T/$name.port"
    : >"$T/$name.log"
    env ${envs[@]+"${envs[@]}"} "${SD_ADMIN_PYTHON:-$PYTHON3}" \
        "$top_srcdir/tests/integration/adminservice.py" --port-file "$T/$name.port" \
        --log "$T/$name.log" "$@" 2>"$T/$name.err" {SD_TAP_OUT}>&- {SD_TAP_ERR}>&- &
    SD_ADMIN_PID=$!
    SD_PIDS+=("$SD_ADMIN_PID")
    SD_LOGS+=("$T/$name.err" "$T/$name.log")
    SD_WATCH_PID=$SD_ADMIN_PID sd_poll test -s "$T/$name.port" ||
        bail_out "the test AdminService $name did not start (see $T/$name.err)"
    SD_ADMIN_PORT=$(cat "$T/$name.port")
}

# sd_faketime_lib: prints libfaketime's path (Debian: the faketime package);
# returns 1 when it is not installed.
sd_faketime_lib() {
    local f
    for f in /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1; do
        [ -f "$f" ] && { printf '%s\n' "$f"; return 0; }
    done
    return 1
}
