# zabbix-template-checks.sh: the problem life cycle of the smsdistd Zabbix
# templates, in a real server. Sourced by zabbix-server.sh, which has started
# smsdistd on the combined export $C, snmptrapd, the server, imported the
# template and made the host $HOST; defines zbx_template_checks.
# shellcheck shell=bash disable=SC2154  # C, HOST, WAIT, T...: zabbix-server.sh's

# readme_block NAME: the code block of README.md marked <!-- zabbix-test:NAME -->
# (the test follows the README's steps with the README's own text)
readme_block() {
    awk -v mark="<!-- zabbix-test:$1 -->" '
        index($0, mark) { found = 1; next }
        found && /^ *```/ { if (inblock) exit; inblock = 1; next }
        inblock { sub(/^   /, ""); print }' "$top_srcdir/README.md"
}

# zbx_trap_path: README's way for notifications to reach Zabbix: snmptrapd
# with README's snmptrapd.conf (but for the handler, $HANDLER run by /bin/sh,
# the trapper file, ZBX_TRAPFILE, and the MIB, the tree's), logging to
# TRAPLOG, and the master
# snmpd sending to it. The MIB where snmptrapd looks (MIBDIRS: the README
# copies it to /usr/share/snmp/mibs); lib.sh exports MIBS="" (numeric output
# everywhere), which would override the README's "[snmp] mibs" line:
# snmptrapd gets the environment of a real system.
zbx_trap_path() {
    if [ -n "${ZBX_ROOT:-}" ]; then
        zbx_readme_trap_path "$ZBX_ROOT" "Debian 13 (Zabbix 7.0)"
        return
    fi
    local mibs_env=$MIBS
    readme_block snmptrapd.conf >"$T/snmptrapd.readme" || bail_out "no snmptrapd.conf block in README.md"
    grep -q 'smsdistd-zabbix-traphandle' "$T/snmptrapd.readme" || bail_out "README's snmptrapd.conf has no traphandle line"
    sed -e "s|/usr/local/bin/smsdistd-zabbix-traphandle|/bin/sh $HANDLER|" \
        -e "s|/var/lib/zabbix/snmptraps/snmptraps.log|$ZBX_TRAPFILE|" \
        -e "s|/usr/share/snmp/mibs/SMS-DISTRIBUTION-STATUS-MIB.txt|$top_srcdir/mibs/SMS-DISTRIBUTION-STATUS-MIB.txt|" \
        "$T/snmptrapd.readme" >"$T/snmptrapd.conf"
    unset MIBS
    MIBDIRS=$SD_NAMED_MIBDIRS sd_start_trapd "$T/snmptrapd.conf" "$TRAPLOG" || bail_out "snmptrapd did not start"
    export MIBS=$mibs_env
    # shellcheck disable=SC2034  # read by lib.sh's sd_start_master
    SD_MASTER_EXTRA="trap2sink 127.0.0.1:$SD_TRAPD_PORT public"
    sd_start_master
}

# zbx_readme_trap_path ROOT WHAT: in the chroot ROOT (a clean Debian WHAT,
# its Zabbix packages installed), README's step 3 as written: its install commands run by sh in a
# folder holding the handler and the MIB, its snmptrapd.conf as
# /etc/snmp/snmptrapd.conf, snmptrapd started as the system would (reading
# that file, as its unit's user; only the listening address is the
# test's), the server's
# SNMPTrapperFile README's path. One thing stands in for a package:
# snmp-mibs-downloader (non-free; it downloads the IETF base MIBs, which
# cannot be had here) is replaced by the same modules put where it puts
# them, /usr/share/snmp/mibs/ietf.
zbx_readme_trap_path() {
    local ZBX_ROOT=$1 what=$2 in=/root/smsdistd-readme m f d attempt
    mkdir -p "$ZBX_ROOT$in" "$ZBX_ROOT/usr/share/snmp/mibs/ietf" || bail_out "cannot prepare the chroot for README's steps"
    cp "$HANDLER" "$top_srcdir/mibs/SMS-DISTRIBUTION-STATUS-MIB.txt" "$ZBX_ROOT$in/" ||
        bail_out "cannot copy the handler and the MIB into the chroot"
    local dirs=()
    IFS=: read -r -a dirs <<<"$SD_NAMED_MIBDIRS"
    for m in SNMPv2-SMI SNMPv2-TC SNMPv2-CONF; do
        f=
        for d in "${dirs[@]}"; do
            f=$(grep -l -s "^$m DEFINITIONS" "$d"/* | head -n 1)
            [ -n "$f" ] && break
        done
        if [ -z "$f" ] || ! cp "$f" "$ZBX_ROOT/usr/share/snmp/mibs/ietf/$m"; then
            bail_out "no $m to stand in for snmp-mibs-downloader"
        fi
    done
    readme_block install >"$T/install.readme"
    grep -q 'smsdistd-zabbix-traphandle' "$T/install.readme" || bail_out "README has no install block (zabbix-test:install)"
    diag "README's install commands: $(paste -sd';' "$T/install.readme")"
    SDC_ROOT=$ZBX_ROOT sdc_run 600 sh -exc "cd $in; $(cat "$T/install.readme")" >"$T/install.out" 2>&1
    ok test "$?" = 0 "README's install commands, as written, succeed in a clean $what chroot" ||
        diag_file "$T/install.out" 20
    ok test -x "$ZBX_ROOT/usr/local/bin/smsdistd-zabbix-traphandle" -a -f "$ZBX_ROOT/usr/share/snmp/mibs/SMS-DISTRIBUTION-STATUS-MIB.txt" \
        -a "$(chroot "$ZBX_ROOT" stat -c %U:%G /var/lib/zabbix/snmptraps 2>/dev/null)" = Debian-snmp:zabbix \
        "they put the handler in /usr/local/bin, the MIB in /usr/share/snmp/mibs, and make /var/lib/zabbix/snmptraps (Debian-snmp:zabbix)"
    readme_block snmptrapd.conf >"$ZBX_ROOT/etc/snmp/snmptrapd.conf" || bail_out "cannot write the chroot's snmptrapd.conf"
    # the server reads README's path; the test reads it through the chroot
    ZBX_TRAPFILE_SERVER=/var/lib/zabbix/snmptraps/snmptraps.log
    ZBX_TRAPFILE=$ZBX_ROOT$ZBX_TRAPFILE_SERVER
    SD_LOGS+=("$TRAPLOG")
    # shellcheck disable=SC2034  # read by lib.sh's sd_traps
    SD_TRAPD_LOG=$TRAPLOG
    # as its unit runs it: User=Debian-snmp (the chroot's numbers)
    local user
    user=$(chroot "$ZBX_ROOT" id -u Debian-snmp):$(chroot "$ZBX_ROOT" id -g Debian-snmp) ||
        bail_out "no Debian-snmp user in the chroot (made by snmptrapd's package)"
    for attempt in 1 2 3; do
        SD_TRAPD_PORT=$(sd_free_port)
        : >"$TRAPLOG" && chown "$user" "$TRAPLOG" || bail_out "cannot prepare $TRAPLOG"
        chroot --userspec="$user" "$ZBX_ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/var/lib/snmp LANG=C.UTF-8 \
            /usr/sbin/snmptrapd -f -Lf "$TRAPLOG" udp:127.0.0.1:"$SD_TRAPD_PORT" \
            >>"$T/snmptrapd.out" 2>&1 {SD_TAP_OUT}>&- {SD_TAP_ERR}>&- &
        SD_TRAPD_PID=$!
        SD_PIDS+=("$SD_TRAPD_PID")
        SD_WATCH_PID=$SD_TRAPD_PID sd_poll sd_log_has "$TRAPLOG" 'NET-SNMP version' && break
        sd_stop "$SD_TRAPD_PID"
        [ "$attempt" = 3 ] && bail_out "snmptrapd did not start in the chroot"
    done
    ok test "$(grep -c -i 'cannot find module\|unlinked\|cannot adopt' "$TRAPLOG" "$T/snmptrapd.out" | awk -F: '{ s += $NF } END { print s }')" = 0 \
        "the chroot's snmptrapd loads README's MIB setting without a complaint"
    # shellcheck disable=SC2034  # read by lib.sh's sd_start_master
    SD_MASTER_EXTRA="trap2sink 127.0.0.1:$SD_TRAPD_PORT public"
    sd_start_master
}

# expected_problems FILE KIND: the names of the problems the template must
# have open for the export FILE, one per line, sorted. KIND row: one per
# status row in error (Type 3 or 4, smsdistd's default errorTypes), as the
# oracle (check_walk.py, which shares no code with smsdistd) keeps the rows;
# contentdp: one per content-on-DP row whose State is 3 or 6 (contentErrorStates).
expected_problems() {
    "$PYTHON3" - "$top_srcdir/tests/integration" "$1" "$2" "$T/expected-status.json" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[1])
from check_walk import Table
doc = json.load(open(sys.argv[2]))
names = []
if sys.argv[3] == "row":
    json.dump({"value": doc["SMS_DistributionStatus"]}, open(sys.argv[4], "w"))
    for r in Table(sys.argv[4]).rows:
        if r["Type"] in (3, 4):
            names.append("SCCM content %s is in error (category %s)" % (r["ObjectID"], r["MessageCategory"]))
else:
    dps = {}
    for d in doc["SMS_DPStatusInfo"]:
        dps[d["NALPath"]] = d
    for c in doc["SMS_PackageStatusDistPointsSummarizer"]:
        if c["State"] in (3, 6):
            nal = c["ServerNALPath"]
            server = nal.rstrip("\\").split("\\")[-1]
            names.append("SCCM content %s failed on %s" % (c["PackageID"], server))
for n in sorted(names):
    print(n)
PY
}

# rewrite_export PYTHON: applies the Python statements (on `status`, the
# status rows, `doc`, the whole export) to the export, atomically
rewrite_export() {
    "$PYTHON3" - "$C" "$C.tmp" "$1" <<'PY' && mv "$C.tmp" "$C"
import json, sys
doc = json.load(open(sys.argv[1]))
status = doc["SMS_DistributionStatus"]
exec(sys.argv[3])
json.dump(doc, open(sys.argv[2], "w"), indent=1)
PY
}

# row_problems: the per-row problems equal the rows in error of the export now
row_problems() {
    expected_problems "$C" row >"$T/want-rows.txt" || return 1
    zbx wait-problems --host "$HOST" --tag smsdist=row --names-file "$T/want-rows.txt" --timeout "$WAIT" \
        >"$T/problems.out" 2>&1 || { diag_file "$T/problems.out" 20; return 1; }
}

# row_events NAME: "opened closed" problem events of that name so far
row_events() {
    zbx dump events --host "$HOST" | "$PYTHON3" -c 'import json, sys
ev = [e for e in json.load(sys.stdin) if e["name"] == sys.argv[1] and e["value"] == "1"]
print(len(ev), sum(1 for e in ev if e["r_eventid"] != "0"))' "$1"
}

zbx_template_checks() {
    local want n name opened closed before_opened

    # a distribution point with errors vanishes from the source (taken out of
    # the hierarchy): its items discard the "no such instance" answers (never
    # unsupported: checked by zabbix-server.sh at the end) and its problem ends
    # once {$SMSDIST.ROW.NODATA} (2m here) has passed without a value. The
    # other checks run meanwhile (first, so that they overlap the wait); the
    # end is checked last.
    zbx macros --host "$HOST" '{$SMSDIST.ROW.NODATA}=2m' >/dev/null
    zbx_reload
    ok zbx wait-problems --host "$HOST" --name-re '^Content errors on distribution point Lab DP 3$' --count 1 \
        --timeout "$WAIT" "a distribution point with errors has its problem (Lab DP 3)"
    rewrite_export 'doc["SMS_DPStatusInfo"] = [d for d in doc["SMS_DPStatusInfo"] if d.get("Name") != "Lab DP 3"]'
    local dp_gone=$SECONDS

    # README, Zabbix, step 3: the server's settings for traps are the README's
    local line missing=0
    while IFS= read -r line; do
        line=${line//\/var\/lib\/zabbix\/snmptraps\/snmptraps.log/${ZBX_TRAPFILE_SERVER:-$ZBX_TRAPFILE}}
        grep -q -x -F -- "$line" "$ZBX_DIR/server/zabbix_server.conf" || { missing=1; diag "not in the server's configuration: $line"; }
    done < <(readme_block zabbix_server.conf)
    ok test "$missing" = 0 -a -n "$(readme_block zabbix_server.conf)" \
        "the server runs with README's zabbix_server.conf lines (StartSNMPTrapper, SNMPTrapperFile)"

    # README, Zabbix, step 3: the event correlation rules, as the README gives them
    readme_block correlation.create >"$T/correlation.json"
    ok zbx call correlation.create "$(cat "$T/correlation.json")" \
        "README's event correlation rules (one problem per row) are accepted by correlation.create"
    zbx_reload

    # README, Zabbix, step 2: rows already in error when the host was made
    # (their presentAtStart went to an unknown host): restart smsdistd.
    sd_stop_agent TERM
    sd_start_agent "source file:$C" "pollInterval 1"
    want=$(expected_problems "$C" row | wc -l)
    ok row_problems "after a restart of smsdistd, one problem per row in error, exactly ($want, by name, tag smsdist=row)"
    like "$(cat "$T/problems.out")" '"row": "[^"]*:\.\\"' "each carries the host and the row's index as its tag 'row'"

    # a row in error is fixed while smsdistd is stopped: at the next start it
    # is announced leaving (notifyStateFile kept it), its problem closes, and only it
    name=$(expected_problems "$C" row | head -1)
    diag "leaves error while smsdistd is stopped: $name"
    sd_stop_agent TERM
    rewrite_export 'import re
oid, cat = re.match(r"SCCM content (.*) is in error \(category (\d+)\)$", '"'$name'"').groups()
for r in status:
    if r["ObjectID"] == oid and r["MessageCategory"] == int(cat):
        r["Type"] = 1'
    sd_start_agent "source file:$C" "pollInterval 1"
    ok row_problems "a row fixed while smsdistd was stopped: at its start, smsDistRowLeftError; the row's problem closes, the others stay ($((want - 1)))"
    read -r opened closed < <(row_events "$name")
    ok test "${opened:-0}" -ge 1 -a "$opened" = "$closed" "its problem event was closed by the recovery ($opened opened, $closed closed)"

    # a Success row goes to Error and back: one problem, opened and closed
    name=$(rewrite_export 'for r in status:
    if r["Type"] == 1 and sum(1 for x in status if (x["ObjectID"], x["MessageCategory"]) == (r["ObjectID"], r["MessageCategory"])) == 1:
        r["Type"] = 3
        print("SCCM content %s is in error (category %s)" % (r["ObjectID"], r["MessageCategory"]), file=sys.stderr)
        break' 2>&1 >/dev/null)
    diag "to Error and back: $name"
    ok row_problems "a Success row enters error: one more problem ($name)"
    rewrite_export 'for r in status:
    if "SCCM content %s is in error (category %s)" % (r["ObjectID"], r["MessageCategory"]) == '"'$name'"':
        r["Type"] = 1'
    ok row_problems "and back to Success: the problem closes"
    read -r opened closed < <(row_events "$name")
    is "$opened $closed" "1 1" "the flip made exactly one problem event, and its recovery"

    # a row in error vanishes from the source: smsDistRowLeftError, reason removed
    name=$(expected_problems "$C" row | tail -1)
    rewrite_export 'doc["SMS_DistributionStatus"] = [r for r in status
    if "SCCM content %s is in error (category %s)" % (r["ObjectID"], r["MessageCategory"]) != '"'$name'"']'
    ok row_problems "a row in error vanishes from the source: its problem closes ($name)"

    # a burst past smsdistd's rate limit (2 per 3 s here): the entries past it
    # are deferred, not lost, and the per-row problems converge on the rows in
    # error; then all of them go back, ways out never held back
    local hup0 k=6
    hup0=$(grep -c 'SIGHUP: re-reading' "$T/smsdistd.log")
    printf '%s\n' "notifyRateLimit 2 3" >>"$T/smsdistd.conf"
    kill -HUP "$SD_AGENT_PID"
    hup_seen() { [ "$(grep -c 'SIGHUP: re-reading' "$T/smsdistd.log")" -gt "$hup0" ]; }
    ok zbx_wait "$WAIT" hup_seen "smsdistd re-reads its configuration: notifyRateLimit 2 3"
    local supp0 burst
    supp0=$(grep -c 'smsDistNotificationsSuppressed' "$ZBX_TRAPFILE")
    burst=$(rewrite_export 'k = 0
for r in status:
    if k < '"$k"' and r["Type"] == 1 and sum(1 for x in status if (x["ObjectID"], x["MessageCategory"]) == (r["ObjectID"], r["MessageCategory"])) == 1:
        r["Type"] = 3
        k += 1
        print(r["ObjectID"], r["MessageCategory"], file=sys.stderr)' 2>&1 >/dev/null)
    diag "$k rows enter error at once: ${burst//$'\n'/, }"
    supp_seen() { [ "$(grep -c 'smsDistNotificationsSuppressed' "$ZBX_TRAPFILE")" -gt "$supp0" ]; }
    ok zbx_wait "$WAIT" supp_seen "the limit held $((k - 2)) back: smsDistNotificationsSuppressed reached the trap file"
    ok row_problems "the deferred ones follow in the next windows: one problem per row in error, exactly ($(expected_problems "$C" row | wc -l))"
    rewrite_export 'rows = set(tuple(l.split()) for l in """'"$burst"'""".splitlines() if l.strip())
for r in status:
    if (r["ObjectID"], str(r["MessageCategory"])) in rows:
        r["Type"] = 1'
    ok row_problems "all $k back to Success at once: their problems close, past the limit"
    sed -i '/^notifyRateLimit 2 3$/d' "$T/smsdistd.conf"
    hup0=$(grep -c 'SIGHUP: re-reading' "$T/smsdistd.log")
    kill -HUP "$SD_AGENT_PID"
    ok zbx_wait "$WAIT" hup_seen "smsdistd back to the default rate limit"

    # content on distribution points: one Information problem per failed row
    expected_problems "$C" contentdp >"$T/want-cdp.txt"
    n=$(wc -l <"$T/want-cdp.txt")
    ok zbx wait-problems --host "$HOST" --tag smsdist=drilldown --tag contentdp --names-file "$T/want-cdp.txt" \
        --timeout "$WAIT" "one problem per failed content-on-DP row ($n), from smsDistContentDPEnteredFailed"

    # one cause, one alert: with more rows in error than {$SMSDIST.ROWS.ERROR.MAX},
    # one problem, and a row entering error raises none of its own
    n=$(expected_problems "$C" row | wc -l)
    zbx macros --host "$HOST" "{\$SMSDIST.ROWS.ERROR.MAX}=$((n - 1))" >/dev/null
    zbx_reload
    zbx check-now --host "$HOST" >/dev/null
    ok zbx wait-problems --host "$HOST" --name-re '^smsdistd: many content status rows in error' --count 1 \
        --timeout "$WAIT" "more rows in error ($n) than {\$SMSDIST.ROWS.ERROR.MAX} ($((n - 1))): one problem"
    # the row it will flip (the first unique Success row): its events so far
    name=$(expected_problems "$C" row >/dev/null; "$PYTHON3" -c 'import json, sys
status = json.load(open(sys.argv[1]))["SMS_DistributionStatus"]
for r in status:
    if r["Type"] == 1 and sum(1 for x in status if (x["ObjectID"], x["MessageCategory"]) == (r["ObjectID"], r["MessageCategory"])) == 1:
        print("SCCM content %s is in error (category %s)" % (r["ObjectID"], r["MessageCategory"]))
        break' "$C")
    read -r before_opened closed < <(row_events "$name")
    name=$(rewrite_export 'for r in status:
    if r["Type"] == 1 and sum(1 for x in status if (x["ObjectID"], x["MessageCategory"]) == (r["ObjectID"], r["MessageCategory"])) == 1:
        r["Type"] = 4
        print("SCCM content %s is in error (category %s)" % (r["ObjectID"], r["MessageCategory"]), file=sys.stderr)
        break' 2>&1 >/dev/null)
    local oid=${name#SCCM content }
    oid=${oid% is in error (category *}
    ok sd_wait_log "$ZBX_TRAPFILE" "smsDistStatusType\\.\"$oid\"" "the row's smsDistRowEnteredError reached the trap file ($oid)"
    zbx_kick
    ok zbx wait-value --host "$HOST" --key smsdist.rows.error --value $((n + 1)) --timeout "$WAIT" \
        "Zabbix has seen the new row in error ($((n + 1)) rows)"
    read -r opened closed < <(row_events "$name")
    is "$((${opened:-0} - ${before_opened:-0}))" 0 "while 'many content status rows in error' is open, the new row raises no problem of its own (dependency)"
    zbx macros --host "$HOST" "{\$SMSDIST.ROWS.ERROR.MAX}=20" >/dev/null
    zbx_reload

    ok zbx wait-problems --host "$HOST" --name-re '^Content errors on distribution point Lab DP 3$' --count 0 \
        --timeout $((WAIT + 180)) "the distribution point left the source: its problem ended (nodata)"
    diag "the vanished distribution point's problem ended $((SECONDS - dp_gone)) s after it left the source"

    # nothing left behind: no unsupported item, no trigger in an unknown state
    ok zbx_wait "$WAIT" no_unknown_triggers "no trigger of the host is in the unknown state"
}

no_unknown_triggers() {
    zbx dump triggers --host "$HOST" >"$T/triggers.json" &&
        "$PYTHON3" -c 'import json, sys
bad = [t for t in json.load(open(sys.argv[1])) if t["state"] != "0"]
for t in bad:
    print("%s: %s" % (t["description"], t["error"]))
sys.exit(1 if bad else 0)' "$T/triggers.json"
}
