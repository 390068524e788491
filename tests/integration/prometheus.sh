#!/bin/bash
# prometheus.sh: contrib/prometheus, the snmp_exporter modules and alerting
# rules, against Debian's prometheus-snmp-exporter and promtool:
#   - snmp.yml is exactly what prometheus-snmp-generator makes of the
#     committed generator.yml and the MIB (with snmp_exporter 0.21, the
#     version it was made with; another version generates its own and the
#     live checks use that), and the exporter accepts it;
#   - `promtool check rules` accepts smsdistd-rules.yml and `promtool test
#     rules` proves it on smsdistd-rules.test.yml;
#   - the exporter, on a free port of 127.0.0.1 only, scraping a live
#     smsdistd (behind a private snmpd) serving tests/data/serve/sample.json:
#     every series of every row, every label (the 93-character application
#     ObjectIDs whole) and value, as the independent oracle
#     (check_prometheus.py, on check_walk.py's reading of the file) says; the
#     health scalars as the agent serves them and as the source implies;
#     module smsdistd_health; a failed source; and what the exporter answers
#     when smsdistd is detached (no smsDist series) or the agent does not
#     answer (HTTP 500: up == 0), the premises of the unreachable and
#     not-attached alerts;
#   - the per-distribution-point view (smsDistLoadTable, smsDistDPTable, the
#     State column of smsDistContentDPTable, smsDistDPSummary): exactly its
#     families in each module, and, once the source is a combined export,
#     every series of every DP and content row, the load rows and the DP
#     summary as check_tables.py (the oracle of those tables) reads the file.
#     check_prometheus.py knows the families of smsDistStatusTable and the
#     scalars only: it is given each scrape without the new families
#     (strip_new), which newprom (below) checks instead.
#
# SD_PROM_DIR=DIR checks another copy of contrib/prometheus (to see a broken
# one fail).

# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

PROM_DIR=${SD_PROM_DIR:-$top_srcdir/contrib/prometheus}
EXPORTER=${PROMETHEUS_SNMP_EXPORTER:-prometheus-snmp-exporter}
GENERATOR=${PROMETHEUS_SNMP_GENERATOR:-prometheus-snmp-generator}
PROMTOOL=${PROMTOOL:-promtool}
# Before sd_setup: a skip_all after it would count as an error.
for tool in "$EXPORTER" "$GENERATOR"; do
    command -v "$tool" >/dev/null 2>&1 ||
        skip_all "$tool not found (Debian: apt-get install prometheus-snmp-exporter)"
done
command -v "$PROMTOOL" >/dev/null 2>&1 || skip_all "$PROMTOOL not found (Debian: apt-get install prometheus)"
command -v curl >/dev/null 2>&1 || skip_all "curl not found (Debian: apt-get install curl)"

sd_setup

CHECK=$top_srcdir/tests/integration/check_prometheus.py
cprom() { "$PYTHON3" "$CHECK" "$@"; }

# newprom: the families and series of the per-distribution-point view.
#   newprom families SCRAPE --module M [--rows]
#       the new families of module M are exactly what it must have, each with
#       its TYPE and HELP (--rows: the DP and content families too, which
#       only exist when those tables have rows)
#   newprom strip SCRAPE OUT      SCRAPE without the new families (for cprom)
#   newprom tables SCRAPE --input JSON --uri URI --module M
#       every series of smsDistDPTable and smsDistContentDPTable exactly (none
#       missing, none extra, labels and values) as check_tables.py reads JSON
#       (module smsdistd); the rows of smsDistLoadTable (tables 1, 2, 3: ok,
#       the URI, rows served, rejected, duplicate; row 1 = the smsDistSource
#       scalars); the smsDistDPSummary scalars (both modules)
cat >"$T/newprom.py" <<'PY' || bail_out "cannot write newprom.py"
import argparse, os, sys
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests", "integration"))
import check_prometheus as cp   # the exposition parser, DateAndTime -> Unix s

