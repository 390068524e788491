#!/bin/bash
# zabbix.sh: contrib/zabbix/smsdistd_template.yaml, the Zabbix 6.0 template,
# checked by tests/contrib/zabbix_template.py (one TAP test per check):
#   - against the Zabbix 6.0 import format (keys, enum names, strings,
#     UUIDs) and against the MIB as net-snmp reads it (every OID an object
#     of SMS-DISTRIBUTION-STATUS-MIB, value types fitting the SYNTAX, value
#     maps equal to the textual conventions' enumerations);
#   - its JavaScript steps run in Duktape, Zabbix's engine;
#   - its snmptrap[] regexes against what a real snmptrapd printed for each
#     notification of the MIB (numeric OIDs, names, NET-SNMP-MIB only);
#   - its OIDs against a live smsdistd behind a private snmpd on 127.0.0.1
#     serving a combined export (doc/per-dp-tables.md): the rows of
#     tests/data/serve/sample.json and distribution points and content rows
#     (zabbix_template.py make-combined), so that every table is served.
#
# SD_ZABBIX_TEMPLATE=FILE checks another file (to see a broken copy fail).

# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

sd_setup
"$PYTHON3" -c 'import yaml' 2>/dev/null ||
    skip_all "python3-yaml not installed (Debian: apt-get install python3-yaml)"
command -v snmptranslate >/dev/null 2>&1 || skip_all "snmptranslate not found (Debian: snmp)"
command -v snmptrap >/dev/null 2>&1 || skip_all "snmptrap not found (Debian: snmp)"
[ -n "${SNMPTRAPD:-}" ] || SNMPTRAPD=$(command -v snmptrapd || echo /usr/sbin/snmptrapd)
[ -x "$SNMPTRAPD" ] || skip_all "snmptrapd not found (Debian: apt-get install snmptrapd)"
sd_named_mibs
case $? in
    1) skip_all "$SD_NAMED_WHY" ;;
    2) bail_out "$SD_NAMED_WHY" ;;
esac

TEMPLATE=${SD_ZABBIX_TEMPLATE:-$top_srcdir/contrib/zabbix/smsdistd_template.yaml}
CHECKER=$top_srcdir/tests/contrib/zabbix_template.py
[ -f "$TEMPLATE" ] || bail_out "no template at $TEMPLATE"

# zt CHECK [ARG...]: one check of the template
zt() {
    "$PYTHON3" "$CHECKER" "$1" --template "$TEMPLATE" --mibdirs "$SD_NAMED_MIBDIRS" \
        --nomibs "$T/nomibs" --top-srcdir "$top_srcdir" "${@:2}"
}

plan 19
diag "template: $TEMPLATE"
diag "JavaScript runs in: $(zt js-engine)"

# --- the file, the format, the MIB --------------------------------------------
ok zt parse "YAML parses: zabbix_export version '6.0', top-level groups:, the one template"
ok zt schema "only keys and enum names of the 6.0 import format; every scalar a string"
ok zt uuids "template, groups, items, triggers, discovery rule, prototypes, value maps: unique UUIDv4s (32 hex digits)"
ok zt keys "item keys unique and well formed; prototype keys carry an LLD macro"
ok zt oids "every OID (items, prototypes, discovery[]) is an object of SMS-DISTRIBUTION-STATUS-MIB"
ok zt access "scalars end in .0, prototypes in .{#SNMPINDEX} on a column of their rule's table; every readable object is polled"
ok zt syntax "value types fit the SYNTAX; enums carry their TC's value map, entries = the enumeration"
ok zt valuemaps "every value map referenced exists and every one defined is used"
ok zt discovery "the four discovery rules: discovery[] macros on their columns ({#TYPE} {#PKGID} {#OBJTYPE}; {#URI}; {#DPNAME}; {#STATE}), every LLD macro used defined; DP and content intervals and lost periods are macros; content rows only through a JSONPath and LLD filter on {#STATE} whose default lets 3 and 6 through"
ok zt triggers "trigger expressions reference this template's items; macros and dependencies exist"
ok zt traps "one snmptrap[regexp] item per notification of the MIB, plus snmptrap.fallback"
ok zt js-date "the DateAndTime step turns hex octets and hinted text into ISO 8601 UTC"
ok zt js-lld "the discovery steps decode {#SNMPINDEX}: {#OBJECTID} {#MSGCAT}; {#TABLE}; {#DPSERVER} ({#DPNAME} when empty); {#PACKAGEID} {#DPSERVER}; malformed indexes fail"

