#!/bin/bash
# zabbix-server.sh: the Zabbix template in a REAL Zabbix server
# (tests/contrib/zabbix-runtime.sh), polling a live smsdistd behind a private
# snmpd and receiving its notifications through snmptrapd and
# contrib/zabbix/smsdistd-zabbix-traphandle. All on 127.0.0.1.
#
#   SD_ZABBIX_VERSION=6.0 (default): Debian 12's Zabbix 6.0 on this machine;
#   SD_ZABBIX_VERSION=7.0: Debian 13's Zabbix 7.0 in a cached chroot
#     (tests/contrib/zabbix7-server.sh sets it).
#   SD_ZABBIX_TEMPLATE: the template to import; default
#     contrib/zabbix/smsdistd_template.yaml, and for 7.0
#     contrib/zabbix/smsdistd_template_7.0.yaml when it exists.
#   SD_ZABBIX_MACROS: more host macros, '{$M}=V' words separated by spaces.
#   SD_ZABBIX_STATUS_RULE: the key of the status rows' discovery rule
#     (default smsdist.status.discovery; zbx_status_rows_expected says how
#     many rows it makes items for).
#   SD_ZABBIX_WAIT: seconds each wait on Zabbix may take (default 120).
#
# Flow: smsdistd serves a combined export (the rows of
# tests/data/serve/sample.json plus distribution points and content rows:
# zabbix_template.py make-combined); the master snmpd sends its
# notifications to a snmptrapd (the MIB loaded) whose traphandle appends them
# to the server's SNMPTrapperFile. The template is imported through the API,
# a host with an SNMPv2c interface on the master's port is linked to it, its
# discovery intervals made short (every template macro named *INTERVAL* set
# to 1m), the configuration cache reloaded and every item and discovery rule
# executed now. Then, against the independent oracle (check_walk.py):
# the scalar items, the discovered items of the status rows, the discovery
# rules' state; then a row flips from Success to Error in the export:
# smsdistd's smsDistRowEnteredError reaches the snmptrap[] item made for it
# (and not snmptrap.fallback), and the counts follow. Template-specific
# problem checks: zbx_template_checks.

# shellcheck source=tests/integration/lib.sh
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

t_start=$SECONDS
# phase NAME: a diagnostic line with the time spent so far
phase() { diag "--- $* (at $((SECONDS - t_start)) s)"; }
sd_setup

VERSION=${SD_ZABBIX_VERSION:-6.0}
if [ -n "${SD_ZABBIX_TEMPLATE:-}" ]; then
    TEMPLATE=$SD_ZABBIX_TEMPLATE
elif [ "$VERSION" = 7.0 ] && [ -f "$top_srcdir/contrib/zabbix/smsdistd_template_7.0.yaml" ]; then
    TEMPLATE=$top_srcdir/contrib/zabbix/smsdistd_template_7.0.yaml
else
    TEMPLATE=$top_srcdir/contrib/zabbix/smsdistd_template.yaml
fi
[ -f "$TEMPLATE" ] || bail_out "no template at $TEMPLATE"
# shellcheck disable=SC2034  # zbx_trap_path (zabbix-template-checks.sh) runs it
HANDLER=$top_srcdir/contrib/zabbix/smsdistd-zabbix-traphandle
CHECKER=$top_srcdir/tests/contrib/zabbix_template.py
WAIT=${SD_ZABBIX_WAIT:-120}
HOST="smsdistd on 127.0.0.1"

# shellcheck source=tests/contrib/zabbix-runtime.sh
. "$top_srcdir/tests/contrib/zabbix-runtime.sh"
zbx_need_trap_tools
zbx_rt_init "$VERSION"
diag "template: $TEMPLATE"