PREFIXES = ("smsDistLoad", "smsDistDP", "smsDistContentDP")
LOAD = {"smsDistLoadURI": "text", "smsDistLoadState": "stateset", "smsDistLoadLastGood": "date",
        "smsDistLoadLastAttempt": "date", "smsDistLoadLastError": "text",
        "smsDistLoadLastErrorTime": "date", "smsDistLoadCount": "counter",
        "smsDistLoadFailures": "counter", "smsDistLoadRowsServed": "gauge",
        "smsDistLoadRowsRejected": "gauge", "smsDistLoadRowsDuplicate": "gauge",
        "smsDistLoadDataAge": "gauge", "smsDistLoadStaleAfter": "gauge"}
DPSUM = ["smsDistDPCount", "smsDistDPsWithErrors", "smsDistContentDPRows",
         "smsDistContentDPFailed", "smsDistContentDPPending"]
DP = ["smsDistDPNALPath", "smsDistDPMessageState", "smsDistDPNumberErrors",
      "smsDistDPNumberInProgress", "smsDistDPNumberInstalled", "smsDistDPNumberUnknown",
      "smsDistDPLastStatusTime", "smsDistDPIsPullDP_info", "smsDistDPIsPXE_info",
      "smsDistDPVersion"]
CONTENT = ["smsDistContentDPState"]
STATE_NAMES = {1: "success", 2: "inProgress", 3: "error", 4: "failed"}
TRUTH = {1: "true", 2: "false"}

def new(name):
    return name.startswith(PREFIXES)

def families(sc, a):
    errs = list(sc.errors)
    # smsDistDPSummary is not served while no DP table is (a one-class export)
    want = set(LOAD) | (set(DPSUM) if a.rows else set())
    allowed = set(LOAD) | set(DPSUM)
    if a.module == "smsdistd":
        allowed |= set(DP) | set(CONTENT)
        if a.rows:
            want = set(allowed)
    present = {s[0] for s in sc.samples if new(s[0])}
    for f in sorted(want - present):
        errs.append("family %s: missing" % f)
    for f in sorted(present - allowed):
        errs.append("family %s: not expected in module %s" % (f, a.module))
    for f in sorted(present & allowed):
        t = "counter" if LOAD.get(f) == "counter" else "gauge"
        if sc.types.get(f) != t:
            errs.append("family %s: TYPE %s, want %s" % (f, sc.types.get(f), t))
        if not sc.helps.get(f):
            errs.append("family %s: no HELP" % f)
    return errs, "%d new families, as module %s has them" % (len(present), a.module)

def strip(a):
    out = []
    for line in open(a.scrape, encoding="utf-8").read().splitlines():
        p = line.split()
        name = p[2] if line.startswith("#") and len(p) > 2 else line.split("{")[0].split(" ")[0]
        if not new(name):
            out.append(line)
    open(a.out, "w", encoding="utf-8").write("\n".join(out) + "\n")
    return [], ""

