#!/usr/bin/env python3
"""check_prometheus.py: an independent oracle for what snmp_exporter, with
contrib/prometheus/snmp.yml, serves from smsdistd.

Reads a scrape of /snmp?module=smsdistd (or smsdistd_health) in the
Prometheus text exposition format and says whether it is exactly what the
source (the export file, read by check_walk.py's Table: the rules of what
smsdistd serves) and the agent's scalars (an snmpwalk of them) must give.
It does not read snmp.yml: the renderings below are written from the MIB
and snmp_exporter 0.21's documentation, so a wrong snmp.yml fails here.

What a row of smsDistStatusTable must become (labels L = smsDistStatusObjectID
= the ObjectID, whole; smsDistStatusMessageCategory = the category in
decimal; smsDistStatusPackageID = the PackageID, "" when the row has none,
which Prometheus treats as no label, so a missing label counts as ""):
  smsDistStatusAssets{L} Assets                                   gauge
  smsDistStatusLastUpdateDate{L} the date in Unix seconds (UTC)   gauge
      (the unknown date, 8 zero octets, is what Go's time.Date makes of
      year 0, month 0, day 0: -62169984000, 30 November of year -1)
  smsDistStatusObjectTypeID_info{L, smsDistStatusObjectTypeID=NAME} 1
      NAME from SmsObjectTypeID, the number itself for a value not listed
  smsDistStatusType{L, smsDistStatusType=S} 1 for the row's Type, 0 for
      each other value of SmsDistributionStatusType; a Type not listed is
      one more series, S the number, 1
Scalars: Gauge32 as gauge, Counter32 as counter, DisplayString as a gauge 1
labelled with the text, smsDistSourceState as a state set, DateAndTime in
Unix seconds.

Commands (SCRAPE is the exporter's answer, a file):
  families SCRAPE --module M      the metric families are exactly module M's,
                                  with the right TYPE; no snmp_error
  rows SCRAPE --input JSON        every series of every row, exactly: none
                                  missing, none extra, every label and value
  objectids SCRAPE --input JSON   the ObjectID label values are exactly the
                                  source's ObjectIDs (93-character ModelNames
                                  intact); prints how many of which length
  scalars SCRAPE --oids OIDS --walk BEFORE --walk AFTER
                                  every scalar is the agent's value (as an
                                  snmpwalk -On -Oe without MIBs printed it
                                  just before or just after the scrape; the
                                  data age between the two)
  expect SCRAPE NAME=VALUE|NAME=LO:HI ...
                                  scalar NAME is VALUE (a number, a state
                                  name for smsDistSourceState, the text for a
                                  DisplayString) or a number in [LO, HI]
Exit status 0 when everything matches; 1 with one line per mismatch.
"""

import argparse
import math
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True      # the source tree may be read-only (distcheck)
import check_walk  # noqa: E402  (the table oracle: what each row is)

# --- what the MIB says -------------------------------------------------------

TYPE_NAMES = {1: "success", 2: "inProgress", 3: "error", 4: "failed"}
OBJECT_TYPE_NAMES = {2: "package", 14: "osInstallPackage", 18: "imagePackage",
                     19: "bootImagePackage", 21: "deviceSettingPackage",
                     23: "driverPackage", 24: "softwareUpdatesPackage",
                     31: "application"}
SOURCE_STATE_NAMES = {1: "ok", 2: "stale", 3: "failed", 4: "starting"}