# zw CMD ARG...: a wait of zbx.py on this host, bounded by WAIT; a wait for
# values or discovered items asks again for what is missing every 15 s
zw() {
    case $1 in
        wait-value | wait-discovered) zbx "$1" --host "$HOST" --timeout "$WAIT" --kick 15 "${@:2}" ;;
        *) zbx "$1" --host "$HOST" --timeout "$WAIT" "${@:2}" ;;
    esac
}

# --- smsdistd, its master and snmptrapd ---------------------------------------------
SRC=$T/export
mkdir -p "$SRC" || bail_out "cannot create $SRC"
C=$SRC/combined.json
cp "$SD_DATA/serve/sample.json" "$T/sample.json" || bail_out "cannot copy sample.json"
"$PYTHON3" "$CHECKER" make-combined --template "$TEMPLATE" --mibdirs "$SD_NAMED_MIBDIRS" \
    --nomibs "$T/nomibs" --top-srcdir "$top_srcdir" --input "$T/sample.json" --out "$C" \
    >"$T/make-combined.log" 2>&1 || { diag_file "$T/make-combined.log" 20; bail_out "make-combined failed"; }

# status FILE OUT: the status rows of a combined export, as the oracle reads them
status_rows() {
    "$PYTHON3" -c 'import json, sys
json.dump({"value": json.load(open(sys.argv[1]))["SMS_DistributionStatus"]}, open(sys.argv[2], "w"))' "$1" "$2"
}
# oracle FILE: the array SUM from check_walk.py summary of FILE's status rows
declare -A SUM
oracle() {
    local k v
    SUM=()
    status_rows "$1" "$T/oracle-status.json" || bail_out "cannot extract the status rows of $1"
    while read -r k v; do SUM[$k]=$v; done < <(check_walk summary "$T/oracle-status.json")
    [ -n "${SUM[rows]:-}" ] || bail_out "check_walk.py summary failed on $1"
}
oracle "$C"
N=${SUM[rows]}

TRAPLOG=$T/snmptrapd.log
# README, Zabbix, step 3: snmptrapd.conf as the README gives it (zbx_trap_path)
# shellcheck source=tests/contrib/zabbix-template-checks.sh
. "$top_srcdir/tests/contrib/zabbix-template-checks.sh"
zbx_trap_path
sd_start_agent "source file:$C" "pollInterval 1"
sd_wait_served "$N" || bail_out "smsdistd does not serve the $N rows of the combined export"

# --- Zabbix ------------------------------------------------------------------------------
phase "the Zabbix $VERSION runtime"
zbx_rt_start
zbx_internal_host >"$T/internal-host.log" 2>&1 || { diag_file "$T/internal-host.log" 10; bail_out "cannot create the internal figures host"; }

