#!/bin/bash
# operator.sh: what an operator does to a running smsdistd, and what they
# see. Through a real snmpd, snmptrapd and the daemon's own log:
#   - reloads (SIGHUP) with an emptied configuration, a bad source line, a
#     misspelt directive, an out-of-range value, an unreadable file: each is
#     refused whole with file, line and reason, counted in the MIB, and the
#     daemon goes on serving and following its source (it used to crash on
#     the next file change);
#   - smsdistd -t: every problem with file and line, exit 0/1, connects to
#     nothing; a start with a bad configuration exits 1 and says why;
#   - a change of errorTypes alone takes effect at once: summary scalars and
#     smsDistRowEnteredError / smsDistRowLeftError for the rows it moves;
#   - a writer that rewrites the file every 50 ms does not starve loads;
#   - a second smsdistd on the same master says in plain words that it serves
#     nothing, and takes over once the first one goes.

. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

sd_setup
sd_need_snmptrapd
command -v setpriv >/dev/null 2>&1 || skip_all "setpriv not found (Debian: util-linux)"

D=$T/export
mkdir -p "$D"
FILE=$D/distribution.json
CONF=$T/smsdistd.conf
ENTERED=$(sd_oid smsDistRowEnteredError)
LEFT=$(sd_oid smsDistRowLeftError)
REASON=$(sd_oid smsDistNotifyReason)
scalar() { snmp_value "$(sd_oid "$1").0"; }

write_rows() { sd_write_rows "$FILE" "$@"; }
idx() { sd_index "$@"; }

TLOG=$T/traps.log
printf 'disableAuthorization yes\n' >"$T/snmptrapd.conf"
sd_start_trapd "$T/snmptrapd.conf" "$TLOG" -On || bail_out "snmptrapd did not start"
traps() { sd_traps "$@"; }
wait_trap() { sd_wait_trap "$@"; }

SD_MASTER_EXTRA="trap2sink 127.0.0.1:$SD_TRAPD_PORT public"
sd_start_master

GOOD=("source file:$FILE" "pollInterval 1" "agentXPingInterval 1" "errorTypes 3")
write_rows PS100001:1:1 PS100002:1:3 PS100003:1:5
sd_start_agent "${GOOD[@]}"
ok sd_wait_served 3 "start: 3 rows served"
is "$(scalar smsDistConfigReloadsRefused)" 0 "smsDistConfigReloadsRefused starts at 0"
is "$(scalar smsDistConfigError)" "" "smsDistConfigError starts empty"
AGENT=$SD_AGENT_PID

# reload_with LINE...: the configuration becomes LINE..., then SIGHUP.
reload_with() {
    printf '%s\n' "$@" >"$CONF"
    kill -HUP "$AGENT"
}
refused_is() { sd_wait_value "$(sd_oid smsDistConfigReloadsRefused).0" "$1"; }

# --- a reload never makes things worse -------------------------------------
reload_with "# emptied by mistake"
ok refused_is 1 "an emptied configuration: the reload is refused (smsDistConfigReloadsRefused 1)"
like "$(scalar smsDistConfigError)" "no 'source' directive" "smsDistConfigError says there is no source"
ok sd_wait_log "$T/smsdistd.log" "configuration reload refused: .*no 'source' directive.*still running on the previous configuration \\(source file:$FILE\\)" \
    "the log says the reload was refused and what still runs"
write_rows PS100001:1:1 PS100002:1:3 PS100003:1:5 PS100004:1:1
ok sd_wait_served 4 "the next file change is loaded (it crashed the daemon before)"

reload_with "source ftp://provider/AdminService/wmi/SMS_DistributionStatus" "pollInterval 1"
ok refused_is 2 "a bad source line: refused"
like "$(scalar smsDistConfigError)" "smsdistd.conf: line 1: source: unsupported URI 'ftp://" \
    "smsDistConfigError gives file, line and reason"
write_rows PS100001:1:1 PS100002:1:3 PS100003:1:5
ok sd_wait_served 3 "and the old source is still followed"

reload_with "${GOOD[@]}" "maxRowz 100"
ok refused_is 3 "a misspelt directive (maxRowz): refused"
like "$(scalar smsDistConfigError)" "smsdistd.conf: line 5: unknown directive 'maxRowz' \\(did you mean maxRows\\?\\)" \
    "smsDistConfigError names the line, the word and what was meant"

reload_with "${GOOD[@]}" "pollInterval 0"
ok refused_is 4 "an out-of-range value: refused"
like "$(scalar smsDistConfigError)" "line 5: pollInterval: '0' is not a number from 1 to 86400" \
    "the message gives the real range"

reload_with "${GOOD[@]}" "staleAfter 99999999999" "tlsCAFlie /nonexistent" "errorTypes"
ok refused_is 5 "three problems at once: one refusal"
like "$(scalar smsDistConfigError)" "line 5: staleAfter: .* \\(and 2 more problems\\)" \
    "the first problem is shown, with a count of the others"