# --- traps: what snmptrapd prints, in three set-ups ------------------------------
# form: numeric (-On, no MIB), names (the MIB loaded), playpen (only
# NET-SNMP-MIB loaded: NET-SNMP-MIB::netSnmpPlaypen.2007.0.N).
TD=$T/traps
mkdir -p "$TD" || bail_out "cannot create $TD"
cat >"$T/traphandler.sh" <<'EOF' || bail_out "cannot write the trap handler"
# snmptrapd traphandle: the trap's text on stdin, as zabbix_trap_handler.sh reads it
f=$(mktemp "$1/.handled.XXXXXX") || exit 1
cat >"$f" && mv "$f" "$1/handled.${f##*.}.trap"
EOF

capture_traps() {
    local form=$1 mibs=$2 mibdirs=$3 opts=$4 port log=$T/snmptrapd-$1.log
    printf 'disableAuthorization yes\ntraphandle default /bin/sh %s %s\n' \
        "$T/traphandler.sh" "$TD" >"$T/snmptrapd.conf" || return 1
    # shellcheck disable=SC2086 # opts: zero or one option
    MIBS=$mibs MIBDIRS=$mibdirs sd_start_trapd "$T/snmptrapd.conf" "$log" $opts
    port=$SD_TRAPD_PORT
    sd_alive "$SD_TRAPD_PID" || { diag "snmptrapd ($form) did not start"; return 1; }
    zt send-traps --port "$port" --dir "$TD" --log "$log" --form "$form" >"$T/send-$form.out" 2>&1
    local status=$?
    sd_stop "$SD_TRAPD_PID"
    [ "$status" -eq 0 ] || { diag "sending the notifications ($form) failed:"; diag_file "$T/send-$form.out" 20; }
    return "$status"
}
captured=0
capture_traps numeric "" "$T/nomibs" -On &&
    capture_traps names SNMPv2-MIB:SMS-DISTRIBUTION-STATUS-MIB "$SD_NAMED_MIBDIRS" "" &&
    capture_traps playpen SNMPv2-MIB:NET-SNMP-MIB "$SD_NAMED_MIBDIRS" "" &&
    captured=1
ok test "$captured" = 1 "snmptrapd received and printed every notification of the MIB in the three set-ups"
ok zt trap-match --dir "$TD" "each snmptrap regex matches its own notification and no other, in every form"

# --- a live smsdistd -----------------------------------------------------------------
cp "$SD_DATA/serve/sample.json" "$T/sample.json" || bail_out "cannot copy sample.json"
N=$(check_walk count "$T/sample.json") || bail_out "the oracle cannot read sample.json"
zt make-combined --input "$T/sample.json" --out "$T/combined.json" || bail_out "cannot write combined.json"
sd_start_master
sd_start_agent "source file:$T/combined.json"
if sd_wait_served "$N" && sd_wait_value "$(sd_oid smsDistDPCount).0" 4; then
    ok zt live-scalars --port "$SD_PORT" "every item's OID answers from smsdistd with a value fitting its type"
    ok zt live-prototypes --port "$SD_PORT" --input "$T/sample.json" --tables-input "$T/combined.json" \
        "every prototype's OID answers for the first and last rows of its table (and the longest DP index)"
    ok zt live-lld --port "$SD_PORT" --input "$T/sample.json" --tables-input "$T/combined.json" \
        "discovery[] plus the discovery steps (and JSONPath and LLD filters) give every status row, every DP, exactly the failed content rows, and the DP tables' sources"
    ok zt live-dates --port "$SD_PORT" --input "$T/sample.json" \
        "every row's LastUpdateDate, as Zabbix receives it, through the date step is the oracle's date"
else
    diag "smsdistd did not serve sample.json: the live checks fail"
    for what in live-scalars live-prototypes live-lld live-dates; do
        ok false "$what (smsdistd not serving)"
    done
fi