# import_template: configuration.import; the file's templates, as Zabbix has them, in templates.json
import_template() { zbx import "$TEMPLATE" >"$T/templates.json"; }
t0=$SECONDS
ok import_template "configuration.import of $(basename "$TEMPLATE") into Zabbix $VERSION succeeds"
diag "import: $((SECONDS - t0)) s"
diag "templates: $(sed 's/.*"host": "\([^"]*\)".*/\1/' "$T/templates.json" | paste -sd, -)"
ok test -s "$T/templates.json" "the file's templates are in Zabbix"

# macros: every *INTERVAL* macro of the templates at 1m, and SD_ZABBIX_MACROS
macros=()
intervals=$(zbx template-macros --templates-of "$TEMPLATE" | awk '$1 ~ /INTERVAL/ { print $1 }' | sort -u)
for m in $intervals; do macros+=("--macro" "$m=1m"); done
# shellcheck disable=SC2086  # SD_ZABBIX_MACROS: words
for m in ${SD_ZABBIX_MACROS:-}; do macros+=("--macro" "$m"); done
ok zbx host-create --host "$HOST" --port "$SD_PORT" --templates-of "$TEMPLATE" "${macros[@]}" \
    "a host with an SNMPv2c interface on 127.0.0.1:$SD_PORT linked to the template (macros: ${intervals//$'\n'/ } at 1m${SD_ZABBIX_MACROS:+, $SD_ZABBIX_MACROS})"

# zbx_kick: the configuration cache reloaded, then every item and LLD rule of the
# host (and of the internal figures host) executed now
zbx_kick() {
    zbx_reload || { diag "zabbix_server -R config_cache_reload failed"; diag_file "$ZBX_DIR/server/runtime-control.log" 5; }
    zbx check-now --host "$HOST" >/dev/null && zbx check-now --host "$ZBX_INTERNAL_HOST" >/dev/null
}
zbx_kick

# --- polling: scalars and discovery -----------------------------------------------------------
phase "polling and discovery"
ok zw wait-value --key smsdist.source.state --value 1 "smsdist.source.state reaches ok(1)"
ok zw wait-value --key smsdist.rows.success --value "${SUM[success]}" \
    "smsdist.rows.success is the oracle's ${SUM[success]}"
ok zw wait-value --key smsdist.rows.error --value "${SUM[error]}" "smsdist.rows.error is the oracle's ${SUM[error]}"
ok zw wait-value --key smsdist.rows.inprogress --value "${SUM[inProgress]}" \
    "smsdist.rows.inprogress is the oracle's ${SUM[inProgress]}"

STATUS_RULE=${SD_ZABBIX_STATUS_RULE:-smsdist.status.discovery}
# zbx_status_rows_expected: how many status rows the status discovery rule
# makes items for. The oracle's rows whose Type matches the template's
# {$SMSDIST.STATUS.ERROR.TYPES} (a regular expression on the number) when the
# template has that macro (it then discovers only rows in error), else all.
zbx_status_rows_expected() {
    local re types
    re=$(zbx template-macros --templates-of "$TEMPLATE" | awk '$1 == "{$SMSDIST.STATUS.ERROR.TYPES}" { print $2 }')
    if [ -z "$re" ]; then
        echo "$N"
        return
    fi
    types=$(status_rows "$C" /dev/stdout | "$PYTHON3" -c 'import json, re, sys
rx = re.compile(sys.argv[1])
print(" ".join(sorted({str(r["Type"]) for r in json.load(sys.stdin)["value"]
                       if isinstance(r.get("Type"), int) and rx.search(str(r["Type"]))})))' "$re")
    status_rows "$C" "$T/oracle-status.json" &&
        check_walk summary "$T/oracle-status.json" --error-types "$types" --key error
}
nproto=$(zbx dump prototypes --host "$HOST" --key-re . | "$PYTHON3" -c 'import json, sys
print(sum(1 for p in json.load(sys.stdin) if p["discoveryRule"]["key_"] == sys.argv[1]))' "$STATUS_RULE")
nrows=$(zbx_status_rows_expected)
want=$((nproto * nrows))
ok test "$nproto" -gt 0 "the status discovery rule $STATUS_RULE has item prototypes ($nproto)"
ok zw wait-discovered --rule "$STATUS_RULE" --min "$want" --max "$want" \
    "$STATUS_RULE made its $nproto prototypes' items for each of the oracle's $nrows rows it discovers ($want items)"
# discovered items are polled on their own schedule: ask for them now
zbx_kick
ok zw wait-value --rule "$STATUS_RULE" --has-value "every item $STATUS_RULE made has a value"
lld_ok() {
    zbx dump lld --host "$HOST" >"$T/lld.json" &&
        "$PYTHON3" -c 'import json, sys
bad = [r for r in json.load(open(sys.argv[1])) if r["state"] != "0" or r["error"]]
for r in bad:
    print("%s: state %s, error %r" % (r["key_"], r["state"], r["error"]))
sys.exit(1 if bad else 0)' "$T/lld.json"
}
ok zbx_wait "$WAIT" lld_ok "every discovery rule of the host is supported (no error)"

# --- a notification ---------------------------------------------------------------------------------
phase "a notification"
# The first Success row (that is not duplicated) goes to Error(3): smsdistd sends
# smsDistRowEnteredError through the master to snmptrapd, whose traphandle
# writes it to the SNMPTrapperFile.
flip=$("$PYTHON3" - "$C" "$C.tmp" <<'PY'
import collections, json, sys
doc = json.load(open(sys.argv[1]))
rows = doc["SMS_DistributionStatus"]
seen = collections.Counter((r["ObjectID"], r["MessageCategory"]) for r in rows)
for r in rows:
    if r["Type"] == 1 and seen[(r["ObjectID"], r["MessageCategory"])] == 1:
        r["Type"] = 3
        print("%s@%s" % (r["ObjectID"], r["MessageCategory"]))
        break
json.dump(doc, open(sys.argv[2], "w"), indent=1)
PY
)
[ -n "$flip" ] && mv "$C.tmp" "$C" || bail_out "cannot rewrite the export (no Success row to flip?)"
diag "flipped to Error: $flip"
before=${SUM[error]}
oracle "$C"
ok test "${SUM[error]}" -eq $((before + 1)) "the oracle sees one more row in error (${SUM[error]})"
ENTERED_OID=$(sd_oid smsDistRowEnteredError)
ok sd_wait_log "$TRAPLOG" "smsDistRowEnteredError|$ENTERED_OID" "snmptrapd received smsDistRowEnteredError"
ok sd_wait_log "$ZBX_TRAPFILE" 'ZBXTRAP 127\.0\.0\.1$' "the traphandle wrote a ZBXTRAP record from 127.0.0.1 to the SNMPTrapperFile"
ok zw wait-value --key-re '^snmptrap\[.*smsDistRowEnteredError' --like 'smsDistRowEnteredError' \
    "Zabbix's snmptrap[] item for smsDistRowEnteredError got the notification"
like "$(zbx wait-value --host "$HOST" --key-re '^snmptrap\[.*smsDistRowEnteredError' --like . --timeout 1 2>&1)" \
    "${flip%@*}" "its value names the row ($flip)"
ok zbx wait-value --host "$HOST" --key snmptrap.fallback --no-value --timeout 1 \
    "snmptrap.fallback got nothing"
zbx_kick
ok zw wait-value --key smsdist.rows.error --value "${SUM[error]}" "smsdist.rows.error follows: ${SUM[error]}"
ok zw wait-value --key smsdist.rows.success --value "${SUM[success]}" "smsdist.rows.success follows: ${SUM[success]}"

# --- the template's own problems -----------------------------------------------------------------------
phase "the template's problems"
# zbx_template_checks (tests/contrib/zabbix-template-checks.sh, sourced above):
# the problems the template opens and closes, by name and tag, against the
# oracle; it sees C, HOST, WAIT, zbx, zbx_kick and the lib.sh helpers.
zbx_template_checks

# --- the server itself ---------------------------------------------------------------------------
ok zbx wait-value --host "$ZBX_INTERNAL_HOST" --key-re '^zabbix\[' --has-value --timeout "$WAIT" --kick 15 \
    "the server's internal figures have values"
diag "Zabbix $VERSION figures: $(zbx_server_figures)"
open_problems=$(zbx dump problems --host "$HOST" | "$PYTHON3" -c 'import json, sys
print("; ".join(p["name"] for p in json.load(sys.stdin)) or "none")')
diag "open problems on the host: $open_problems"
unsupported() {
    zbx dump items --host "$HOST" | "$PYTHON3" -c 'import json, sys
bad = [i for i in json.load(sys.stdin) if i["state"] != "0"]
for i in bad:
    print("%s: %s" % (i["key_"], i["error"]))
sys.exit(1 if bad else 0)'
}
ok unsupported "no item of the host is unsupported"

diag "elapsed: $((SECONDS - t_start)) s"
done_testing
