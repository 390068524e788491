#!/bin/bash
# windows-csv.sh: Export-Csv files as Windows PowerShell 5.1 writes them
# from Get-CimInstance (tests/data/windows/cim-*.csv: the #TYPE line, every
# value quoted, CRLF, the PSComputerName/CimClass/CimInstance* columns, and
# LastUpdateDate as local time in the session's culture, no offset), through
# a real snmpd:
#   - without sourceTimeZone/sourceDateFormat every row is refused, so the
#     file is, and smsDistSourceLastError and the log name the directives;
#   - sourceDateFormat without sourceTimeZone, an unknown zone, a Windows
#     zone name and a bad pattern stop the start (exit 1) with the reason;
#   - Europe/Berlin + de-DE, then (SIGHUP, the zone changing while the
#     loader thread runs) America/New_York + en-US: every row is served,
#     each smsDistStatusLastUpdateDate the UTC instant Python's zoneinfo
#     computes (the repeated autumn hour as standard time, the later
#     instant), with check_walk.py as the oracle for the rest of the row.

. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

sd_setup
[ -f /usr/share/zoneinfo/Europe/Berlin ] || skip_all "no tzdata in /usr/share/zoneinfo (Debian: apt-get install tzdata)"
"$PYTHON3" -c 'import zoneinfo; zoneinfo.ZoneInfo("Europe/Berlin")' 2>/dev/null \
    || skip_all "python3 has no zoneinfo with Europe/Berlin (Python 3.9+ and tzdata)"

WIN=$SD_DATA/windows
D=$T/export
EXPORT=$D/distribution.csv
TABLE=$(sd_oid smsDistStatusTable)
DATE_COL=$(sd_oid smsDistStatusLastUpdateDate)
mkdir -p "$D" || bail_out "mkdir $D"

scalar() { snmp_value "$(sd_oid "$1").0"; }
put() { cp "$1" "$D/.tmp" && mv "$D/.tmp" "$EXPORT"; }

# expected IN ZONE FORMAT OUT: IN with each LastUpdateDate rewritten as the
# UTC instant it names in ZONE (Python's zoneinfo, sharing no code with
# smsdistd; FORMAT is strptime's). fold=1: a wall-clock time shown twice is
# the later instant. A time the zone skipped fails (none is expected).
expected() {
    "$PYTHON3" - "$@" <<'PY'
import csv, datetime, io, sys, zoneinfo
src, zone, fmt, dst = sys.argv[1:5]
tz, utc = zoneinfo.ZoneInfo(zone), datetime.timezone.utc
text = open(src, newline="").read()
type_line, _, body = text.partition("\r\n")
assert type_line.startswith("#TYPE "), "no #TYPE line"
rows = list(csv.DictReader(io.StringIO(body, newline="")))
out = io.StringIO(newline="")
w = csv.DictWriter(out, fieldnames=list(rows[0].keys()), quoting=csv.QUOTE_ALL, lineterminator="\r\n")
w.writeheader()
for r in rows:
    local = datetime.datetime.strptime(r["LastUpdateDate"], fmt).replace(tzinfo=tz, fold=1)
    inst = local.astimezone(utc)
    back = inst.astimezone(tz).replace(tzinfo=None)
    assert back == local.replace(tzinfo=None), f"{r['LastUpdateDate']} does not exist in {zone}"
    r["LastUpdateDate"] = inst.strftime("%Y-%m-%dT%H:%M:%SZ")
    w.writerow(r)
open(dst, "w", newline="").write(type_line + "\r\n" + out.getvalue())
PY
}

# The DateAndTime octets Python computes for one local text, as snmpget prints them.
octets() {
    "$PYTHON3" - "$@" <<'PY'
import datetime, sys, zoneinfo
text, zone, fmt = sys.argv[1:4]
t = datetime.datetime.strptime(text, fmt).replace(tzinfo=zoneinfo.ZoneInfo(zone), fold=1)
u = t.astimezone(datetime.timezone.utc)
o = [u.year >> 8, u.year & 0xff, u.month, u.day, u.hour, u.minute, u.second, 0, ord("+"), 0, 0]
print(" ".join("%02X" % b for b in o))
PY
}

# One row's smsDistStatusLastUpdateDate as "07 EA ..." (snmpget ends a Hex-STRING with a space).
date_of() {
    local v
    v=$(snmp_value "$DATE_COL$(sd_index "$1" "$2")") || return 1
    printf '%s\n' "${v% }"
}

walk_matches() {
    snmp_walk "$TABLE" >"$T/walk.txt" 2>&1 || return 1
    check_walk compare "$1" --table-oid "$TABLE" "$T/walk.txt"
}
exited() { ! sd_alive "$SD_AGENT_PID"; }

DE_FMT='%d.%m.%Y %H:%M:%S'
US_FMT='%m/%d/%Y %I:%M:%S %p'
expected "$WIN/cim-de-DE.csv" Europe/Berlin "$DE_FMT" "$T/want-de.csv" \
    || bail_out "zoneinfo cannot convert cim-de-DE.csv"
expected "$WIN/cim-en-US.csv" America/New_York "$US_FMT" "$T/want-us.csv" \
    || bail_out "zoneinfo cannot convert cim-en-US.csv"