def tables(sc, a):
    import check_tables as ct   # the oracle of smsDistDPTable and smsDistContentDPTable
    errs = list(sc.errors)
    t = ct.load(a.input)
    dp, content = t["dp"], t["content"]
    got = {}
    for name, labels, value in sc.samples:
        if new(name):
            labels = dict(labels)
            if name in DP:      # an empty label is no label: count a missing one as ""
                labels.setdefault("smsDistDPName", "")
            k = cp.key(name, labels)
            if k in got:
                errs.append("%s: twice" % cp.show(name, labels))
            got[k] = value
    want = {}
    if a.module == "smsdistd":
        for r in dp.rows:
            b = {"smsDistDPServer": r["server"].decode(), "smsDistDPName": r["Name"].decode()}
            want[cp.key("smsDistDPNALPath", dict(b, smsDistDPNALPath=r["NALPath"].decode()))] = 1.0
            states = dict(STATE_NAMES)
            states.setdefault(r["MessageState"], str(r["MessageState"]))
            for v, n in states.items():
                want[cp.key("smsDistDPMessageState", dict(b, smsDistDPMessageState=n))] = \
                    1.0 if v == r["MessageState"] else 0.0
            for col in ("NumberErrors", "NumberInProgress", "NumberInstalled", "NumberUnknown"):
                want[cp.key("smsDistDP" + col, b)] = float(r[col])
            want[cp.key("smsDistDPLastStatusTime", b)] = float(cp.date_seconds(r["LastStatusTime"]))
            for col in ("IsPullDP", "IsPXE"):
                want[cp.key("smsDistDP%s_info" % col,
                            dict(b, **{"smsDistDP" + col: TRUTH.get(r[col], str(r[col]))}))] = 1.0
            want[cp.key("smsDistDPVersion", dict(b, smsDistDPVersion=r["Version"].decode()))] = 1.0
        for r in content.rows:
            want[cp.key("smsDistContentDPState",
                        {"smsDistContentDPPackageID": r["PackageID"].decode(),
                         "smsDistContentDPServer": r["server"].decode()})] = float(r["State"])
    table_families = set(DP) | set(CONTENT)
    for k, v in want.items():
        if k not in got:
            errs.append("missing: %s %g" % (cp.show(k[0], dict(k[1])), v))
        elif not cp.same_number(got[k], v):
            errs.append("%s: %r, want %r" % (cp.show(k[0], dict(k[1])), got[k], v))
    for k, v in got.items():
        if k[0] in table_families and k not in want:
            errs.append("not expected: %s %g" % (cp.show(k[0], dict(k[1])), v))

    def one(name, labels=None):
        v = [val for n, l, val in sc.samples if n == name and (labels is None or
             all(l.get(x, "") == y for x, y in labels.items()))]
        return v[0] if len(v) == 1 else None

    # smsDistLoadTable: the three tables' rows
    ids = sorted({l.get("smsDistLoadTableId") for n, l, v in sc.samples if n == "smsDistLoadState"})
    if ids != ["1", "2", "3"]:
        errs.append("smsDistLoadTable rows %s, want 1 2 3 (a combined export feeds the three tables)" % ids)
    served = {"1": one("smsDistSourceRowsServed"), "2": float(len(dp.rows)), "3": float(len(content.rows))}
    rejected = {"1": one("smsDistSourceRowsRejected"), "2": float(len(dp.rejects)),
                "3": float(len(content.rejects))}
    dups = {"1": one("smsDistSourceRowsDuplicate"), "2": float(dp.duplicates),
            "3": float(content.duplicates)}
    # row 1 repeats smsDistSource: its last error is kept after a recovery
    lasterr = [l.get("smsDistSourceLastError", "") for n, l, v in sc.samples
               if n == "smsDistSourceLastError"]
    lasterr = {"1": lasterr[0] if len(lasterr) == 1 else None, "2": "", "3": ""}
    for i in ids:
        sel = {"smsDistLoadTableId": i}
        checks = [("smsDistLoadState", dict(sel, smsDistLoadState="ok"), 1.0),
                  ("smsDistLoadURI", dict(sel, smsDistLoadURI=a.uri), 1.0),
                  ("smsDistLoadLastError", dict(sel, smsDistLoadLastError=lasterr.get(i)), 1.0),
                  ("smsDistLoadRowsServed", sel, served.get(i)),
                  ("smsDistLoadRowsRejected", sel, rejected.get(i)),
                  ("smsDistLoadRowsDuplicate", sel, dups.get(i))]
        if i == "1":
            checks += [("smsDistLoadCount", sel, one("smsDistSourceLoads")),
                       ("smsDistLoadFailures", sel, one("smsDistSourceLoadFailures")),
                       ("smsDistLoadStaleAfter", sel, one("smsDistSourceStaleAfter"))]
        for name, labels, v in checks:
            g = one(name, labels)
            if v is None or g != v:
                errs.append("table %s: %s%s is %r, want %r" % (i, name, labels, g, v))
        for s in [x for x in sc.samples if x[0] == "smsDistLoadState" and x[1].get("smsDistLoadTableId") == i]:
            if s[1].get("smsDistLoadState") != "ok" and s[2] != 0.0:
                errs.append("table %s: %s is %g" % (i, cp.show(s[0], s[1]), s[2]))
        good = one("smsDistLoadLastGood", sel)
        if good is None or good <= 0:
            errs.append("table %s: smsDistLoadLastGood %r, want a load's time" % (i, good))

    # smsDistDPSummary
    summ = ct.summary(t, (3, 6))
    for name, k in zip(DPSUM, ("dpCount", "dpsWithErrors", "contentRows", "contentFailed",
                               "contentPending")):
        if one(name) != float(summ[k]):
            errs.append("%s is %r, the oracle says %s" % (name, one(name), summ[k]))
    return errs, "%d DPs, %d content rows, 3 load rows and the DP summary as the oracle says" % (
        len(dp.rows), len(content.rows))