# scalar -> how it is rendered
SCALARS = {
    "smsDistSourceURI": "text",
    "smsDistSourceState": "stateset",
    "smsDistSourceLastGoodLoad": "date",
    "smsDistSourceLastAttempt": "date",
    "smsDistSourceLastError": "text",
    "smsDistSourceLastErrorTime": "date",
    "smsDistSourceLoads": "counter",
    "smsDistSourceLoadFailures": "counter",
    "smsDistSourceRowsServed": "gauge",
    "smsDistSourceRowsRejected": "gauge",
    "smsDistSourceRowsDuplicate": "gauge",
    "smsDistSourceDataAge": "gauge",
    "smsDistSourceStaleAfter": "gauge",
    "smsDistConfigReloadsRefused": "counter",
    "smsDistConfigError": "text",
    "smsDistRowsSuccess": "gauge",
    "smsDistRowsInProgress": "gauge",
    "smsDistRowsError": "gauge",
    "smsDistRowsOtherType": "gauge",
    "smsDistAssetsError": "gauge",
    "smsDistNotifySent": "counter",
    "smsDistNotifyRateLimited": "counter",
    "smsDistNotifyDropped": "counter",
    "smsDistNotifyQueued": "gauge",
    "smsDistNotifyDeferred": "gauge",
}
ROW_FAMILIES = ["smsDistStatusAssets", "smsDistStatusLastUpdateDate",
                "smsDistStatusObjectTypeID_info", "smsDistStatusType"]
INDEX_LABELS = ("smsDistStatusObjectID", "smsDistStatusMessageCategory",
                "smsDistStatusPackageID")
EXPORTER_FAMILIES = ("snmp_scrape_duration_seconds", "snmp_scrape_walk_duration_seconds",
                     "snmp_scrape_packets_sent", "snmp_scrape_packets_retried",
                     "snmp_scrape_pdus_returned")
# Counter32 objects are counters, everything else a gauge.
PROM_TYPE = {n: ("counter" if k == "counter" else "gauge") for n, k in SCALARS.items()}
PROM_TYPE.update({f: "gauge" for f in ROW_FAMILIES})


# --- DateAndTime -> Unix seconds, as Go's time.Date(...).Unix() ------------------

def days_from_civil(y, m, d):
    """Days since 1970-01-01 of a proleptic Gregorian date (any year)."""
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def date_seconds(octets):
    """What snmp_exporter's DateAndTime type makes of 8 or 11 octets: Go's
    time.Date normalises out-of-range fields (month 0 is December of the
    year before, day 0 the last day of the month before) and Unix()
    truncates the deci-seconds."""
    if len(octets) not in (8, 11):
        raise ValueError("DateAndTime of %d octets" % len(octets))
    year = octets[0] << 8 | octets[1]
    month, day, hour, minute, sec = octets[2], octets[3], octets[4], octets[5], octets[6]
    # normalise the month into 1..12, carrying into the year
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    days = days_from_civil(year, month, 1) + (day - 1)
    t = days * 86400 + hour * 3600 + minute * 60 + sec
    if len(octets) == 11:
        sign = chr(octets[8])
        if sign not in "+-":
            raise ValueError("DateAndTime direction %r" % sign)
        off = (octets[9] * 60 + octets[10]) * 60
        t -= off if sign == "+" else -off
    return t


# --- the text exposition format ------------------------------------------------

SAMPLE_RE = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)(?:\s+(-?\d+))?$")


def parse_labels(s, lineno):
    """'{a="x",b="y\\"z"}' -> dict; strict about escapes and duplicates."""
    labels = {}
    i, n = 1, len(s) - 1
    while i < n:
        m = re.compile(r"\s*([a-zA-Z_][a-zA-Z0-9_]*)=\"").match(s, i)
        if not m:
            raise ValueError("line %d: bad label at %r" % (lineno, s[i:]))
        name = m.group(1)
        i = m.end()
        val = []
        while True:
            if i >= n:
                raise ValueError("line %d: unterminated label value" % lineno)
            c = s[i]
            if c == "\\":
                nxt = s[i + 1]
                val.append({"\\": "\\", '"': '"', "n": "\n"}.get(nxt))
                if val[-1] is None:
                    raise ValueError("line %d: bad escape \\%s" % (lineno, nxt))
                i += 2
            elif c == '"':
                i += 1
                break
            else:
                val.append(c)
                i += 1
        if name in labels:
            raise ValueError("line %d: label %s twice" % (lineno, name))
        labels[name] = "".join(val)
        m = re.compile(r"\s*,?\s*").match(s, i)
        i = m.end()
    return labels


