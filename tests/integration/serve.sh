#!/bin/bash
# serve.sh: smsdistd behind a real master snmpd serves sample.json exactly as
# the independent oracle (check_walk.py) says, through every SNMP operation a
# manager uses (GET, GETNEXT, walk, bulk walk, a refused SET), with the
# source and summary scalars to match; then serves the same rows from the
# Export-Csv file sample.csv, identically.

# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

sd_setup

TABLE=$(sd_oid smsDistStatusTable)
ENTRY=$(sd_oid smsDistStatusEntry)
OBJECTS=$(sd_oid smsDistObjects)
NOSUCHINSTANCE='No Such Instance currently exists at this OID'
NOSUCHOBJECT='No Such Object available on this agent at this OID'

cp "$SD_DATA/serve/sample.json" "$SD_DATA/serve/sample.csv" "$T/" || bail_out "cannot copy the samples"
JSON=$T/sample.json
CSV=$T/sample.csv
N=$(check_walk count "$JSON") || bail_out "the oracle cannot read sample.json"
FIRST=$(check_walk first-last "$JSON" | sed -n 1p)
LAST=$(check_walk first-last "$JSON" | sed -n 2p)
summary() { check_walk summary "$JSON" --key "$1"; }

# scalar NAME: the value part of NAME.0
scalar() { snmp_value "$(sd_oid "$1").0"; }

# instance SELECTOR DESC: GET columns 3..7 of one row and compare with the oracle.
instance() {
    local sel=$1 desc=$2 oids
    oids=$(check_walk oids "$JSON" --table-oid "$TABLE" --rows "$sel") || bail_out "oracle: no row $sel"
    # shellcheck disable=SC2086 # one OID per word
    snmp_get $oids >"$T/get.txt" 2>&1
    ok check_walk compare "$JSON" --table-oid "$TABLE" --rows "$sel" "$T/get.txt" "$desc"
}

# getnext_is START ROW COLUMN DESC: GETNEXT(START) is that column of that row.
getnext_is() {
    local start=$1 row=$2 col=$3 desc=$4
    snmp_getnext "$start" >"$T/getnext.txt" 2>&1
    ok check_walk compare "$JSON" --table-oid "$TABLE" --rows "$row" --columns "$col" \
        "$T/getnext.txt" "$desc"
}

# The OID of snmpgetnext's answer, or "end" for endOfMibView.
next_oid() {
    local out
    out=$(snmp_getnext "$1" 2>&1) || { echo "error: $out"; return; }
    case $out in *"No more variables left in this MIB View"*) echo end; return ;; esac
    echo "${out%% = *}"
}

sd_start_master
sd_start_agent "source file:$JSON"

# --- loading ---------------------------------------------------------------
ok sd_wait_served "$N" "smsdistd serves the $N rows of sample.json (smsDistSourceRowsServed.0)"
ok sd_wait_log "$T/smsdistd.log" \
    "loaded $N rows from .*sample\.json \($(summary rejected) rejected, $(summary duplicates) duplicates\)" \
    "the log says what was loaded"

# --- walks -------------------------------------------------------------------
snmp_walk "$TABLE" >"$T/walk-json.txt" 2>"$T/walk-json.err"
is "$?" 0 "snmpwalk of smsDistStatusTable exits 0"
ok check_walk compare "$JSON" --table-oid "$TABLE" "$T/walk-json.txt" \
    "snmpwalk of smsDistStatusTable is exactly the oracle's table"

snmp_bulkwalk -Cr50 "$TABLE" >"$T/bulkwalk.txt" 2>"$T/bulkwalk.err"
is "$?" 0 "snmpbulkwalk -Cr50 exits 0"
ok check_walk compare "$JSON" --table-oid "$TABLE" "$T/bulkwalk.txt" \
    "snmpbulkwalk -Cr50 of smsDistStatusTable is exactly the oracle's table"

# --- GET of chosen instances, every column ------------------------------------
instance "$(check_walk select "$JSON" package)" "GET of a package row (all columns)"
instance "$(check_walk select "$JSON" objectid-len=93)" "GET of an application row, 93-character index"
instance "$(check_walk select "$JSON" null-date)" "GET of the row without a date (8 zero octets)"
instance "$(check_walk select "$JSON" type=4)" "GET of a Type 4 row"
instance "$(check_walk select "$JSON" unlisted-type)" "GET of a row with an unlisted Type (served unchanged)"
instance "$(check_walk select "$JSON" unlisted-objecttype)" "GET of a row with an unlisted ObjectTypeID"
instance "$(check_walk select "$JSON" max-category)" "GET of the row with MessageCategory 4294967295"
instance last "GET of the last row in index order"