ap = argparse.ArgumentParser()
ap.add_argument("command", choices=["families", "strip", "tables"])
ap.add_argument("scrape")
ap.add_argument("out", nargs="?")
ap.add_argument("--module", default="smsdistd")
ap.add_argument("--rows", action="store_true")
ap.add_argument("--input")
ap.add_argument("--uri")
a = ap.parse_args()
if a.command == "strip":
    strip(a)
    sys.exit(0)
sc = cp.Scrape(a.scrape)
errs, what = {"families": families, "tables": tables}[a.command](sc, a)
for e in errs[:100]:
    print(e)
if errs:
    print("%d mismatch(es)" % len(errs))
    sys.exit(1)
print(what)
PY
newprom() { top_srcdir=$top_srcdir "$PYTHON3" "$T/newprom.py" "$@"; }
# strip_new SCRAPE: SCRAPE.old, the scrape without the new families
strip_new() { newprom strip "$1" "$1.old" || bail_out "newprom strip $1 failed"; }

# The exporter's version: 0.21 here (Debian 12). The committed snmp.yml is
# that version's output; from 0.23 on (Debian 13) the format differs.
EXPORTER_VERSION=$("$EXPORTER" --version 2>&1 | sed -n 's/.*version \([0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\).*/\1/p' | head -n 1)
diag "snmp_exporter ${EXPORTER_VERSION:-(version unknown)}; $("$PROMTOOL" --version 2>&1 | head -n 1)"
case $EXPORTER_VERSION in
    0.21.* | 0.22.*) SAME_FORMAT=1 ;;
    *) SAME_FORMAT= ;;
esac

plan 41

# --- snmp.yml from generator.yml and the MIB ------------------------------------
CONFIG=$PROM_DIR/snmp.yml
top_builddir=$top_builddir SNMP_EXPORTER_VERSION=$EXPORTER_VERSION PROMETHEUS_SNMP_GENERATOR=$GENERATOR \
    bash "$PROM_DIR/generate.sh" -o "$T/snmp.yml" >"$T/generate.log" 2>&1
gen=$?
if [ "$gen" -eq 77 ]; then
    skip 2 "cannot generate here: $(tail -n 1 "$T/generate.log")"
else
    if ! sd_result "$gen" "generate.sh: prometheus-snmp-generator makes snmp.yml from generator.yml and the MIB"; then
        diag_file "$T/generate.log" 40
    fi
    if [ "$gen" -ne 0 ]; then
        skip 1 "nothing generated"
    elif [ -n "$SAME_FORMAT" ]; then
        ok diff -u "$CONFIG" "$T/snmp.yml" \
            "snmp.yml is exactly what the generator makes of generator.yml and the MIB (regenerate: contrib/prometheus/generate.sh)"
    else
        skip 1 "the committed snmp.yml is snmp_exporter 0.21's format; this is $EXPORTER_VERSION (its own snmp.yml is used below)"
        CONFIG=$T/snmp.yml
    fi
fi
ok "$EXPORTER" --dry-run --config.file="$CONFIG" "the exporter accepts $CONFIG"

# --- the rules ------------------------------------------------------------------
ok "$PROMTOOL" check rules "$PROM_DIR/smsdistd-rules.yml" "promtool check rules smsdistd-rules.yml"
# promtool test rules reads rule_files relative to the test file's folder.
ok timeout 120 "$PROMTOOL" test rules "$PROM_DIR/smsdistd-rules.test.yml" \
    "promtool test rules smsdistd-rules.test.yml: every alert fires when and as it should, and only then"

# --- a live smsdistd ----------------------------------------------------------------
cp "$SD_DATA/serve/sample.json" "$T/sample.json" || bail_out "cannot copy sample.json"
JSON=$T/sample.json
N=$(check_walk count "$JSON") || bail_out "the oracle cannot read sample.json"
summary() { check_walk summary "$JSON" --key "$1"; }
START=$(date +%s)
sd_start_master
sd_start_agent "source file:$JSON"
ok sd_wait_served "$N" "smsdistd serves the $N rows of sample.json"