n_lines=$(grep -c -E "smsdistd.conf: line (5|6|7): " "$T/smsdistd.log")
ok test "$n_lines" -ge 3 "every problem is logged with its line ($n_lines lines)"

mv "$CONF" "$CONF.away" && mkdir "$CONF"
kill -HUP "$AGENT"
ok refused_is 6 "the configuration file replaced by a directory: refused"
like "$(scalar smsDistConfigError)" "cannot read $CONF: not a regular file" "smsDistConfigError says so"
rmdir "$CONF" && mv "$CONF.away" "$CONF"
ok sd_alive "$AGENT" "smsdistd is still running after six refused reloads"
snmp_walk "$(sd_oid smsDistStatusTable)" >"$T/walk.txt" 2>&1
is "$(grep -c "$(sd_oid smsDistStatusType)\\." "$T/walk.txt")" 3 "and serves its 3 rows"

# --- a good reload is applied and clears the error ------------------------
reload_with "${GOOD[@]}" "staleAfter 77"
ok sd_wait_value "$(sd_oid smsDistSourceStaleAfter).0" 77 "a good reload is applied (staleAfter 77)"
is "$(scalar smsDistConfigError)" "" "smsDistConfigError is empty again"
is "$(scalar smsDistConfigReloadsRefused)" 6 "the refusals stay counted"

# --- a policy change applies at once ----------------------------------------
I3=$(idx PS100003 1)
ok sd_wait_value "$(sd_oid smsDistRowsError).0" 1 "errorTypes 3: one row in error"
reload_with "source file:$FILE" "pollInterval 1" "agentXPingInterval 1" "errorTypes 3 5"
ok sd_wait_value "$(sd_oid smsDistRowsError).0" 2 "errorTypes 3 5, same rows: smsDistRowsError is 2 at once"
ok wait_trap "$ENTERED" "$REASON$I3 = INTEGER: 1" "and PS100003 (Type 5) gets smsDistRowEnteredError"
reload_with "${GOOD[@]}"
ok sd_wait_value "$(sd_oid smsDistRowsError).0" 1 "back to errorTypes 3: smsDistRowsError 1"
ok wait_trap "$LEFT" "$REASON$I3 = INTEGER: 2" "and PS100003 gets smsDistRowLeftError"

# --- smsdistd -t ---------------------------------------------------------------
"$SD_AGENT_BIN" -t -C -c "$CONF" >"$T/t-good.out" 2>&1
is "$?" 0 "smsdistd -t on the configuration in use: exit 0"
like "$(cat "$T/t-good.out")" "configuration $CONF is fine" "and says it is fine"
printf '%s\n' "source file:$FILE" "tlsCAFlie /x" "maxRows -1" "httpCredentials $T/creds" >"$T/bad.conf"
printf 'user:secret\n' >"$T/creds" && chmod 0644 "$T/creds"
# a listener where the master's AgentX socket would be: -t must not connect
"$PYTHON3" - "$T/probe.sock" "$T/probe.log" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(5); s.settimeout(0.2)
deadline = time.time() + 30
while time.time() < deadline:
    try:
        c, _ = s.accept(); open(sys.argv[2], "a").write("connection\n"); c.close()
    except socket.timeout:
        pass
PY
PROBE=$!
SD_PIDS+=("$PROBE")
sd_poll test -S "$T/probe.sock" || bail_out "the probe listener did not start"
"$SD_AGENT_BIN" -t -C -c "$T/bad.conf" -x "$T/probe.sock" >"$T/t-bad.out" 2>&1
is "$?" 1 "smsdistd -t on a bad configuration: exit 1"
out=$(cat "$T/t-bad.out")
like "$out" "bad.conf: line 2: unknown directive 'tlsCAFlie' \\(did you mean tlsCAFile\\?\\)" "-t: the misspelt directive, with its line"
like "$out" "bad.conf: line 3: Error: maxRows: '-1' is not a number from 1 to 4294967295" "-t: the bad number, with its line and range"
like "$out" "bad.conf: line 4: Error: credentials file $T/creds: refused: mode 0644" "-t: the credentials file's mode"
like "$out" "3 problems" "-t counts them"
printf '%s\n' "source file:$FILE" "notifyRateLimit 20 60 0" "notifyRateLimit 20 60 5 9" "notifyRateLimit 100 60 5" >"$T/rate.conf"
"$SD_AGENT_BIN" -t -C -c "$T/rate.conf" >"$T/t-rate.out" 2>&1
is "$?" 1 "smsdistd -t: notifyRateLimit's BURST is checked too"
out=$(cat "$T/t-rate.out")
like "$out" "rate.conf: line 2: Error: notifyRateLimit: '0' is not a number from 1 to 100000" "-t: a burst of 0, with its line and range"
like "$out" "rate.conf: line 3: .*notifyRateLimit: N SECONDS \\[BURST\\]" "-t: a fourth word, with the form"
like "$out" "2 problems" "-t: line 4 (100 per 60 s, bursts of 5) is fine"
"$SD_AGENT_BIN" -t -C -c "$CONF" -x "$T/probe.sock" >/dev/null 2>&1
ok test ! -s "$T/probe.log" "-t connected to nothing (the AgentX probe saw no connection)"
sd_stop "$PROBE"

