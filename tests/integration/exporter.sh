#!/bin/bash
# exporter.sh: the site-server exporter's output, served.
#
# tests/data/windows/exporter-output.json stands for what
# contrib/windows/Export-SmsDistributionStatus.ps1 writes (PowerShell is not
# available here: the fixture reproduces the form PowerShell 7's
# ConvertTo-Json gives, see contrib/windows/README.md). This script checks
# that the fixture keeps that form - so an edit cannot drift from the
# exporter - and that smsdistd serves every row of it exactly as the oracle
# says, including when it arrives the way the exporter writes it: a
# temporary file in the same folder, renamed over the old one.

# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

sd_setup

FIXTURE=$SD_DATA/windows/exporter-output.json
SCRIPT=$top_srcdir/contrib/windows/Export-SmsDistributionStatus.ps1
TABLE=$(sd_oid smsDistStatusTable)
[ -f "$FIXTURE" ] || bail_out "no fixture $FIXTURE"
[ -f "$SCRIPT" ] || bail_out "no exporter $SCRIPT"

# form CHECK: one check of the fixture's form against the exporter script
form() {
    "$PYTHON3" - "$1" "$FIXTURE" "$SCRIPT" <<'PY'
import json, re, sys
check, fixture, script = sys.argv[1:]
raw = open(fixture, "rb").read()
ps1 = open(script, encoding="utf-8-sig").read()
bad = []
if check == "bom":
    if raw.startswith(b"\xef\xbb\xbf"):
        bad.append("starts with a UTF-8 byte order mark")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as e:
        bad.append("not UTF-8: %s" % e)
elif check == "layout":
    # PowerShell 7's ConvertTo-Json (Newtonsoft.Json, Formatting.Indented):
    # 2-space indentation, '"key": value', CRLF on Windows, no final newline.
    doc = json.loads(raw.decode("utf-8"))
    want = json.dumps(doc, indent=2, ensure_ascii=False).replace("\n", "\r\n").encode("utf-8")
    if not isinstance(doc, list) or not all(isinstance(r, dict) for r in doc):
        bad.append("not a JSON array of objects")
    if raw != want:
        n = next((k for k in range(min(len(raw), len(want))) if raw[k] != want[k]), min(len(raw), len(want)))
        bad.append("differs from ConvertTo-Json's form at byte %d: %r, want %r"
                   % (n, raw[max(0, n - 20):n + 20], want[max(0, n - 20):n + 20]))
elif check == "keys":
    # the property order of the [pscustomobject]@{...} the script builds
    m = re.search(r"\[pscustomobject\]@\{(.*?)\}\)", ps1, re.S)
    order = re.findall(r"^\s*(\w+)\s*=", m.group(1), re.M) if m else []
    if order != ["ObjectID", "MessageCategory", "Assets", "LastUpdateDate", "ObjectTypeID", "PackageID", "Type"]:
        bad.append("the script's [pscustomobject] has the properties %s" % order)
    for n, r in enumerate(json.loads(raw.decode("utf-8")), 1):
        if list(r) != order:
            bad.append("row %d: keys %s, the script writes %s" % (n, list(r), order))
        for k in ("MessageCategory", "Assets", "ObjectTypeID", "Type"):
            if type(r.get(k)) is not int or r[k] < 0:
                bad.append("row %d: %s is %r, not a JSON number" % (n, k, r.get(k)))
        for k in ("ObjectID", "PackageID"):
            if not isinstance(r.get(k), str):
                bad.append("row %d: %s is %r, not a string" % (n, k, r.get(k)))
elif check == "dates":
    fmt = "yyyy-MM-dd'T'HH:mm:ss'Z'"
    if '.ToUniversalTime().ToString("%s", $Invariant)' % fmt not in ps1:
        bad.append("the script does not format dates as ToUniversalTime().ToString(\"%s\", invariant)" % fmt)
    for n, r in enumerate(json.loads(raw.decode("utf-8")), 1):
        d = r.get("LastUpdateDate")
        if not isinstance(d, str) or not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", d):
            bad.append("row %d: LastUpdateDate %r is not ISO 8601 UTC with Z" % (n, d))
elif check == "coverage":
    rows = json.loads(raw.decode("utf-8"))
    types = {r["Type"] for r in rows}
    if not {1, 2, 3, 4} <= types:
        bad.append("Types %s: want every one of 1 2 3 4" % sorted(types))
    if not any(r["ObjectTypeID"] == 31 for r in rows) or not any(r["ObjectTypeID"] != 31 for r in rows):
        bad.append("want packages and applications (ObjectTypeID 31)")
    if len({r["MessageCategory"] for r in rows}) < 3:
        bad.append("want several message categories")
    if len({r["ObjectTypeID"] for r in rows}) < 4:
        bad.append("want several kinds of content")
for b in bad[:50]:
    print(b)
sys.exit(1 if bad else 0)
PY
}