# A free TCP port of 127.0.0.1, chosen by the kernel.
free_tcp_port() {
    "$PYTHON3" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}
exporter_up() { curl -s -o /dev/null --connect-timeout 1 --max-time 2 "http://127.0.0.1:$EXP_PORT/"; }
exporter_down() { ! exporter_up; }
# The exporter on 127.0.0.1:EXP_PORT only (--web.listen-address replaces
# the default :9116; no systemd socket, no TLS config).
start_exporter() {
    local attempt
    SD_LOGS+=("$T/exporter.log")
    for attempt in 1 2 3; do
        EXP_PORT=$(free_tcp_port) || return 1
        "$EXPORTER" --config.file="$CONFIG" --web.listen-address="127.0.0.1:$EXP_PORT" \
            --log.level=info >>"$T/exporter.log" 2>&1 {SD_TAP_OUT}>&- {SD_TAP_ERR}>&- &
        EXP_PID=$!
        SD_PIDS+=("$EXP_PID")
        SD_WATCH_PID=$EXP_PID sd_poll exporter_up && return 0
        sd_stop "$EXP_PID"
        grep -q -i 'address already in use' "$T/exporter.log" || return 1
        diag "port $EXP_PORT was taken (attempt $attempt); trying another"
    done
    return 1
}
# Every listening TCP socket of PID, as ADDRESS:PORT lines.
listening() {
    "$PYTHON3" - "$1" <<'PY'
import os, socket, struct, sys
pid = sys.argv[1]
inodes = set()
for fd in os.listdir("/proc/%s/fd" % pid):
    try:
        link = os.readlink("/proc/%s/fd/%s" % (pid, fd))
    except OSError:
        continue
    if link.startswith("socket:["):
        inodes.add(link[8:-1])
for table, fam in (("tcp", socket.AF_INET), ("tcp6", socket.AF_INET6)):
    try:
        lines = open("/proc/%s/net/%s" % (pid, table)).read().splitlines()[1:]
    except OSError:
        continue
    for line in lines:
        f = line.split()
        if f[3] != "0A" or f[9] not in inodes:      # 0A: LISTEN
            continue
        addr, port = f[1].split(":")
        raw = bytes.fromhex(addr)
        # /proc prints the address as host-order 32-bit words
        raw = b"".join(struct.pack("<I", struct.unpack(">I", raw[i:i + 4])[0])
                       for i in range(0, len(raw), 4))
        host = socket.inet_ntop(fam, raw)
        print("%s:%d" % (host if fam == socket.AF_INET else "[%s]" % host, int(port, 16)))
PY
}

# scrape MODULE OUT [TARGET]: the exporter's answer in OUT; prints the HTTP status.
scrape() {
    local module=$1 out=$2 target=${3:-127.0.0.1:$SD_PORT}
    curl -sS --connect-timeout 2 --max-time 60 -o "$out" -w '%{http_code}' \
        "http://127.0.0.1:$EXP_PORT/snmp?target=$target&module=$module" 2>>"$T/curl.err"
}
# snmpwalk of the scalars (source, summary, notification counters) into OUT
walk_scalars() {
    local out=$1 sub
    : >"$out"
    for sub in smsDistSource smsDistSummary smsDistNotify; do
        snmp_walk "$(sd_oid "$sub")" >>"$out" 2>&1 || return 1
    done
}

if start_exporter; then
    sd_result 0 "prometheus-snmp-exporter answers on 127.0.0.1:$EXP_PORT"
else
    sd_result 1 "prometheus-snmp-exporter answers on 127.0.0.1:$EXP_PORT"
    diag_file "$T/exporter.log" 30
    bail_out "the exporter did not start"
fi
is "$(listening "$EXP_PID" | sort -u | paste -sd ' ' -)" "127.0.0.1:$EXP_PORT" \
    "the exporter listens on 127.0.0.1:$EXP_PORT and nowhere else"