class Scrape:
    def __init__(self, path):
        self.types = {}         # family -> type
        self.helps = {}
        self.samples = []       # (name, labels dict, value float)
        self.errors = []
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for lineno, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            if line.startswith("#"):
                parts = line.split(None, 3)
                if len(parts) >= 3 and parts[1] == "TYPE":
                    self.types[parts[2]] = parts[3] if len(parts) > 3 else ""
                elif len(parts) >= 3 and parts[1] == "HELP":
                    self.helps[parts[2]] = parts[3] if len(parts) > 3 else ""
                continue
            m = SAMPLE_RE.match(line)
            if not m:
                self.errors.append("line %d: not a sample: %r" % (lineno, line))
                continue
            try:
                labels = parse_labels(m.group(2), lineno) if m.group(2) else {}
                value = float(m.group(3))
            except ValueError as e:
                self.errors.append(str(e))
                continue
            self.samples.append((m.group(1), labels, value))

    def family(self, name):
        return [s for s in self.samples if s[0] == name]


def key(name, labels):
    return (name, tuple(sorted(labels.items())))


def show(name, labels):
    return "%s{%s}" % (name, ",".join('%s="%s"' % kv for kv in sorted(labels.items())))


def same_number(a, b):
    return a == b or (math.isnan(a) and math.isnan(b))


# --- commands ----------------------------------------------------------------------

def cmd_families(sc, a):
    errs = list(sc.errors)
    want = dict((n, PROM_TYPE[n]) for n in SCALARS)
    if a.module == "smsdistd":
        want.update((f, PROM_TYPE[f]) for f in ROW_FAMILIES)
    elif a.module != "smsdistd_health":
        sys.exit("check_prometheus: unknown module %s" % a.module)
    present = {s[0] for s in sc.samples}
    for fam in sorted(want):
        if fam not in present:
            errs.append("family %s: missing" % fam)
        elif sc.types.get(fam) != want[fam]:
            errs.append("family %s: TYPE %s, want %s" % (fam, sc.types.get(fam), want[fam]))
        elif not sc.helps.get(fam):
            errs.append("family %s: no HELP" % fam)
    for fam in sorted(present):
        if fam in want or fam in EXPORTER_FAMILIES:
            continue
        errs.append("family %s: not expected in module %s" % (fam, a.module))
    if "snmp_scrape_pdus_returned" not in present:
        errs.append("no snmp_scrape_pdus_returned: not a successful scrape")
    for s in sc.family("snmp_scrape_pdus_returned"):
        if s[2] <= 0:
            errs.append("snmp_scrape_pdus_returned is %g" % s[2])
    if "snmp_error" in present:
        errs.append("snmp_error in the scrape")
    return errs, "%d families, as module %s has them" % (len(want), a.module)


def row_expectations(table):
    """{key: value} of every series the rows must give."""
    want = {}
    for r in table.rows:
        base = {"smsDistStatusObjectID": r["ObjectID"],
                "smsDistStatusMessageCategory": str(r["MessageCategory"]),
                "smsDistStatusPackageID": r["PackageID"]}
        want[key("smsDistStatusAssets", base)] = float(r["Assets"])
        want[key("smsDistStatusLastUpdateDate", base)] = float(date_seconds(r["LastUpdateDate"]))
        ot = r["ObjectTypeID"]
        want[key("smsDistStatusObjectTypeID_info",
                 dict(base, smsDistStatusObjectTypeID=OBJECT_TYPE_NAMES.get(ot, str(ot))))] = 1.0
        states = dict(TYPE_NAMES)
        states.setdefault(r["Type"], str(r["Type"]))
        for v, name in states.items():
            want[key("smsDistStatusType", dict(base, smsDistStatusType=name))] = \
                1.0 if v == r["Type"] else 0.0
    return want