N=$(check_walk count "$T/want-de.csv") || bail_out "the oracle cannot read want-de.csv"
[ "$N" = "$(check_walk count "$T/want-us.csv")" ] || bail_out "the samples differ in size"
[ "$N" -ge 8 ] || bail_out "cim-de-DE.csv has only $N rows"

sd_start_master

# --- no directives: refused, and the reason names them -------------------------
put "$WIN/cim-de-DE.csv"
sd_start_agent "source file:$EXPORT"
ok sd_wait_value "$(sd_oid smsDistSourceState).0" 3 "no directives: the culture-dated file is refused (failed(3))"
is "$(scalar smsDistSourceRowsServed)" 0 "no row is served"
like "$(scalar smsDistSourceLastError)" \
    "distribution.csv: none of the $N rows could be used \(first: row 1: LastUpdateDate: looks like a culture-dependent local date: set sourceDateFormat \(e\.g\. de-DE\) and sourceTimeZone" \
    "smsDistSourceLastError names sourceDateFormat and sourceTimeZone"
ok sd_wait_log "$T/smsdistd.log" \
    "distribution.csv: row 1: LastUpdateDate: looks like a culture-dependent local date: set sourceDateFormat \(e\.g\. de-DE\) and sourceTimeZone \(\"28\.03\.2026 23:59:59\"\); row skipped" \
    "the log says which directives read row 1's date"
sd_stop_agent TERM
is "$SD_STOP_STATUS" 0 "smsdistd exits 0"

# --- configurations that must not start ----------------------------------------
refuses() {
    local want=$1 desc=$2
    shift 2
    sd_start_agent "source file:$EXPORT" "$@"
    ok sd_poll exited "$desc: smsdistd does not start"
    sd_stop "$SD_AGENT_PID"
    is "$SD_STOP_STATUS" 1 "$desc: exit status 1"
    ok sd_log_has "$T/smsdistd.log" "$want" "$desc: the log says why"
}
refuses "sourceDateFormat de-DE needs sourceTimeZone" "sourceDateFormat alone" \
    "sourceDateFormat de-DE"
refuses "sourceTimeZone: unknown time zone 'Europe/Berln'" "an unknown zone" \
    "sourceTimeZone Europe/Berln" "sourceDateFormat de-DE"
refuses "sourceTimeZone: 'W\. Europe Standard Time' is not an IANA time zone name" \
    "a Windows zone name" "sourceTimeZone W. Europe Standard Time" "sourceDateFormat de-DE"
refuses "sourceDateFormat: 'MMM' at character 4: month names are not supported" \
    "a pattern with month names" "sourceTimeZone Europe/Berlin" "sourceDateFormat dd.MMM.yyyy HH:mm:ss"

# --- Europe/Berlin, de-DE -------------------------------------------------------
sd_start_agent "source file:$EXPORT" "sourceTimeZone Europe/Berlin" "sourceDateFormat de-DE"
ok sd_wait_served "$N" "Europe/Berlin + de-DE: all $N rows are served"
is "$(scalar smsDistSourceRowsRejected)" 0 "none rejected"
ok walk_matches "$T/want-de.csv" "the walk is the export with zoneinfo's UTC dates, row for row"
want=$(octets "25.10.2026 02:30:00" Europe/Berlin "$DE_FMT")
is "$want" "07 EA 0A 19 01 1E 00 00 2B 00 00" "zoneinfo: 25.10.2026 02:30:00 in Berlin is 01:30Z (CET, the later)"
got=$(date_of P01000F6 20)
is "$got" "$want" "the repeated hour is served as standard time (P01000F6/20)"
got=$(date_of PS100012 40)
is "$got" "$(octets "29.03.2026 03:00:00" Europe/Berlin "$DE_FMT")" \
    "the first summer-time second is served as 01:00Z (PS100012/40)"

# --- SIGHUP: America/New_York, en-US --------------------------------------------
printf '%s\n' "source file:$EXPORT" "sourceTimeZone America/New_York" "sourceDateFormat en-US" \
    >"$T/smsdistd.conf"
put "$WIN/cim-en-US.csv"
kill -HUP "$SD_AGENT_PID"
ok sd_poll walk_matches "$T/want-us.csv" \
    "SIGHUP to America/New_York + en-US: the walk is the en-US export with zoneinfo's UTC dates"
ok sd_wait_value "$(sd_oid smsDistSourceState).0" 1 "smsDistSourceState is ok(1)"
is "$(scalar smsDistSourceRowsRejected)" 0 "none rejected"
got=$(date_of P01000F6 20)
is "$got" "$(octets "11/1/2026 1:30:00 AM" America/New_York "$US_FMT")" \
    "11/1/2026 1:30:00 AM (shown twice in New York) is served as EST (P01000F6/20)"
got=$(date_of "ScopeId_B3FF3CC4-0319-4434-9D24-77689C53C615/Application_197d8de7-022d-4c0b-aec4-c339ccc17ba4" 30)
is "$got" "07 EA 0C 18 11 05 09 00 2B 00 00" "12:05:09 PM on 12/24/2026 in New York is 17:05:09Z"

sd_stop_agent TERM
is "$SD_STOP_STATUS" 0 "smsdistd exits 0 on SIGTERM"
done_testing
