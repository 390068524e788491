#!/bin/bash
# tables-dlmod.sh: the per-DP tables from the dlmod form (the module loaded
# by snmpd itself, `dlmod smsdist .../smsdist.so`): a combined export as the
# source gives smsDistDPTable and smsDistContentDPTable exactly as the
# independent oracle check_tables.py reads the file (bulk walk, every column
# of every row), the drill-down walk under a PackageID, the DP summary and
# one smsDistLoadTable row per table; then a changed file is followed.
# (tables.sh proves the rest through the subagent: same code.)
SD_FORM=dlmod
export SD_FORM
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

sd_setup
check_tables() { "$PYTHON3" "$top_srcdir/tests/integration/check_tables.py" "$@"; }
SNMPX=(-v2c -c public -t 2 -r 1 -On -Ox -Oe)
DP=$(sd_oid smsDistDPTable)
CONTENT=$(sd_oid smsDistContentDPTable)
STATE=$(sd_oid smsDistContentDPState)

C=$T/combined.json
"$PYTHON3" "$top_srcdir/bench/gen.py" --combined --rows 120 --dps 8 --seed 11 --out "$C" \
    >"$T/gen.log" 2>&1 || { diag_file "$T/gen.log" 20; bail_out "bench/gen.py --combined failed"; }
NCONTENT=$(check_tables count "$C" --table content) || bail_out "the oracle cannot read $C"
NDP=$(check_tables count "$C" --table dp) || bail_out "the oracle cannot read $C"

sd_start_master
sd_start_agent "source file:$C" "pollInterval 1"
rows3() { [ "$(snmp_value "$(sd_oid smsDistLoadRowsServed).3" 2>/dev/null)" = "$1" ]; }
ok sd_poll rows3 "$NCONTENT" "the dlmod serves the $NCONTENT content x DP rows"
for t in dp content; do
    oid=$DP
    [ "$t" = content ] && oid=$CONTENT
    snmpbulkwalk "${SNMPX[@]}" -Cr50 127.0.0.1:"$SD_PORT" "$oid" >"$T/walk-$t.txt" 2>&1
    ok check_tables compare "$C" --table "$t" --table-oid "$oid" "$T/walk-$t.txt" \
        "smsDistDPTable/smsDistContentDPTable ($t): every column of every row as the oracle reads $C"
done
PKG=$("$PYTHON3" -c 'import json,sys; print(json.load(open(sys.argv[1]))["SMS_PackageStatusDistPointsSummarizer"][0]["PackageID"])' "$C")
pidx=".${#PKG}$(printf '%s' "$PKG" | od -An -tu1 | tr -s ' ' '.' | sed 's/\.$//')"
snmpwalk "${SNMPX[@]}" 127.0.0.1:"$SD_PORT" "$STATE$pidx" >"$T/prefix.txt" 2>&1
ok check_tables compare "$C" --table content --table-oid "$CONTENT" --prefix "$PKG" "$T/prefix.txt" \
    "the walk under PackageID $PKG lists exactly its distribution points"
is "$(snmp_value "$(sd_oid smsDistDPCount).0")" "$NDP" "smsDistDPCount.0 is $NDP"
is "$(snmp_walk "$(sd_oid smsDistLoadState)" 2>/dev/null | grep -c 'INTEGER: 1')" 3 \
    "smsDistLoadState: three rows, each ok(1)"

# a changed file is followed (rename into place)
"$PYTHON3" - "$C" "$T/next.json" <<'PY' || bail_out "cannot write the changed export"
import json, sys
doc = json.load(open(sys.argv[1]))
doc["SMS_PackageStatusDistPointsSummarizer"] = doc["SMS_PackageStatusDistPointsSummarizer"][:10]
json.dump(doc, open(sys.argv[2], "w"))
PY
mv -f "$T/next.json" "$C" || bail_out "cannot replace $C"
ok sd_poll rows3 10 "after the file is replaced: 10 content rows served"
done_testing