def cmd_rows(sc, a):
    errs = list(sc.errors)
    table = check_walk.Table(a.input)
    want = row_expectations(table)
    got = {}
    for name, labels, value in sc.samples:
        if not name.startswith("smsDistStatus"):
            continue
        labels = dict(labels)
        labels.setdefault("smsDistStatusPackageID", "")    # "" is no label
        k = key(name, labels)
        if k in got:
            errs.append("%s: twice" % show(name, labels))
        got[k] = value
    for k, v in want.items():
        if k not in got:
            errs.append("missing: %s %g" % (show(k[0], dict(k[1])), v))
        elif not same_number(got[k], v):
            errs.append("%s: %r, want %r" % (show(k[0], dict(k[1])), got[k], v))
    for k, v in got.items():
        if k not in want:
            errs.append("not expected: %s %g" % (show(k[0], dict(k[1])), v))
    return errs, "%d series of %d rows, every label and value as the source says" % (
        len(want), len(table.rows))


def cmd_objectids(sc, a):
    errs = list(sc.errors)
    table = check_walk.Table(a.input)
    want = {r["ObjectID"] for r in table.rows}
    got = set()
    for name, labels, _ in sc.samples:
        if name.startswith("smsDistStatus"):
            if "smsDistStatusObjectID" not in labels:
                errs.append("%s: no smsDistStatusObjectID label" % show(name, labels))
            else:
                got.add(labels["smsDistStatusObjectID"])
    for o in sorted(want - got):
        errs.append("ObjectID %r (%d characters): not a label value" % (o, len(o)))
    for o in sorted(got - want):
        errs.append("label value %r (%d characters): no such ObjectID" % (o, len(o)))
    lengths = {}
    for o in want:
        lengths[len(o)] = lengths.get(len(o), 0) + 1
    return errs, "%d ObjectIDs intact (%s)" % (
        len(want), ", ".join("%d of %d characters" % (n, l) for l, n in sorted(lengths.items())))


def read_oids(path):
    oids = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2 and parts[1].startswith("."):
                oids[parts[0]] = check_walk.parse_oid(parts[1])
    return oids


def agent_scalars(walk_path, oids):
    """{name: (snmp type word, value)} of the scalars in an snmpwalk."""
    with open(walk_path, encoding="latin-1") as f:
        got = check_walk.parse_walk(f.read())
    by_oid = {o + (0,): n for n, o in oids.items() if n in SCALARS}
    out = {}
    for oid, typ, val, _ in got:
        if oid in by_oid:
            out[by_oid[oid]] = (typ, val)
    return out


def rendered(name, typ, val):
    """{key: value} that the exporter must give for a scalar's SNMP value."""
    kind = SCALARS[name]
    if kind == "text":
        text = val.decode("latin-1") if isinstance(val, bytes) else val
        return {key(name, {name: text}): 1.0}
    if kind == "date":
        return {key(name, {}): float(date_seconds(val))}
    if kind == "stateset":
        out = {}
        states = dict(SOURCE_STATE_NAMES)
        states.setdefault(val, str(val))
        for v, s in states.items():
            out[key(name, {name: s})] = 1.0 if v == val else 0.0
        return out
    return {key(name, {}): float(val)}


def scrape_scalars(sc):
    got = {}
    for name, labels, value in sc.samples:
        if name in SCALARS:
            got[key(name, labels)] = value
    return got