# --- GETNEXT at the edges -------------------------------------------------------
getnext_is "$TABLE" first 3 "GETNEXT(smsDistStatusTable) is column 3 of the first row"
getnext_is "$ENTRY" first 3 "GETNEXT(smsDistStatusEntry) is column 3 of the first row"
getnext_is "$ENTRY.2" first 3 "GETNEXT(smsDistStatusEntry.2, an index column) is column 3 of the first row"
getnext_is "$ENTRY.3" first 3 "GETNEXT(column 3, no index) is column 3 of the first row"
getnext_is "$ENTRY.3.$LAST" first 4 "GETNEXT(last row of column 3) is column 4 of the first row"
# A partial index: "PS" sorts after "P0", so the next row is the first PS* one.
PARTIAL=$(printf '8.%d.%d' "'P" "'S")
getnext_is "$ENTRY.5.$PARTIAL" "$(check_walk select "$JSON" objectid-prefix=PS)" 5 \
    "GETNEXT(column 5, partial index \"PS\") is the first PS* row"
# Sub-identifiers of 2^31 and above (MessageCategory is an Unsigned32).
big=$(check_walk oids "$JSON" --table-oid "$TABLE" --rows P0100102@2147483648 --columns 7)
getnext_is "$big" P0100102@4294967295 7 \
    "GETNEXT(a row with MessageCategory 2147483648) is the row with 4294967295"