# --- module smsdistd: every row, every scalar ------------------------------------------
walk_scalars "$T/before.txt" || diag "snmpwalk of the scalars failed: $(tail -n 2 "$T/before.txt")"
is "$(scrape smsdistd "$T/scrape.txt")" 200 "GET /snmp?target=127.0.0.1:$SD_PORT&module=smsdistd: HTTP 200"
walk_scalars "$T/after.txt" || diag "snmpwalk of the scalars failed: $(tail -n 2 "$T/after.txt")"
NOW=$(date +%s)
strip_new "$T/scrape.txt"
ok cprom families "$T/scrape.txt.old" --module smsdistd \
    "module smsdistd: exactly its metric families, each with its TYPE (counter/gauge) and HELP; no snmp_error"
ok newprom families "$T/scrape.txt" --module smsdistd \
    "module smsdistd: the per-DP view's families too (smsDistLoadTable's; no DP or content rows, no DP summary with a one-class export)"
ok cprom rows "$T/scrape.txt" --input "$JSON" \
    "every row: Assets, LastUpdateDate (Unix s), ObjectTypeID info, Type state set; every label and value as the source says"
ok cprom objectids "$T/scrape.txt" --input "$JSON" \
    "the smsDistStatusObjectID labels are the source's ObjectIDs, the 93-character ModelNames whole"
diag "$(cprom objectids "$T/scrape.txt" --input "$JSON" 2>&1 | tail -n 1)"
oracle_row() { check_walk select "$JSON" "$1"; }
row7=$(oracle_row type=7)
like "$(grep -F "smsDistStatusObjectID=\"${row7%@*}\"" "$T/scrape.txt" | grep -F "smsDistStatusMessageCategory=\"${row7##*@}\"" | grep '^smsDistStatusType{')" \
    'smsDistStatusType="7"\} 1' "the row of Type 7 (not in the MIB) is smsDistStatusType=\"7\" 1, not lost"
ok cprom scalars "$T/scrape.txt" --oids "$T/oids.txt" --walk "$T/before.txt" --walk "$T/after.txt" \
    "every scalar is the agent's value (state set, text labels, DateAndTime in Unix seconds, counters, gauges)"
ok cprom expect "$T/scrape.txt" \
    smsDistSourceState=ok "smsDistSourceURI=file:$JSON" \
    "smsDistSourceRowsServed=$N" "smsDistSourceRowsRejected=$(summary rejected)" \
    "smsDistSourceRowsDuplicate=$(summary duplicates)" \
    smsDistSourceLoads=1 smsDistSourceLoadFailures=0 smsDistSourceStaleAfter=3600 \
    smsDistSourceLastError= smsDistSourceLastErrorTime=-62169984000 \
    "smsDistSourceLastGoodLoad=$START:$NOW" "smsDistSourceLastAttempt=$START:$NOW" \
    "smsDistSourceDataAge=0:$((NOW - START + 1))" \
    smsDistConfigReloadsRefused=0 smsDistConfigError= \
    "smsDistRowsSuccess=$(summary success)" "smsDistRowsInProgress=$(summary inProgress)" \
    "smsDistRowsError=$(summary error)" "smsDistRowsOtherType=$(summary other)" \
    "smsDistAssetsError=$(summary assetsError)" \
    "the health scalars say what the source implies: ok, $N rows, 1 load, no error (time -62169984000: none), loaded since the test began"

# --- module smsdistd_health -------------------------------------------------------------
walk_scalars "$T/before.txt"
is "$(scrape smsdistd_health "$T/health.txt")" 200 "module smsdistd_health: HTTP 200"
walk_scalars "$T/after.txt"
strip_new "$T/health.txt"
ok cprom families "$T/health.txt.old" --module smsdistd_health \
    "module smsdistd_health: the scalars only, no row series"
ok newprom families "$T/health.txt" --module smsdistd_health \
    "module smsdistd_health: smsDistLoadTable (and smsDistDPSummary when served), nothing of the DP or content tables"
ok cprom scalars "$T/health.txt" --oids "$T/oids.txt" --walk "$T/before.txt" --walk "$T/after.txt" \
    "module smsdistd_health: every scalar is the agent's value"
# (snmp_exporter 0.28 labels it with the module)
pdus=$(sed -n 's/^snmp_scrape_pdus_returned\({[^}]*}\)\{0,1\} \([0-9]*\)$/\2/p' "$T/health.txt")
# 24 scalars, 5 DP summary scalars, 13 columns of at most 3 smsDistLoadTable rows
ok test "${pdus:-0}" -gt 0 -a "${pdus:-0}" -le 68 \
    "module smsdistd_health walks the scalars and smsDistLoadTable only ($pdus PDUs, whatever the tables' sizes)"