# exporter_write SRC DEST: what the exporter does: a temporary file in the
# destination's folder (.NAME.GUID.tmp), then one rename over DEST.
exporter_write() {
    local src=$1 dest=$2 tmp
    tmp="$(dirname "$dest")/.$(basename "$dest").$("$PYTHON3" -c 'import uuid; print(uuid.uuid4().hex)').tmp"
    cp "$src" "$tmp" && mv -f "$tmp" "$dest"
}

plan 13

# --- the fixture keeps the exporter's form ---------------------------------------
ok form bom "the fixture is UTF-8 without a byte order mark"
ok form layout "the fixture is byte for byte ConvertTo-Json's form (2-space indent, CRLF, no final newline)"
ok form keys "every row has the script's seven properties, in its order; numbers are JSON numbers"
ok form dates "every LastUpdateDate is ISO 8601 UTC with Z, the script's format"
ok form coverage "the fixture has every Type, packages and applications, several categories"

# --- smsdistd serves it -------------------------------------------------------------
D=$T/export
mkdir -p "$D" || bail_out "cannot create $D"
DEST=$D/distribution-status.json
N=$(check_walk count "$FIXTURE") || bail_out "the oracle cannot read the fixture"

# First a one-row export: the exporter still writes an array (the case
# ConvertTo-Json in Windows PowerShell 5.1 unwraps when piped).
"$PYTHON3" - "$FIXTURE" "$T/one-row.json" <<'PY' || bail_out "cannot make the one-row export"
import json, sys
rows = json.load(open(sys.argv[1], encoding="utf-8"))
text = json.dumps(rows[:1], indent=2).replace("\n", "\r\n")
open(sys.argv[2], "wb").write(text.encode("utf-8"))
PY
exporter_write "$T/one-row.json" "$DEST" || bail_out "cannot write $DEST"
sd_start_master
sd_start_agent "source file:$DEST"
ok sd_wait_served 1 "smsdistd serves the one-row export (a one-element array)"
snmp_walk "$TABLE" >"$T/walk-one.txt" 2>&1
ok check_walk compare "$T/one-row.json" --table-oid "$TABLE" "$T/walk-one.txt" \
    "the one-row walk is the oracle's"

ok sd_wait_log "$T/smsdistd.log" "loaded 1 rows from .*distribution-status\.json \(0 rejected" \
    "the log says 1 row loaded, 0 rejected"

# Then the full export, renamed into place as the exporter does.
exporter_write "$FIXTURE" "$DEST" || bail_out "cannot rename the export into place"
ok sd_wait_served "$N" "the export renamed into place is served at once: $N rows"
ok sd_wait_log "$T/smsdistd.log" "loaded $N rows from .*distribution-status\.json \(0 rejected, 0 duplicates\)" \
    "the log says $N rows, 0 rejected, 0 duplicates"
snmp_walk "$TABLE" >"$T/walk.txt" 2>"$T/walk.err"
ok check_walk compare "$FIXTURE" --table-oid "$TABLE" "$T/walk.txt" \
    "snmpwalk of smsDistStatusTable is exactly the oracle's table of the fixture"
is "$(snmp_value "$(sd_oid smsDistRowsError).0") $(snmp_value "$(sd_oid smsDistAssetsError).0")" \
    "$(check_walk summary "$FIXTURE" --key error) $(check_walk summary "$FIXTURE" --key assetsError)" \
    "smsDistRowsError and smsDistAssetsError are the oracle's (Types 3 and 4)"
is "$(snmp_value "$(sd_oid smsDistSourceLoadFailures).0")" 0 \
    "no load failed: smsdistd never saw a half-written export"
