#!/usr/bin/env python3
"""check_walk.py: an independent oracle for smsDistStatusTable.

Reads an input file the way a ConfigMgr site server exports it, with nothing
but Python's json and csv modules, applies the rules of doc/design.md, and
says what smsdistd must serve; then compares that with what snmpwalk,
snmpbulkwalk, snmpget or snmpgetnext printed. Shares no code with smsdistd.

Input forms:
  - AdminService JSON envelope {"@odata.context": ..., "value": [ {...}, ... ]}
  - a plain JSON array of objects
  - Export-Csv CSV: optional "#TYPE ..." first line, a (quoted) header of WMI
    property names in any order and case, extra columns ignored
  UTF-8 with or without BOM; UTF-16 with a BOM.

Rules (doc/design.md, "Data model"):
  ObjectID         required; string of 1..112 printable ASCII (0x20-0x7E)
  MessageCategory  required; UInt32: JSON integer or decimal string
  Assets           required; UInt32
  ObjectTypeID     required; UInt32 <= 2147483647
  Type             required; UInt32 <= 2147483647
  PackageID        optional; string of 0..255 printable ASCII; absent/null/"" = ""
  LastUpdateDate   optional; ISO 8601 with Z or offset, DMTF, /Date(ms)/;
                   absent/null/"" = the 8 zero octets; anything else rejects
                   the row. Served as an 11-octet UTC DateAndTime; the
                   deci-seconds octet is the fraction truncated.
  A JSON null or an empty CSV cell is "absent". Booleans, reals, negative
  numbers, signs, spaces: rejected. Duplicates (same ObjectID and
  MessageCategory): the latest LastUpdateDate is kept, on a tie the later
  row of the document.
  Index: {length of ObjectID, its octets, MessageCategory}, which sorts as
  shorter ObjectIDs first, then octets (unsigned), then category.

snmpwalk output this reads (what lib.sh's wrappers ask for):
    snmpwalk -v2c -On -Oe  with MIBS="" and MIBDIRS=<an empty directory>
  -On numeric OIDs, so each line starts with the full OID; -Oe enums as
  plain numbers; no MIB loaded, so nothing knows the DateAndTime hint and its
  octets come out raw: as "Hex-STRING: 07 EA 0B ..." (a DateAndTime always
  holds a non-printable octet), or "STRING: \"...\"" when every octet is
  printable, and an empty string as "". Gauge32 and INTEGER print as
  "Gauge32: N" and "INTEGER: N". Lines that do not start with "." continue
  the previous value (long Hex-STRINGs wrap).

Commands (INPUT is the export file; OID arguments are numeric):
  count INPUT                      rows that must be served
  first-last INPUT                 index suffix of the first and last rows
  summary INPUT [--error-types "3 4"] [--key K]
                                   rows rejected duplicates success inProgress
                                   error other assetsError ("K V" lines)
  field INPUT ROW PROPERTY         one property of one row as the oracle holds it
                                   (dates as hex octets)
  rejects INPUT                    "ROW PROPERTY" for every rejected row
  select INPUT CRITERION           OBJECTID@CATEGORY of the first row (index
                                   order) that matches: type=N, null-date,
                                   objectid-len=N, objectid-prefix=S,
                                   unlisted-type, unlisted-objecttype,
                                   package, application, max-category
  oids INPUT --table-oid OID [--rows R,...] [--columns C,...]
                                   the expected OIDs, in order
  compare INPUT --table-oid OID [--rows R,...] [--columns C,...] [OUTPUT|-]
                                   compares OUTPUT (snmpwalk text) with the
                                   expectation; exit 1 and one line per
                                   mismatch when they differ
  Rows are selected as OBJECTID@CATEGORY, "first", "last" or a 0-based
  position in index order; columns are 3..7.
"""

import argparse
import csv
import datetime as dt
import io
import json
import re
import sys

OBJECTID_MAX = 112
DISPLAYSTRING_MAX = 255
UINT32_MAX = 4294967295
INT32_MAX = 2147483647