# --- the source fails: the state set, the reason as a label -----------------------------
FAILED_AT=$(date +%s)
{ cp "$SD_DATA/serve/garbage.json" "$T/garbage.tmp" && mv "$T/garbage.tmp" "$JSON"; } || bail_out "cannot write garbage"
ok sd_wait_value "$(sd_oid smsDistSourceState).0" 3 "garbage in place of the export: smsDistSourceState is failed(3)"
walk_scalars "$T/before.txt"
is "$(scrape smsdistd_health "$T/failed.txt")" 200 "a failed source: HTTP 200 all the same"
walk_scalars "$T/after.txt"
NOW=$(date +%s)
ok cprom scalars "$T/failed.txt" --oids "$T/oids.txt" --walk "$T/before.txt" --walk "$T/after.txt" \
    "a failed source: every scalar is the agent's value (smsDistSourceLastError's text as its label, escaped and whole)"
ok cprom expect "$T/failed.txt" smsDistSourceState=failed smsDistSourceLoadFailures=1 smsDistSourceLoads=1 \
    "smsDistSourceRowsServed=$N" "smsDistSourceLastErrorTime=$FAILED_AT:$NOW" "smsDistSourceLastGoodLoad=$START:$FAILED_AT" \
    'a failed source: state set failed=1 (the others 0), 1 failure, the old rows still served, when it failed'
err=$(grep '^smsDistSourceLastError{' "$T/failed.txt")
like "$err" 'smsDistSourceLastError="[^"].*"\} 1$' "a failed source: smsDistSourceLastError carries the reason ($err)"
is "$(scrape smsdistd "$T/failed-rows.txt")" 200 "a failed source: module smsdistd, HTTP 200"
ok cprom rows "$T/failed-rows.txt" --input "$SD_DATA/serve/sample.json" \
    "a failed source: the rows of the last good load are still every one there, as they were"

# --- the per-distribution-point view: a combined export ---------------------------------
# sample.json's rows, three DPs and eight content rows: errors and none, a DP
# without a Name, a pull DP, PXE, an unlisted MessageState (7), NAL paths
# with quotes and backslashes (label escaping), an unknown and an offset
# date; States failed (3, 6), pending (2, 7), installed, monitoring (8) and
# unlisted (9); a short PackageID; an application's content.
"$PYTHON3" - "$SD_DATA/serve/sample.json" "$T/combined.json" <<'PY' || bail_out "cannot write combined.json"
import json, sys
status = json.load(open(sys.argv[1], encoding="utf-8"))["value"]
def nal(s):
    return '["Display=\\\\%s\\"]MSWNET:["SMS_SITE=PS1"]\\\\%s\\' % (s, s)
dps = [
    {"Name": "DP01.corp.example", "NALPath": nal("DP01.corp.example"), "MessageState": 3,
     "NumberErrors": 2, "NumberInProgress": 1, "NumberInstalled": 40, "NumberUnknown": 0,
     "LastStatusTime": "2026-11-26T05:40:12Z", "IsPullDP": False, "IsPXE": True,
     "Version": "5.00.9122.1000"},
    {"NALPath": nal("dp02.branch.corp.example"), "MessageState": 1, "NumberErrors": 0,
     "NumberInProgress": 0, "NumberInstalled": 12, "NumberUnknown": 1, "IsPullDP": "True"},
    {"Name": "DP03 \"lab\"", "NALPath": nal("DP03"), "MessageState": 7, "NumberErrors": 1,
     "NumberInProgress": 1, "NumberInstalled": 0, "NumberUnknown": 0,
     "LastStatusTime": "2026-11-26T07:40:12+02:00", "IsPullDP": "false", "IsPXE": "FALSE",
     "Version": ""},
]
app = "ScopeId_B3FF3CC4-0319-4434-9D24-77689C53C615/Application_0a5e2c1d-9b7f-4e21-8c3a-5d6f7e8a9b0c"
def c(pkg, dp, state, ptype=0, secure=None, summary="2026-11-26T05:00:00Z"):
    return {"PackageID": pkg, "ServerNALPath": nal(dp), "SiteCode": "PS1", "State": state,
            "PackageType": ptype, "SourceVersion": 3, "LastCopied": "2026-11-25T22:10:00Z",
            "SummaryDate": summary, "SecureObjectID": secure or pkg}