# Past the table's last instance comes whatever follows the table's subtree
# (the next readable object of the MIB, another subtree, or endOfMibView).
AFTER_TABLE=${TABLE%.*}.$((${TABLE##*.} + 1))
is "$(next_oid "$ENTRY.7.$LAST")" "$(next_oid "$AFTER_TABLE")" \
    "GETNEXT(last row of column 7) leaves the table for what follows it"
# accessible-for-notify objects go in notifications only, never in a response
snmp_walk "$OBJECTS" >"$T/walk-objects.txt" 2>&1
is "$(grep -c -E "^($(sd_oid smsDistNotifyReason)|$(sd_oid smsDistNotifySuppressed))[. ]" "$T/walk-objects.txt")" 0 \
    "a walk of smsDistObjects shows no accessible-for-notify object"

# --- what is not there ------------------------------------------------------------
is "$(snmp_typed "$ENTRY.3.8.80.83.57.57.57.57.57.57.10")" "$NOSUCHINSTANCE" \
    "GET of a row that does not exist (PS999999@10): noSuchInstance"
is "$(snmp_typed "$ENTRY.3.${FIRST%.*}.11")" "$NOSUCHINSTANCE" \
    "GET of an existing ObjectID with another category: noSuchInstance"
is "$(snmp_typed "$ENTRY.3.9.80.83")" "$NOSUCHINSTANCE" \
    "GET with a malformed index (length 9, 2 octets): noSuchInstance"
is "$(snmp_typed "$ENTRY.8.$FIRST")" "$NOSUCHOBJECT" "GET of column 8 (none): noSuchObject"
is "$(snmp_typed "$ENTRY.1.$FIRST")" "$NOSUCHOBJECT" \
    "GET of column 1 (the not-accessible ObjectID): noSuchObject"

# --- SET is refused by the subagent itself --------------------------------------------
before=$(snmp_typed "$ENTRY.3.$FIRST")
out=$(snmp_set "$ENTRY.3.$FIRST" u 4242 2>&1)
rc=$?
ok test "$rc" -ne 0 "snmpset of smsDistStatusAssets fails (exit $rc)"
like "$out" "notWritable" "the SET is refused with notWritable"
is "$(snmp_typed "$ENTRY.3.$FIRST")" "$before" "the refused SET changed nothing"

# --- scalars ------------------------------------------------------------------------
is "$(scalar smsDistSourceState)" 1 "smsDistSourceState is ok(1)"
is "$(scalar smsDistSourceURI)" "file:$JSON" "smsDistSourceURI is the configured source"
is "$(scalar smsDistSourceRowsServed)" "$N" "smsDistSourceRowsServed is $N"
is "$(scalar smsDistSourceRowsRejected)" 0 "smsDistSourceRowsRejected is 0"
is "$(scalar smsDistSourceRowsDuplicate)" "$(summary duplicates)" "smsDistSourceRowsDuplicate is $(summary duplicates)"
is "$(scalar smsDistSourceLoads)" 1 "smsDistSourceLoads is 1"
is "$(scalar smsDistSourceLoadFailures)" 0 "smsDistSourceLoadFailures is 0"
is "$(scalar smsDistSourceStaleAfter)" 3600 "smsDistSourceStaleAfter is the default 3600"
age=$(scalar smsDistSourceDataAge)
ok test "${age:-x}" -ge 0 -a "${age:-x}" -lt 120 "smsDistSourceDataAge is a few seconds ($age)"
is "$(scalar smsDistRowsSuccess)" "$(summary success)" "smsDistRowsSuccess = rows of Type 1"
is "$(scalar smsDistRowsInProgress)" "$(summary inProgress)" "smsDistRowsInProgress = rows of Type 2"
is "$(scalar smsDistRowsError)" "$(summary error)" "smsDistRowsError = rows of Type 3 or 4"
is "$(scalar smsDistRowsOtherType)" "$(summary other)" "smsDistRowsOtherType = rows of any other Type"
is "$(scalar smsDistAssetsError)" "$(summary assetsError)" "smsDistAssetsError = sum of Assets of the error rows"

# --- names, with the MIB loaded ---------------------------------------------------------
sd_named_mibs
named=$?
if [ "$named" -eq 0 ]; then
    MIB=SMS-DISTRIBUTION-STATUS-MIB
    snmp_named snmptable -Cf '|' -Ci "$MIB::smsDistStatusTable" >"$T/table.txt" 2>&1
    is "$?" 0 "snmptable $MIB::smsDistStatusTable exits 0"
    # title, blank line, header, then one line per row
    is "$(tail -n +4 "$T/table.txt" | grep -c .)" "$N" "snmptable shows the $N rows"
    like "$(sed -n 3p "$T/table.txt")" "Assets.*LastUpdateDate.*ObjectTypeID.*PackageID.*Type" \
        "snmptable names the columns"
    # snmptable shows enum labels bare: "error", not "error(3)"
    is "$(grep -c -E '\|(error|failed)(\([34]\))?$' "$T/table.txt")" "$(summary error)" \
        "snmptable labels the error rows error or failed"
    for crit in type=3 type=4 type=1 type=2 unlisted-type; do
        sel=$(check_walk select "$JSON" "$crit")
        case $sel in *\"*) bail_out "no quotes expected in $sel" ;; esac
        obj=${sel%@*}
        cat=${sel##*@}
        case $crit in
            type=1) want='success(1)' ;;
            type=2) want='inProgress(2)' ;;
            type=3) want='error(3)' ;;
            type=4) want='failed(4)' ;;
            *) want=$(check_walk field "$JSON" "$sel" Type) ;;
        esac
        out=$(snmp_named snmpget "$MIB::smsDistStatusType.\"$obj\".$cat" 2>&1)
        is "${out#* = }" "INTEGER: $want" "smsDistStatusType.\"$obj\".$cat by name shows $want"
    done
elif [ "$named" -eq 1 ]; then
    skip 8 "$SD_NAMED_WHY"
else
    ok false "the MIB checks can run: $SD_NAMED_WHY"
fi

# --- the same rows from Export-Csv -----------------------------------------------------------
ok sd_stop_agent TERM "smsdistd stops on SIGTERM"
is "$SD_STOP_STATUS" 0 "smsdistd exits 0 on SIGTERM"
NCSV=$(check_walk count "$CSV") || bail_out "the oracle cannot read sample.csv"
is "$NCSV" "$N" "the oracle reads the same number of rows from sample.csv"
sd_start_agent "source file:$CSV"
ok sd_wait_value "$(sd_oid smsDistSourceURI).0" "file:$CSV" "a new smsdistd serves sample.csv"
ok sd_wait_served "$NCSV" "smsdistd serves the $NCSV rows of sample.csv"
snmp_walk "$TABLE" >"$T/walk-csv.txt" 2>"$T/walk-csv.err"
is "$?" 0 "snmpwalk of the CSV table exits 0"
ok check_walk compare "$CSV" --table-oid "$TABLE" "$T/walk-csv.txt" \
    "snmpwalk of the CSV table is exactly the oracle's table"
ok diff -u "$T/walk-json.txt" "$T/walk-csv.txt" "the CSV walk is identical to the JSON walk"
is "$(scalar smsDistSourceRowsDuplicate)" "$(check_walk summary "$CSV" --key duplicates)" \
    "smsDistSourceRowsDuplicate is the same for the CSV"

done_testing