PROPS = ["ObjectID", "MessageCategory", "Assets", "LastUpdateDate",
         "ObjectTypeID", "PackageID", "Type"]
PROP_BY_LOWER = {p.lower(): p for p in PROPS}

COLUMNS = {3: "Assets", 4: "LastUpdateDate", 5: "ObjectTypeID",
           6: "PackageID", 7: "Type"}
# column -> the snmpwalk type words accepted for it ("" is how an empty
# octet string prints). A PackageID is printable ASCII, so never Hex-STRING.
COLUMN_TYPES = {3: ("Gauge32",), 4: ("Hex-STRING", "STRING", ""),
                5: ("INTEGER",), 6: ("STRING", ""),
                7: ("INTEGER",)}
LISTED_OBJECT_TYPES = (2, 14, 18, 19, 21, 23, 24, 31)
LISTED_TYPES = (1, 2, 3, 4)

UNKNOWN_DATE = bytes(8)


class Reject(Exception):
    def __init__(self, prop, why):
        super().__init__(why)
        self.prop = prop
        self.why = why


class Refused(Exception):
    """The whole document is refused (design.md, "Document refusal")."""


# ---------------------------------------------------------------------------
# Reading the document

def decode_text(raw):
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        enc = "utf-8"
    elif raw.startswith(b"\xff\xfe") or raw.startswith(b"\xfe\xff"):
        enc = "utf-16"
    else:
        enc = "utf-8"
    try:
        text = raw.decode(enc)
    except UnicodeDecodeError as e:
        raise Refused("undecodable text: %s" % e)
    if enc == "utf-16" and text.startswith("\ufeff"):
        text = text[1:]
    if text.strip() == "":
        raise Refused("empty document")
    return text


def read_records(path):
    """Returns a list of records: dicts property -> value, where a value is
    None (absent/null/empty cell), or what json/csv gave."""
    with open(path, "rb") as f:
        text = decode_text(f.read())
    first = text.lstrip()[:1]
    if first in ("{", "["):
        return read_json(text)
    return read_csv(text)


def read_json(text):
    try:
        doc = json.loads(text)
    except ValueError as e:
        raise Refused("JSON: %s" % e)
    if isinstance(doc, dict):
        if not isinstance(doc.get("value"), list):
            raise Refused("JSON object without a \"value\" array")
        items = doc["value"]
    elif isinstance(doc, list):
        items = doc
    else:
        raise Refused("JSON is neither an array nor an envelope")
    records = []
    for item in items:
        rec = {}
        if isinstance(item, dict):
            for k, v in item.items():
                p = PROP_BY_LOWER.get(k.lower())
                if p is not None:
                    rec[p] = v
        else:
            rec = None
        records.append(rec)
    return records


def read_csv(text):
    lines = io.StringIO(text, newline="")
    if text.startswith("#TYPE"):
        lines.readline()
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        raise Refused("CSV without a header")
    cols = {}
    for i, name in enumerate(header):
        p = PROP_BY_LOWER.get(name.strip().lower())
        if p is not None:
            cols[p] = i
    for p in ("ObjectID", "MessageCategory", "Assets", "ObjectTypeID", "Type"):
        if p not in cols:
            raise Refused("CSV without a %s column" % p)
    records = []
    for cells in reader:
        if cells == []:
            continue            # a blank line is not a record
        rec = {}
        for p, i in cols.items():
            v = cells[i] if i < len(cells) else ""
            rec[p] = None if v == "" else v
        records.append(rec)
    return records


# ---------------------------------------------------------------------------
# Validation

def uint32(rec, prop, maximum=UINT32_MAX):
    v = rec.get(prop)
    if v is None:
        raise Reject(prop, "missing")
    if isinstance(v, bool):
        raise Reject(prop, "boolean")
    if isinstance(v, int):
        n = v
    elif isinstance(v, str) and re.fullmatch(r"[0-9]+", v):
        n = int(v)
    else:
        raise Reject(prop, "not an unsigned integer: %r" % (v,))
    if n < 0 or n > maximum:
        raise Reject(prop, "out of range: %d" % n)
    return n