content = [
    c("PS100095", "DP01.corp.example", 3), c("PS100095", "dp02.branch.corp.example", 6),
    c("PS100095", "DP03", 0), c("PS1000C1", "DP01.corp.example", 2, 3),
    c("PS1000C1", "DP03", 9, 3, summary=None), c("PS1", "DP01.corp.example", 8, 257),
    c("PS1000F2", "DP01.corp.example", 7, 8, app), c("PS1000F2", "DP03", 0, 8, app),
]
json.dump({"SMS_DistributionStatus": status, "SMS_DPStatusInfo": dps,
           "SMS_PackageStatusDistPointsSummarizer": content},
          open(sys.argv[2], "w", encoding="utf-8"), indent=1)
PY
COMBINED_DPS=3
if [ -f "$top_srcdir/tests/integration/check_tables.py" ]; then
    COMBINED_DPS=$("$PYTHON3" "$top_srcdir/tests/integration/check_tables.py" count "$T/combined.json" --table dp) ||
        bail_out "check_tables cannot read combined.json"
fi
{ cp "$T/combined.json" "$T/combined.tmp" && mv "$T/combined.tmp" "$JSON"; } || bail_out "cannot write the combined export"
ok sd_wait_value "$(sd_oid smsDistDPCount).0" "$COMBINED_DPS" \
    "the source becomes a combined export: smsDistDPCount is $COMBINED_DPS"
is "$(scrape smsdistd "$T/dp.txt")" 200 "a combined export: module smsdistd, HTTP 200"
ok newprom families "$T/dp.txt" --module smsdistd --rows \
    "a combined export: module smsdistd has the DP and content families too, each with its TYPE and HELP"
if [ -f "$top_srcdir/tests/integration/check_tables.py" ]; then
    ok newprom tables "$T/dp.txt" --module smsdistd --input "$T/combined.json" --uri "file:$JSON" \
        "a combined export: every series of every DP and content row (labels, values), the three load rows and the DP summary as check_tables.py says"
    is "$(scrape smsdistd_health "$T/dp-health.txt")" 200 "a combined export: module smsdistd_health, HTTP 200"
    ok newprom tables "$T/dp-health.txt" --module smsdistd_health --input "$T/combined.json" --uri "file:$JSON" \
        "a combined export: module smsdistd_health has the three load rows and the DP summary as check_tables.py says"
else
    skip 3 "tests/integration/check_tables.py (the oracle of the DP tables) is not here"
fi
strip_new "$T/dp.txt"
ok cprom rows "$T/dp.txt.old" --input "$SD_DATA/serve/sample.json" \
    "a combined export: smsDistStatusTable's series are sample.json's rows, as before"

# --- what the alerts on reachability stand on ---------------------------------------------
ok sd_stop_agent TERM "smsdistd stops on SIGTERM"
# snmpd forgets the subagent's registrations when its socket closes
no_rows() { [ "$(scrape smsdistd "$T/detached.txt")" = 200 ] && ! grep -q '^smsDist' "$T/detached.txt"; }
ok sd_poll no_rows "smsdistd detached: HTTP 200 and no smsDist series (SmsDistNotAttached: up == 1 unless smsDistSourceState)"
DEAD=$(sd_free_port)
t0=$SECONDS
code=$(scrape smsdistd "$T/dead.txt" "127.0.0.1:$DEAD")
is "$code" 500 "no SNMP agent at the target (127.0.0.1:$DEAD, closed): HTTP 500, so up == 0 (SmsDistAgentUnreachable), in $((SECONDS - t0)) s"
like "$(cat "$T/dead.txt")" 'snmp_error|Error scraping target|error walking target' "the 500's body says the target did not answer"
ok sd_stop "$EXP_PID" TERM "the exporter stops on SIGTERM"
ok sd_poll exporter_down "the exporter's port is closed"

done_testing
