#!/bin/bash
# startfail.sh: a start that fails half-way undoes what it started.
#
# In the dlmod form the module's registration fails when something else in
# snmpd already serves smsDistObjects (here a `pass` line before the dlmod
# line). The start used to return leaving its 1-second alarm, its loader
# thread (with its wakeup pipe) and its file watch behind, one more set at
# every snmpd reload, which unloads the module under them. Now the failed
# start stops all of it: snmpd keeps its one thread and its file
# descriptors through any number of reloads, and goes on answering.
#
# The subagent form: a start on a bad configuration exits 1 at once, and
# one whose master refuses our registration keeps running and says so
# (operator.sh).

SD_FORM=dlmod
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

sd_setup
SO="$top_builddir/src/.libs/smsdist.so"
[ -f "$SO" ] || bail_out "$SO not built"

D=$T/export
mkdir -p "$D"
cp "$SD_DATA/serve/sample.json" "$D/distribution.json"
OBJECTS=$(sd_oid smsDistObjects)

# a sanitized module needs the sanitizer runtimes first in snmpd
SD_MASTER_PRELOAD=$(ldd "$SO" 2>/dev/null | awk '/lib(asan|ubsan)\.so/ { printf "%s%s", sep, $3; sep = ":" }')
SD_MASTER_EXTRA="pass $OBJECTS /bin/true
dlmod smsdist $SO
source file:$D/distribution.json
pollInterval 1"
ln -sfn "$T/snmpd.log" "$T/smsdistd.log"
sd_agent_mark "$T/snmpd.out" "$T/snmpd.log"
sd_start_master
SD_AGENT_PID=$SD_MASTER_PID
sd_agent_watch "$SD_AGENT_PID"

ok sd_wait_log "$T/snmpd.log" "cannot register SMS-DISTRIBUTION-STATUS-MIB" \
    "the module's registration fails (a pass line holds smsDistObjects) and says so"
ok sd_master_answers "snmpd goes on answering"
threads() { awk '/^Threads:/ { print $2 }' "/proc/$SD_MASTER_PID/status"; }
fds() { find "/proc/$SD_MASTER_PID/fd" -mindepth 1 -maxdepth 1 | wc -l; }
is "$(threads)" 1 "no thread of the module is left running (snmpd has its one thread)"
FDS=$(fds)

# Three reloads: each unloads the module and loads it again; each start
# fails again. Between them, snmpd must stay up for longer than the
# module's 1-second alarm period.
for round in 1 2 3; do
    before=$(grep -c "cannot register SMS-DISTRIBUTION-STATUS-MIB" "$T/snmpd.log")
    kill -HUP "$SD_MASTER_PID"
    again() { [ "$(grep -c "cannot register SMS-DISTRIBUTION-STATUS-MIB" "$T/snmpd.log")" -gt "$before" ]; }
    ok sd_poll again "reload $round: the module is loaded again and its start fails again"
    # snmpd answers at every poll over 3 s (3 periods of the old alarm)
    up=0 answered=0 deadline=$((SECONDS + 3))
    while [ "$SECONDS" -lt "$deadline" ] && [ "$up" -lt 60 ]; do
        up=$((up + 1))
        sd_master_answers && answered=$((answered + 1))
        sleep 0.1
    done
    is "$answered" "$up" "reload $round: snmpd answered all $up polls over the next 3 s"
    is "$(threads)" 1 "reload $round: still one thread"
    is "$(fds)" "$FDS" "reload $round: no file descriptor left behind ($FDS open)"
done
ok sd_alive "$SD_MASTER_PID" "snmpd is still running"
sd_stop "$SD_MASTER_PID" TERM
is "$SD_STOP_STATUS" 0 "snmpd exits 0"
done_testing