def printable(s):
    return all(0x20 <= ord(c) <= 0x7E for c in s)


def date_and_time(t, deci):
    """datetime (UTC, naive) + deci-seconds -> 11 DateAndTime octets."""
    return bytes([t.year >> 8, t.year & 0xFF, t.month, t.day, t.hour,
                  t.minute, t.second, deci, ord("+"), 0, 0])


ISO_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})"
                    r"(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})")
DMTF_RE = re.compile(r"(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})\.([0-9*]{6})"
                     r"([+-])(\d{3})")
MSJSON_RE = re.compile(r"/Date\((-?\d+)(?:[+-]\d{4})?\)/")


def parse_date(s):
    """Returns the 11 octets in UTC; raises ValueError for anything else."""
    m = ISO_RE.fullmatch(s)
    if m:
        y, mo, d, h, mi, sec = (int(x) for x in m.groups()[:6])
        frac, off = m.group(7), m.group(8)
        local = dt.datetime(y, mo, d, h, mi, sec)
        minutes = 0
        if off != "Z":
            sign = -1 if off[0] == "-" else 1
            digits = off[1:].replace(":", "")
            oh, om = int(digits[:2]), int(digits[2:])
            if oh > 23 or om > 59:
                raise ValueError("offset out of range")
            minutes = sign * (oh * 60 + om)
        utc = local - dt.timedelta(minutes=minutes)
        deci = int(frac[0]) if frac else 0
        return date_and_time(utc, deci)
    m = DMTF_RE.fullmatch(s)
    if m:
        y, mo, d, h, mi, sec = (int(x) for x in m.groups()[:6])
        frac, sign, off = m.group(7), m.group(8), int(m.group(9))
        local = dt.datetime(y, mo, d, h, mi, sec)
        minutes = -off if sign == "-" else off
        utc = local - dt.timedelta(minutes=minutes)
        deci = int(frac[0]) if frac[0] != "*" else 0
        return date_and_time(utc, deci)
    m = MSJSON_RE.fullmatch(s)
    if m:
        ms = int(m.group(1))
        utc = dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=ms)
        return date_and_time(utc, (ms % 1000) // 100)
    raise ValueError("not ISO 8601 with an offset, DMTF or /Date(ms)/")


def validate(rec):
    """Returns the row dict, or raises Reject naming the first bad property
    in the class's property order."""
    if rec is None:
        raise Reject("ObjectID", "not an object")
    oid = rec.get("ObjectID")
    if oid is None:
        raise Reject("ObjectID", "missing")
    if not isinstance(oid, str) or not printable(oid) or not 1 <= len(oid) <= OBJECTID_MAX:
        raise Reject("ObjectID", "not 1..%d printable ASCII" % OBJECTID_MAX)
    cat = uint32(rec, "MessageCategory")
    assets = uint32(rec, "Assets")
    date = rec.get("LastUpdateDate")
    if date is None or date == "":
        octets = UNKNOWN_DATE
    elif not isinstance(date, str):
        raise Reject("LastUpdateDate", "not a string")
    else:
        try:
            octets = parse_date(date)
        except (ValueError, OverflowError) as e:
            raise Reject("LastUpdateDate", str(e))
    otype = uint32(rec, "ObjectTypeID", INT32_MAX)
    pkg = rec.get("PackageID")
    if pkg is None:
        pkg = ""
    if not isinstance(pkg, str) or not printable(pkg) or len(pkg) > DISPLAYSTRING_MAX:
        raise Reject("PackageID", "not 0..%d printable ASCII" % DISPLAYSTRING_MAX)
    typ = uint32(rec, "Type", INT32_MAX)
    return {"ObjectID": oid, "MessageCategory": cat, "Assets": assets,
            "LastUpdateDate": octets, "ObjectTypeID": otype,
            "PackageID": pkg, "Type": typ}


def date_key(octets):
    """Orders DateAndTime octets in time; the unknown date is the earliest."""
    if octets == UNKNOWN_DATE:
        return (-1,)
    return ((octets[0] << 8 | octets[1]),) + tuple(octets[2:8])


def index_of(row):
    b = row["ObjectID"].encode("ascii")
    return (len(b),) + tuple(b) + (row["MessageCategory"],)


class Table:
    def __init__(self, path):
        records = read_records(path)
        self.rejects = []       # (1-based row, property, why)
        kept = {}               # (ObjectID, category) -> (row, position)
        self.duplicates = 0
        for pos, rec in enumerate(records, 1):
            try:
                row = validate(rec)
            except Reject as r:
                self.rejects.append((pos, r.prop, r.why))
                continue
            key = (row["ObjectID"], row["MessageCategory"])
            if key in kept:
                self.duplicates += 1
                old = kept[key]
                # latest date wins; on a tie the later row (this one)
                if date_key(row["LastUpdateDate"]) >= date_key(old["LastUpdateDate"]):
                    kept[key] = row
            else:
                kept[key] = row
        if records and not kept:
            raise Refused("no usable row in %d records" % len(records))
        self.rows = sorted(kept.values(), key=index_of)
        for r in self.rows:
            r["index"] = index_of(r)
        # the design's order (length, octets, category) must be the OID order
        assert [r["index"] for r in self.rows] == sorted(r["index"] for r in self.rows)

    def find(self, spec):
        if spec == "first":
            return 0
        if spec == "last":
            return len(self.rows) - 1
        if re.fullmatch(r"-?\d+", spec):
            return int(spec) % len(self.rows)
        oid, _, cat = spec.rpartition("@")
        for i, r in enumerate(self.rows):
            if r["ObjectID"] == oid and str(r["MessageCategory"]) == cat:
                return i
        sys.exit("check_walk: no row %s in the expectation" % spec)

    def summary(self, error_types):
        s = {"rows": len(self.rows), "rejected": len(self.rejects),
             "duplicates": self.duplicates, "success": 0, "inProgress": 0,
             "error": 0, "other": 0, "assetsError": 0}
        for r in self.rows:
            if r["Type"] in error_types:
                s["error"] += 1
                s["assetsError"] += r["Assets"]
            elif r["Type"] == 1:
                s["success"] += 1
            elif r["Type"] == 2:
                s["inProgress"] += 1
            else:
                s["other"] += 1
        return s


# ---------------------------------------------------------------------------
# Expected varbinds and parsing snmpwalk's text

def parse_oid(s):
    s = s.strip()
    if not re.fullmatch(r"(\.\d+)+", s):
        sys.exit("check_walk: not a numeric OID: %r" % s)
    return tuple(int(x) for x in s[1:].split("."))


def fmt_oid(t):
    return "." + ".".join(str(x) for x in t)


def expected(table, table_oid, rows=None, columns=None):
    """[(oid, column, row position)] in lexicographic OID order."""
    rows = range(len(table.rows)) if rows is None else rows
    columns = sorted(COLUMNS) if columns is None else columns
    out = []
    for c in columns:
        for i in rows:
            out.append((table_oid + (1, c) + table.rows[i]["index"], c, i))
    out.sort()
    return out


def want_value(row, column):
    """(type words accepted, value) for a column, value as snmpwalk shows it
    once parsed: an int, or bytes for octet strings."""
    prop = COLUMNS[column]
    v = row[prop]
    if column == 6:
        v = v.encode("ascii")
    return COLUMN_TYPES[column], v


def show_value(typ, v):
    """A value for a diagnostic: octets in hex, plus the text or the date."""
    if not isinstance(v, bytes):
        return "%s: %s" % (typ, v)
    text = " ".join("%02X" % b for b in v)
    if len(v) in (8, 11) and any(not 0x20 <= b <= 0x7E for b in v):
        text += " = %d-%d-%d,%d:%d:%d.%d" % ((v[0] << 8 | v[1],) + tuple(v[2:8]))
        if len(v) == 11:
            sign = chr(v[8]) if v[8] in b"+-" else "\\x%02X" % v[8]
            text += ",%s%d:%d" % (sign, v[9], v[10])
    elif all(0x20 <= b <= 0x7E for b in v):
        text = '"%s"' % v.decode("ascii")
    return "%s %s" % (typ or "octets", text)


STRING_RE = re.compile(r'"((?:[^"\\]|\\.)*)"')


def parse_walk(text):
    """[(oid tuple, type word, value, raw line)]; value is an int, bytes,
    or None for exceptions (noSuchObject and the like)."""
    out = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if not line.startswith("."):
            if not out:
                raise ValueError("text before the first varbind: %r" % line)
            oid, typ, _, raw = out[-1]
            raw = raw + "\n" + line
            out[-1] = (oid, typ, parse_value(raw.split(" = ", 1)[1])[1], raw)
            continue
        if " = " not in line:
            raise ValueError("not a varbind line: %r" % line)
        left, right = line.split(" = ", 1)
        typ, val = parse_value(right)
        out.append((parse_oid(left), typ, val, line))
    return out


def parse_value(right):
    if right == '""':
        return "", b""
    if ": " not in right:
        return right, None          # "No Such Instance currently exists ..."
    typ, val = right.split(": ", 1)
    if typ in ("Gauge32", "INTEGER", "Counter32", "Unsigned32", "Counter64"):
        if not re.fullmatch(r"-?\d+", val.strip()):
            return typ, val.strip()
        return typ, int(val)
    if typ == "Hex-STRING":
        return typ, bytes(int(x, 16) for x in val.split())
    if typ == "STRING":
        m = STRING_RE.fullmatch(val)
        if not m:
            return typ, val
        return typ, re.sub(r"\\(.)", r"\1", m.group(1)).encode("latin-1")
    return typ, val


def compare(table, table_oid, got, rows=None, columns=None, out=sys.stdout):
    """Prints each mismatch; returns how many there were."""
    want = expected(table, table_oid, rows, columns)
    errors = []
    # order: the agent must answer in strictly increasing OID order
    for k in range(1, len(got)):
        if got[k][0] <= got[k - 1][0]:
            errors.append("order: varbind %d %s is not after varbind %d %s"
                          % (k, fmt_oid(got[k][0]), k - 1, fmt_oid(got[k - 1][0])))
    got_by_oid = {}
    for k, g in enumerate(got):
        got_by_oid.setdefault(g[0], (k, g))
    want_oids = set()
    for oid, c, i in want:
        want_oids.add(oid)
        row = table.rows[i]
        where = "row %d (%s@%d), column %d (%s)" % (
            i, row["ObjectID"], row["MessageCategory"], c, COLUMNS[c])
        types, v = want_value(row, c)
        if oid not in got_by_oid:
            errors.append("%s: missing %s; want %s" % (where, fmt_oid(oid),
                                                       show_value(types[0], v)))
            continue
        # Strictly increasing OIDs and the same set of OIDs: the same order,
        # so a missing or extra varbind is reported once, not as a shift.
        _, (_, gtyp, gval, raw) = got_by_oid[oid]
        if gtyp not in types:
            errors.append("%s: type: want %s, got %s (%s)"
                          % (where, " or ".join(t or '""' for t in types), gtyp or '""', raw))
        elif gval != v:
            errors.append("%s: value: want %s, got %s (%s)"
                          % (where, show_value(types[0], v), show_value(gtyp, gval), raw))
    for k, (oid, gtyp, gval, raw) in enumerate(got):
        if oid not in want_oids:
            errors.append("extra: varbind %d not expected: %s" % (k, raw))
    for e in errors[:200]:
        print(e, file=out)
    if len(errors) > 200:
        print("... and %d more" % (len(errors) - 200), file=out)
    return len(errors)


# ---------------------------------------------------------------------------

def select(table, crit):
    for r in table.rows:
        t = r["Type"]
        if crit.startswith("type="):
            hit = t == int(crit[5:])
        elif crit.startswith("objectid-prefix="):
            hit = r["ObjectID"].startswith(crit[16:])
        elif crit.startswith("objectid-len="):
            hit = len(r["ObjectID"]) == int(crit[13:])
        elif crit == "null-date":
            hit = r["LastUpdateDate"] == UNKNOWN_DATE
        elif crit == "unlisted-type":
            hit = t not in LISTED_TYPES
        elif crit == "unlisted-objecttype":
            hit = r["ObjectTypeID"] not in LISTED_OBJECT_TYPES
        elif crit == "package":
            hit = r["ObjectTypeID"] != 31
        elif crit == "application":
            hit = r["ObjectTypeID"] == 31
        elif crit == "max-category":
            hit = r["MessageCategory"] == max(x["MessageCategory"] for x in table.rows)
        else:
            sys.exit("check_walk: unknown criterion %r" % crit)
        if hit:
            return "%s@%d" % (r["ObjectID"], r["MessageCategory"])
    sys.exit("check_walk: no row matches %s" % crit)


def main(argv):
    ap = argparse.ArgumentParser(description="oracle for smsDistStatusTable")
    ap.add_argument("command", choices=["count", "first-last", "summary", "rejects",
                                        "select", "field", "oids", "compare"])
    ap.add_argument("input")
    ap.add_argument("extra", nargs="*", help="compare: snmpwalk output file or -; "
                    "select: the criterion; field: ROW PROPERTY")
    ap.add_argument("--table-oid")
    ap.add_argument("--rows", help="comma-separated OBJECTID@CAT, first, last or positions")
    ap.add_argument("--columns", help="comma-separated column numbers 3..7")
    ap.add_argument("--error-types", default="3 4")
    ap.add_argument("--key")
    a = ap.parse_intermixed_args(argv)

    try:
        table = Table(a.input)
    except Refused as e:
        print("check_walk: %s: document refused: %s" % (a.input, e), file=sys.stderr)
        return 2

    if a.command == "count":
        print(len(table.rows))
        return 0
    if a.command == "first-last":
        for r in (table.rows[0], table.rows[-1]):
            print(fmt_oid(r["index"])[1:])
        return 0
    if a.command == "summary":
        s = table.summary({int(x) for x in a.error_types.split()})
        if a.key:
            print(s[a.key])
        else:
            for k, v in s.items():
                print(k, v)
        return 0
    if a.command == "rejects":
        for pos, prop, why in table.rejects:
            print(pos, prop)
        return 0
    if a.command == "select":
        if len(a.extra) != 1:
            ap.error("select needs one criterion")
        print(select(table, a.extra[0]))
        return 0
    if a.command == "field":
        if len(a.extra) != 2 or a.extra[1] not in PROPS:
            ap.error("field needs ROW and one of " + " ".join(PROPS))
        v = table.rows[table.find(a.extra[0])][a.extra[1]]
        print(v.hex(" ").upper() if isinstance(v, bytes) else v)
        return 0

    if not a.table_oid:
        ap.error("--table-oid is required")
    table_oid = parse_oid(a.table_oid)
    rows = None
    if a.rows:
        rows = sorted({table.find(s) for s in a.rows.split(",")})
    columns = None
    if a.columns:
        columns = [int(c) for c in a.columns.split(",")]
        if any(c not in COLUMNS for c in columns):
            ap.error("columns are 3..7")

    if a.command == "oids":
        for oid, _, _ in expected(table, table_oid, rows, columns):
            print(fmt_oid(oid))
        return 0

    # compare
    if len(a.extra) > 1:
        ap.error("compare reads one output file")
    if not a.extra or a.extra[0] == "-":
        text = sys.stdin.read()
    else:
        with open(a.extra[0], encoding="latin-1") as f:
            text = f.read()
    try:
        got = parse_walk(text)
    except ValueError as e:
        print("unparsable output: %s" % e)
        return 1
    n = compare(table, table_oid, got, rows, columns)
    if n:
        print("%d mismatch(es) against %d expected varbinds" % (
            n, len(expected(table, table_oid, rows, columns))))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