# unreadable for the user smsdistd runs as
mkdir -p "$T/pub" && chmod 0711 "$T" && chmod 0755 "$T/pub"
printf '%s\n' "source file:$FILE" >"$T/pub/private.conf" && chmod 0600 "$T/pub/private.conf"
setpriv --reuid=65534 --regid=65534 --clear-groups -- "$SD_AGENT_BIN" -t -C -c "$T/pub/private.conf" >"$T/t-perm.out" 2>&1
is "$?" 1 "-t as another user on a 0600 root file: exit 1"
like "$(cat "$T/t-perm.out")" "cannot read $T/pub/private.conf: Permission denied" "and it says Permission denied (not 'no source')"
setpriv --reuid=65534 --regid=65534 --clear-groups -- "$SD_AGENT_BIN" -f -C -c "$T/pub/private.conf" \
    -x "$T/probe.sock" -Lo >"$T/start-perm.out" 2>&1
is "$?" 1 "a start on an unreadable configuration exits 1"
like "$(cat "$T/start-perm.out")" "not starting: cannot read $T/pub/private.conf: Permission denied" "and says why"
chmod 0700 "$T"

# --- a busy writer does not starve loads ------------------------------------
loads=$(scalar smsDistSourceLoads)
"$PYTHON3" - "$D" "$FILE" "$T/writer.stop" <<'PY' &
import json, os, sys, time
d, path, stop = sys.argv[1:4]
deadline = time.time() + 60          # bounded: at most 60 s, 1200 rewrites
for i in range(1200):
    if time.time() > deadline or os.path.exists(stop):
        break
    rows = [{"ObjectID": "PS1%05d" % n, "MessageCategory": 1, "Type": 1, "Assets": i, "ObjectTypeID": 2,
             "PackageID": "PS1%05d" % n, "LastUpdateDate": "2026-11-20T08:15:00Z"} for n in range(3)]
    tmp = os.path.join(d, ".busy")
    json.dump({"value": rows}, open(tmp, "w"))
    os.rename(tmp, path)
    time.sleep(0.05)
PY
WRITER=$!
SD_PIDS+=("$WRITER")
more_loads() { [ "$(scalar smsDistSourceLoads)" -ge "$((loads + 2))" ]; }
SD_WAIT=$((SD_WAIT > 15 ? SD_WAIT : 15)) sd_poll more_loads
ok test $? -eq 0 "while a writer rewrites the file every 50 ms, loads still happen (2 more, not one per burst's end)"
ok sd_alive "$WRITER" "(the writer was still writing then)"
touch "$T/writer.stop"
sd_stop "$WRITER"

# --- one subtree, one owner --------------------------------------------------
write_rows PS100001:1:1 PS100002:1:3 PS100003:1:5
ok sd_wait_served 3 "the first smsdistd serves 3 rows"
mkdir -p "$T/second" "$D/second"
"$PYTHON3" -c 'import json,sys; json.dump({"value": [{"ObjectID": "PS2%05d" % n, "MessageCategory": 1, "Type": 1, "Assets": 1, "ObjectTypeID": 2, "PackageID": "X", "LastUpdateDate": "2026-11-20T08:15:00Z"} for n in range(7)]}, open(sys.argv[1], "w"))' \
    "$D/second/d.json"
SD_AGENT_DIR=$T/second sd_start_agent "source file:$D/second/d.json" "pollInterval 1" "agentXPingInterval 1"
SECOND=$SD_AGENT_PID
SD_AGENT_PID=$AGENT
ok sd_wait_log "$T/second/smsdistd.log" "the master refused to let smsdistd serve SMS-DISTRIBUTION-STATUS-MIB \\(AgentX error 263, duplicateRegistration: another agent already serves this subtree at the master\\); NOTHING is served" \
    "the second smsdistd says in plain words that another agent holds the MIB"
ok sd_wait_log "$T/second/smsdistd.log" "loaded 7 rows .*NOT served: the master refused our registration" \
    "its 'loaded' line says the rows are not served"
is "$(scalar smsDistSourceRowsServed)" 3 "the first one's 3 rows are what the master serves"
sd_stop "$AGENT"
is "$SD_STOP_STATUS" 0 "the first smsdistd exits 0"
SD_AGENT_PID=$SECOND
# it registers again after 1, 2, 4, 8... s (agentXPingInterval 1, doubling)
SD_WAIT=$((SD_WAIT > 40 ? SD_WAIT : 40)) sd_wait_served 7
ok test $? -eq 0 "the second takes over: its 7 rows are served"
ok sd_log_has "$T/second/smsdistd.log" "registered at the master after [0-9]+ s of refusals; now serving" \
    "and it says so"
sd_stop "$SECOND"
is "$SD_STOP_STATUS" 0 "the second smsdistd exits 0"
done_testing
