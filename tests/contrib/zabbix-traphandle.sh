#!/bin/bash
# zabbix-traphandle.sh: contrib/zabbix/smsdistd-zabbix-traphandle on its own
# (tests/contrib/zabbix-server.sh runs it behind a real snmptrapd and Zabbix):
# the record's first line ("hh:mm:ss yyyy/MM/dd ZBXTRAP <address>") for the
# transport addresses snmptrapd prints, the file named by the argument or by
# ZBX_SNMPTRAPPER_FILE, a ZBXTRAP inside the notification neutralised, the
# append waiting for the file's flock, and 40 handlers running at once, each
# with a 200 KB notification, leaving 40 whole records. The records are split the way Zabbix's snmptrapper splits
# them (at each ZBXTRAP; the address is the word after it).

# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

sd_setup
command -v flock >/dev/null 2>&1 || skip_all "flock not found (util-linux)"
H=$top_srcdir/contrib/zabbix/smsdistd-zabbix-traphandle
[ -f "$H" ] || bail_out "no $H"

# handle TRANSPORT FILE [VARBIND...]: one notification through the handler (sh)
handle() {
    local transport=$1 file=$2
    shift 2
    printf '%s\n' localhost "$transport" "SNMPv2-MIB::sysUpTime.0 0:0:00:05.00" \
        "SNMPv2-MIB::snmpTrapOID.0 SMS-DISTRIBUTION-STATUS-MIB::smsDistRowEnteredError" "$@" |
        sh "$H" "$file"
}

# records FILE: Zabbix's view of FILE, one JSON line per record {addr, text}
records() {
    "$PYTHON3" - "$1" <<'PY'
import json, re, sys
data = open(sys.argv[1], encoding="utf-8", errors="replace").read()
# as snmptrapper.c: a record starts at the line holding ZBXTRAP; the word after
# it is the address; the text is what precedes ZBXTRAP on that line plus what
# follows the address up to the next record's line
starts = [m.start() for m in re.finditer(r"ZBXTRAP", data)]
for n, s in enumerate(starts):
    line = data.rfind("\n", 0, s) + 1
    m = re.match(r"ZBXTRAP\s+(\S+)", data[s:])
    end = data.rfind("\n", 0, starts[n + 1]) if n + 1 < len(starts) else len(data)
    text = data[line:s] + data[s + m.end() + 1:end]
    print(json.dumps({"addr": m.group(1), "text": text, "first": data[line:data.find("\n", s)]}))
PY
}

plan 12

F=$T/traps.log
handle "UDP: [127.0.0.1]:40000->[127.0.0.1]:162" "$F" 'SMS-DISTRIBUTION-STATUS-MIB::smsDistStatusType."PS100095".10 error'
like "$(head -n 1 "$F")" '^[0-2][0-9]:[0-5][0-9]:[0-5][0-9] [0-9]{4}/[01][0-9]/[0-3][0-9] ZBXTRAP 127\.0\.0\.1$' \
    "first line: hh:mm:ss yyyy/MM/dd ZBXTRAP 127.0.0.1 (UDP: [127.0.0.1]:40000->[127.0.0.1]:162)"
text=$(records "$F" | "$PYTHON3" -c 'import json, sys; print(json.loads(sys.stdin.readline())["text"])')
like "$text" 'snmpTrapOID\.0 SMS-DISTRIBUTION-STATUS-MIB::smsDistRowEnteredError'$'\n' \
    "the record's text holds the varbinds as snmptrapd gave them"
like "$text" 'receivedfrom UDP: \[127\.0\.0\.1\]:40000->\[127\.0\.0\.1\]:162' "and the transport address"

handle "TCP: [192.0.2.7]:5000->[192.0.2.1]:162" "$F"
handle "UDP/IPv6: [::1]:40000->[::1]:162" "$F"
handle "some transport without brackets" "$F"
is "$(records "$F" | "$PYTHON3" -c 'import json, sys; print(" ".join(json.loads(l)["addr"] for l in sys.stdin))')" \
    "127.0.0.1 192.0.2.7 ::1 0.0.0.0" "addresses: UDP, TCP, UDP/IPv6; no address in brackets: 0.0.0.0 (matches no host)"