def cmd_scalars(sc, a):
    errs = list(sc.errors)
    oids = read_oids(a.oids)
    missing = [n for n in SCALARS if n not in oids]
    if missing:
        sys.exit("check_prometheus: no OID for %s in %s" % (", ".join(missing), a.oids))
    walks = [agent_scalars(w, oids) for w in a.walk]
    got = scrape_scalars(sc)
    seen = set()
    for name in SCALARS:
        options = []
        for w in walks:
            if name not in w:
                errs.append("%s: not in the agent's walk %s" % (name, a.walk[walks.index(w)]))
                continue
            options.append(rendered(name, *w[name]))
        if not options:
            continue
        mine = {k: v for k, v in got.items() if k[0] == name}
        seen.update(mine)
        if name == "smsDistSourceDataAge" and len(options) == 2:
            lo = next(iter(options[0].values()))
            hi = next(iter(options[1].values()))
            k = key(name, {})
            if set(mine) != {k} or not lo <= mine[k] <= hi:
                errs.append("%s: %s, want one series in [%g, %g]" % (
                    name, sorted((show(k2[0], dict(k2[1])), v) for k2, v in mine.items()), lo, hi))
            continue
        if not any(set(mine) == set(o) and all(same_number(mine[k], o[k]) for k in o)
                   for o in options):
            errs.append("%s: exporter %s; agent %s" % (
                name,
                sorted((show(k[0], dict(k[1])), v) for k, v in mine.items()),
                " or ".join(str(sorted((show(k[0], dict(k[1])), v) for k, v in o.items()))
                            for o in options)))
    for k in got:
        if k not in seen:
            errs.append("not expected: %s" % show(k[0], dict(k[1])))
    return errs, "%d scalars, each the agent's value" % len(SCALARS)


def cmd_expect(sc, a):
    errs = list(sc.errors)
    got = scrape_scalars(sc)
    for spec in a.specs:
        name, _, want = spec.partition("=")
        if name not in SCALARS:
            sys.exit("check_prometheus: %s is not a scalar" % name)
        mine = {k: v for k, v in got.items() if k[0] == name}
        kind = SCALARS[name]
        if kind == "text":
            ok = set(mine) == {key(name, {name: want})} and all(v == 1.0 for v in mine.values())
        elif kind == "stateset":
            names = set(SOURCE_STATE_NAMES.values()) | {want}
            ok = (set(mine) == {key(name, {name: s}) for s in names} and
                  all(v == (1.0 if dict(k[1])[name] == want else 0.0) for k, v in mine.items()))
        else:
            k = key(name, {})
            m = re.fullmatch(r"(-?[0-9.e+]+):(-?[0-9.e+]+)", want)
            if set(mine) != {k}:
                ok = False
            elif m:
                ok = float(m.group(1)) <= mine[k] <= float(m.group(2))
            else:
                ok = mine[k] == float(want)
        if not ok:
            errs.append("%s: want %s; the exporter gave %s" % (
                name, want, sorted((show(k[0], dict(k[1])), v) for k, v in mine.items()) or "nothing"))
    return errs, "%d source-derived values" % len(a.specs)


def main(argv):
    ap = argparse.ArgumentParser(description="oracle for snmp_exporter's view of smsdistd")
    ap.add_argument("command", choices=["families", "rows", "objectids", "scalars", "expect"])
    ap.add_argument("scrape")
    ap.add_argument("specs", nargs="*", help="expect: NAME=VALUE or NAME=LO:HI")
    ap.add_argument("--module", default="smsdistd")
    ap.add_argument("--input")
    ap.add_argument("--oids")
    ap.add_argument("--walk", action="append", default=[])
    a = ap.parse_intermixed_args(argv)
    if a.command in ("rows", "objectids") and not a.input:
        ap.error("%s needs --input" % a.command)
    if a.command == "scalars" and (not a.oids or not a.walk):
        ap.error("scalars needs --oids and --walk")
    sc = Scrape(a.scrape)
    errs, what = {"families": cmd_families, "rows": cmd_rows, "objectids": cmd_objectids,
                  "scalars": cmd_scalars, "expect": cmd_expect}[a.command](sc, a)
    for e in errs[:200]:
        print(e)
    if len(errs) > 200:
        print("... and %d more" % (len(errs) - 200))
    if errs:
        print("%d mismatch(es)" % len(errs))
        return 1
    print(what)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