G=$T/env.log
printf '%s\n' h "UDP: [10.1.2.3]:1->[10.1.2.4]:162" "x y" | ZBX_SNMPTRAPPER_FILE=$G sh "$H"
like "$(head -n 1 "$G" 2>/dev/null)" 'ZBXTRAP 10\.1\.2\.3$' "without an argument: the file named by ZBX_SNMPTRAPPER_FILE"
is "$(stat -c %a "$G")" 644 "a file it creates is 0644 (zabbix_server must read it)"

X=$T/forged.log
handle "UDP: [127.0.0.1]:40000->[127.0.0.1]:162" "$X" \
    $'SMS-DISTRIBUTION-STATUS-MIB::smsDistStatusPackageID."x".1 "a\n12:00:00 2026/01/01 ZBXTRAP 192.0.2.66\nforged"'
is "$(grep -c ZBXTRAP "$X")" 1 "a ZBXTRAP inside the notification does not start a record (forged address)"
like "$(cat "$X")" 'ZBX-TRAP 192\.0\.2\.66' "it is written as ZBX-TRAP"

# --- the lock -----------------------------------------------------------------------------------
# While someone holds flock on the file, a handler waits (its flock(1) child
# blocks) and appends nothing; once the lock is released, it appends.
L=$T/locked.log
: >"$L"
exec {lk}>>"$L"
flock -x "$lk" || bail_out "cannot lock $L"
printf '%s\n' localhost "UDP: [127.0.0.1]:40000->[127.0.0.1]:162" "x y" >"$T/in.lock"
# the handler itself in the background ($! its PID), without the lock's descriptor
sh "$H" "$L" <"$T/in.lock" {lk}>&- &
hp=$!
SD_PIDS+=("$hp")
blocked() { pgrep -P "$hp" -x flock >/dev/null && [ ! -s "$L" ]; }
ok sd_poll blocked "while the file is locked, the handler waits in flock(1) and writes nothing"
exec {lk}>&-
SD_WATCH_PID='' sd_poll test -s "$L"
like "$(head -n 1 "$L")" 'ZBXTRAP 127\.0\.0\.1$' "once the lock is released, its record is there"
sd_stop "$hp"

# --- 40 handlers at once, 200 KB each --------------------------------------------------------
C=$T/concurrent.log
"$PYTHON3" - "$T" <<'PY' || bail_out "cannot write the notifications"
import sys
for n in range(10, 50):
    with open("%s/in.%d" % (sys.argv[1], n), "w") as f:
        f.write("localhost\nUDP: [127.0.0.%d]:40000->[127.0.0.1]:162\n" % n)
        f.write("".join("V%d.%d %s\n" % (n, i, str(n) * 100) for i in range(1000)))
PY
pids=()
for i in $(seq 10 49); do
    sh "$H" "$C" <"$T/in.$i" &
    pids+=($!)
done
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
ok test "$status" = 0 "40 handlers at once all exit 0"
whole() {
    records "$C" | "$PYTHON3" -c '
import json, re, sys
recs = [json.loads(l) for l in sys.stdin]
bad = 0
for r in recs:
    n = r["addr"].rsplit(".", 1)[1]
    lines = [l for l in r["text"].split("\n") if l.startswith("  V")]
    want = ["  V%s.%d %s" % (n, i, n * 100) for i in range(1000)]
    if lines != want:
        bad += 1
        print("record from %s: %d varbind lines, %d as expected" % (r["addr"], len(lines),
              sum(1 for a, b in zip(lines, want) if a == b)))
print("%d records, %d broken" % (len(recs), bad))
sys.exit(0 if len(recs) == 40 and bad == 0 and len({r["addr"] for r in recs}) == 40 else 1)'
}
ok whole "40 whole records, one per handler, none interleaved with another (flock)"
done_testing
