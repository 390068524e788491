#!/usr/bin/env python3
"""check_tables.py: an independent oracle for smsDistDPTable and
smsDistContentDPTable.

Reads an export the way a ConfigMgr site server writes it, with nothing but
Python's json and csv modules, applies the rules of doc/per-dp-tables.md,
and says what smsdistd must serve; then compares that with what snmpwalk,
snmpbulkwalk, snmpget or snmpgetnext printed. Shares no code with smsdistd
(nor with check_walk.py, the oracle of smsDistStatusTable).

Input forms:
  - the combined export: a JSON object with one array per class, keyed by
    the class name (case-insensitive; a class key given twice refuses the
    document): "SMS_DistributionStatus", "SMS_DPStatusInfo",
    "SMS_PackageStatusDistPointsSummarizer"
  - one class, with --class NAME (or the class of --table): a plain JSON
    array, an AdminService envelope {"value": [...]}, or Export-Csv CSV
    (optional "#TYPE" line, a header of property names)
  UTF-8 with or without BOM; UTF-16 with a BOM. Property names are matched
  case-insensitively; other keys are ignored.

Rules (doc/per-dp-tables.md; where it is silent, the choice made here is
marked *, so that a disagreement with smsdistd is a question, not a bug):
  SMS_DPStatusInfo -> smsDistDPTable (.6), INDEX { server }
    Name            * optional; 0..255 printable ASCII; absent/null = ""
    NALPath           required; * 1..255 printable ASCII; the server name is
                      the text after the last "\\\\" and before the final
                      "\\", * 1..100 characters and no backslash
                      (["Display=\\\\DP01.corp.example\\"]MSWNET:["SMS_SITE=PS1"]\\\\DP01.corp.example\\
                      -> DP01.corp.example); any other form rejects the row
    MessageState      required; UInt32, * at most 2147483647 (INTEGER TC)
    NumberErrors, NumberInProgress, NumberInstalled, NumberUnknown
                      required; UInt32 (Gauge32)
    LastStatusTime    optional; date (below)
    IsPullDP, IsPXE * optional; JSON true/false or the strings "True" and
                      "False" (any case, as Export-Csv writes them) ->
                      TruthValue true(1)/false(2); absent/null/"" =
                      false(2); anything else (numbers too) rejects the row
    Version         * optional; 0..255 printable ASCII; absent/null = ""
  SMS_PackageStatusDistPointsSummarizer -> smsDistContentDPTable (.7),
  INDEX { PackageID, server }
    PackageID         required; 1..8 printable ASCII
    ServerNALPath     required; as NALPath above
    SiteCode          * optional; 0..3 printable ASCII; absent/null = ""
    State             required; UInt32, * at most 2147483647 (INTEGER TC)
    PackageType     * required; UInt32, at most 2147483647 (INTEGER TC)
    SourceVersion   * required; UInt32 (Gauge32)
    LastCopied, SummaryDate  optional; date
    SecureObjectID  * optional; 0..112 printable ASCII; absent/null = ""
  UInt32: a JSON integer or a string of decimal digits, 0..4294967295.
  Booleans (for numbers), reals, negative numbers, signs, spaces: rejected.
  Dates: ISO 8601 with Z ("2024-08-30T20:55:06Z") or * with an offset, *
  DMTF (20240830205506.000000+000), * /Date(ms)/ (the forms smsDistStatusTable
  takes), served as the 11-octet UTC DateAndTime (deci-seconds: the
  fraction truncated; then '+', 0, 0). Absent/null/"" = the 8 zero octets
  ("unknown"). "1970-01-01T00:00:00Z" (the AdminService's unset date) is a
  date like any other: 07 B2 01 01 00 00 00 00 2B 00 00, NOT the 8 zeros.
  Anything else rejects the row.
  A row whose element is not a JSON object is rejected. Duplicates (same
  index): the row with the latest LastStatusTime (DP table) or SummaryDate
  (content table) is kept, compared as served (UTC, to the deci-second *);
  the unknown date (absent/null/"", the 8 zero octets) sorts before any
  real date; only on a tie (or both unknown) the later row of the document
  is kept. A class whose array has rows of which none could be used is
  refused (exit 2), as is a document in none of the forms above.
  Index: {length, ASCII octets} of the server name (DP table), and
  {length, PackageID octets, length, server octets} (content table); OID
  order: shorter first, then octet by octet (unsigned), so all DPs of one
  content sort together.

snmpwalk output this reads (the caller must use these options):
    snmpwalk -v2c -On -Ox     with no MIB loaded (MIBS="" and MIBDIRS=<an
                              empty directory>, as tests/integration/lib.sh
                              sets them)
  -On numeric OIDs (each line starts with the full OID); -Ox every octet
  string as "Hex-STRING: 50 53 31 " (exact bytes, no quoting; 16 octets a
  line, the next lines continue the value) and an empty one as "". -Oe may
  be added (harmless). Do NOT use -Oq, -OQ, -Ov, -Os, -Of or -OS: the oracle
  needs "OID = TYPE: value". Without -Ox, "STRING: \\"...\\"" is read as
  well. With a MIB loaded, DateAndTime would print by its DISPLAY-HINT and
  TruthValue/enums by name: not read. Gauge32 and INTEGER print as
  "Gauge32: N" and "INTEGER: N". The same for snmpbulkwalk, snmpget and
  snmpgetnext (e.g. snmpbulkwalk -v2c -On -Ox -Cr50).

Commands (INPUT is the export; OIDs are numeric; --table is dp or content;
--table-oid defaults to the contract's: smsDistObjects.6 and .7 under
.1.3.6.1.4.1.8072.9999.9999.2007.1):
  count INPUT [--table T]            rows each table must serve ("dp N",
                                     "content N"; with --table just N)
  rejects INPUT [--table T]          "CLASS ROW PROPERTY why" per rejected row
  summary INPUT [--error-states "3 6"] [--key K]
                                     smsDistDPSummary's values and the load
                                     counts: dpCount dpsWithErrors
                                     contentRows contentFailed contentPending
                                     dpRejected dpDuplicates contentRejected
                                     contentDuplicates ("K V" lines)
  crosscheck INPUT                   whether each DP row's Number* and
                                     MessageState agree with its content
                                     rows (a property of the export, e.g.
                                     bench/gen.py's; exit 1 if not)
  select INPUT CRITERION             first row (index order) that matches:
                                     content: state=N, failed, unset-date,
                                     epoch-date, application, package-len=N
                                     (prints PACKAGEID@SERVER);
                                     dp: dp-errors, dp-clean, pull, pxe
                                     (prints SERVER)
  field INPUT --table T ROW COLUMN   one column of one row as served
                                     (octets in hex)
  oids INPUT --table T [--rows R,...] [--columns C,...] [--prefix PKG]
                                     the expected OIDs, in order
  expect INPUT --table T [--rows ...] [--columns ...] [--prefix PKG]
                                     the expected walk, exactly as
                                     snmpwalk -On -Ox prints it
  compare INPUT --table T [--rows ...] [--columns ...] [--prefix PKG] [OUTPUT|-]
                                     compares OUTPUT (snmpwalk text) with
                                     the expectation; one line per missing,
                                     extra, misordered or wrong instance and
                                     exit 1 when they differ, 0 when equal
  --prefix PACKAGEID (content table, one column, default 4 = State): the
      output is a walk rooted at smsDistContentDPTable.1.COLUMN.<len>.<octets
      of PACKAGEID>, e.g. snmpwalk -On -Ox HOST <table>.1.4.8.80.83.49.48.48.48.57.53;
      it must list exactly that content's DPs, in order (nothing, or one
      "No Such ..." line on the root OID, when the content has none).
  Rows are PACKAGEID@SERVER (content), SERVER (dp), "first", "last" or a
  0-based position in index order. Columns: dp 2..12, content 3..9.
  --self-test                        checks the oracle itself (needs
                                     bench/gen.py beside it in the tree);
                                     exit 0 when it passes
Exit status: 0 match/success, 1 mismatch, 2 refused document or usage.
"""

import argparse
import csv
import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

UINT32_MAX = 4294967295
INT32_MAX = 2147483647
SERVER_MAX = 100
PACKAGEID_MAX = 8
SMS_DIST_OBJECTS = (1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 2007, 1)
UNKNOWN_DATE = bytes(8)
LIST_MAX = 50               # mismatch lines printed, then a count
TRUE, FALSE = 1, 2
ABSENT_BOOLEAN = FALSE      # * what an absent/null/"" IsPullDP or IsPXE serves
PROGRESS_STATES = (1, 2, 4, 5, 7)
DEFAULT_ERROR_STATES = (3, 6)

DP_CLASS = "SMS_DPStatusInfo"
CONTENT_CLASS = "SMS_PackageStatusDistPointsSummarizer"
STATUS_CLASS = "SMS_DistributionStatus"
CLASSES = (STATUS_CLASS, DP_CLASS, CONTENT_CLASS)

# Property kinds: ("str", min, max) printable ASCII, absent = ""
# ("uint", max) required UInt32; ("date",); ("bool",); ("nal",) required
# NAL path (-> server name); ("key", min, max) required printable ASCII.
DP_PROPS = [
    ("Name", ("str", 0, 255)),
    ("NALPath", ("nal",)),
    ("MessageState", ("uint", INT32_MAX)),
    ("NumberErrors", ("uint", UINT32_MAX)),
    ("NumberInProgress", ("uint", UINT32_MAX)),
    ("NumberInstalled", ("uint", UINT32_MAX)),
    ("NumberUnknown", ("uint", UINT32_MAX)),
    ("LastStatusTime", ("date",)),
    ("IsPullDP", ("bool",)),
    ("IsPXE", ("bool",)),
    ("Version", ("str", 0, 255)),
]
# The date that decides between duplicates (the latest is kept).
DUPLICATE_DATE = {DP_CLASS: "LastStatusTime", CONTENT_CLASS: "SummaryDate"}

CONTENT_PROPS = [
    ("PackageID", ("key", 1, PACKAGEID_MAX)),
    ("ServerNALPath", ("nal",)),
    ("SiteCode", ("str", 0, 3)),
    ("State", ("uint", INT32_MAX)),
    ("PackageType", ("uint", INT32_MAX)),
    ("SourceVersion", ("uint", UINT32_MAX)),
    ("LastCopied", ("date",)),
    ("SummaryDate", ("date",)),
    ("SecureObjectID", ("str", 0, 112)),
]

# column -> (property, snmpwalk type words accepted). "" is how an empty
# octet string prints; with -Ox every other one is a Hex-STRING.
OCTETS = ("Hex-STRING", "STRING", "")
DP_COLUMNS = {
    2: ("Name", OCTETS), 3: ("NALPath", OCTETS),
    4: ("MessageState", ("INTEGER",)), 5: ("NumberErrors", ("Gauge32",)),
    6: ("NumberInProgress", ("Gauge32",)), 7: ("NumberInstalled", ("Gauge32",)),
    8: ("NumberUnknown", ("Gauge32",)), 9: ("LastStatusTime", OCTETS),
    10: ("IsPullDP", ("INTEGER",)), 11: ("IsPXE", ("INTEGER",)),
    12: ("Version", OCTETS),
}
CONTENT_COLUMNS = {
    3: ("SiteCode", OCTETS), 4: ("State", ("INTEGER",)),
    5: ("PackageType", ("INTEGER",)), 6: ("SourceVersion", ("Gauge32",)),
    7: ("LastCopied", OCTETS), 8: ("SummaryDate", OCTETS),
    9: ("SecureObjectID", OCTETS),
}


class Spec:
    def __init__(self, name, klass, number, props, columns):
        self.name, self.klass, self.number = name, klass, number
        self.props, self.columns = props, columns
        self.by_lower = {p.lower(): p for p, _ in props}


TABLES = {
    "dp": Spec("dp", DP_CLASS, 6, DP_PROPS, DP_COLUMNS),
    "content": Spec("content", CONTENT_CLASS, 7, CONTENT_PROPS, CONTENT_COLUMNS),
}
SPEC_OF_CLASS = {s.klass: s for s in TABLES.values()}


class Reject(Exception):
    def __init__(self, prop, why):
        super().__init__(why)
        self.prop, self.why = prop, why


class Refused(Exception):
    """The document, or one class of it, cannot be served at all."""


# ---------------------------------------------------------------------------
# Reading the document

def decode_text(raw):
    enc = "utf-8"
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        enc = "utf-16"
    try:
        text = raw.decode(enc)
    except UnicodeDecodeError as e:
        raise Refused("undecodable text: %s" % e)
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise Refused("empty document")
    return text


class Pairs(list):
    """A JSON object as its (key, value) pairs, so that no key given twice
    is lost before the rules look at it."""


def read_document(path, klass):
    """Returns {class: [record or None]} for the classes the document has.
    A record maps the class's property names to JSON/CSV values (None for
    null or an empty cell); None stands for an element that is no object.
    klass: the class of a one-class document (None: combined only)."""
    with open(path, "rb") as f:
        text = decode_text(f.read())
    if text.lstrip()[:1] not in ("{", "["):
        if klass is None:
            raise Refused("CSV carries one class: say which with --class or --table")
        return {klass: read_csv(text, klass)}
    try:
        doc = json.loads(text, object_pairs_hook=Pairs)
    except ValueError as e:
        raise Refused("JSON: %s" % e)
    if not isinstance(doc, list):
        raise Refused("JSON is neither an array nor an object")
    if not isinstance(doc, Pairs):
        if klass is None:
            raise Refused("a plain array carries one class: say which with --class or --table")
        return {klass: records(doc, klass)}
    found = {}
    for k, v in doc:
        for c in CLASSES:
            if k.lower() == c.lower():
                if c in found:
                    raise Refused("class %s given twice" % c)
                found[c] = v
    if found:
        out = {}
        for c, v in found.items():
            if c not in SPEC_OF_CLASS:
                continue        # SMS_DistributionStatus: check_walk.py's business
            if not isinstance(v, list) or isinstance(v, Pairs):
                raise Refused("%s is not an array" % c)
            out[c] = records(v, c)
        return out
    values = [v for k, v in doc if k == "value"]
    if len(values) == 1 and isinstance(values[0], list) and not isinstance(values[0], Pairs):
        if klass is None:
            raise Refused("an envelope carries one class: say which with --class or --table")
        return {klass: records(values[0], klass)}
    raise Refused("JSON object with neither class arrays nor one \"value\" array")


def records(items, klass):
    spec = SPEC_OF_CLASS[klass]
    out = []
    for item in items:
        if isinstance(item, Pairs):
            rec = {}
            for k, v in item:
                p = spec.by_lower.get(k.lower())
                if p is not None:
                    rec[p] = v          # a property given twice: the last one
            out.append(rec)
        else:
            out.append(None)
    return out


def read_csv(text, klass):
    spec = SPEC_OF_CLASS[klass]
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
        p = spec.by_lower.get(name.strip().lower())
        if p is not None:
            cols[p] = i
    out = []
    for cells in reader:
        if not cells:
            continue
        out.append({p: (cells[i] if i < len(cells) and cells[i] != "" else None)
                    for p, i in cols.items()})
    return out


# ---------------------------------------------------------------------------
# Validation

def is_printable(s):
    return s.isascii() and s.isprintable()         # 0x20..0x7E


def v_uint(v, prop, maximum):
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
    if not 0 <= n <= maximum:
        raise Reject(prop, "out of range: %d" % n)
    return n


def v_str(v, prop, lo, hi, required=False):
    if v is None:
        if required:
            raise Reject(prop, "missing")
        v = ""
    if not isinstance(v, str):
        raise Reject(prop, "not a string: %r" % (v,))
    if not is_printable(v):
        raise Reject(prop, "not printable ASCII")
    if not lo <= len(v) <= hi:
        raise Reject(prop, "length %d, not %d..%d" % (len(v), lo, hi))
    return v


NAL_RE = re.compile(r'(.*)\\\\([^\\"\]]+)\\', re.S)


def v_nal(v, prop, limit=255):
    """-> (the NAL path, the server name). limit: the path's own column's
    (NALPath of SMS_DPStatusInfo); ServerNALPath is not served, only its
    server name (limit None)."""
    nal = v_str(v, prop, 1, limit if limit else 10 ** 9, required=True)
    m = NAL_RE.fullmatch(nal)
    if not m:
        raise Reject(prop, "no server name: not ...\\\\SERVER\\")
    server = m.group(2)
    if len(server) > SERVER_MAX:
        raise Reject(prop, "server name of %d characters (at most %d)" % (len(server), SERVER_MAX))
    return nal, server


def v_bool(v, prop):
    if v is None or v == "":
        return ABSENT_BOOLEAN
    if isinstance(v, bool):
        return TRUE if v else FALSE
    if isinstance(v, str) and v.lower() in ("true", "false"):
        return TRUE if v.lower() == "true" else FALSE
    raise Reject(prop, "not a boolean: %r" % (v,))


def date_octets(t, deci):
    return bytes([t.year >> 8, t.year & 0xFF, t.month, t.day, t.hour, t.minute,
                  t.second, deci, 0x2B, 0, 0])


ISO = re.compile(r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?"
                 r"(Z|([+-])(\d\d):?(\d\d))")
DMTF = re.compile(r"(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)\.([0-9*]{6})([+-])(\d{3})")
MSDATE = re.compile(r"/Date\((-?\d+)(?:[+-]\d{4})?\)/")


def to_date(s):
    m = ISO.fullmatch(s)
    if m:
        g = m.groups()
        t = dt.datetime(*(int(x) for x in g[:6]))
        if g[7] != "Z":
            oh, om = int(g[9]), int(g[10])
            if oh > 23 or om > 59:
                raise ValueError("UTC offset out of range")
            off = (oh * 60 + om) * (-1 if g[8] == "-" else 1)
            t -= dt.timedelta(minutes=off)
        return date_octets(t, int(g[6][0]) if g[6] else 0)
    m = DMTF.fullmatch(s)
    if m:
        g = m.groups()
        t = dt.datetime(*(int(x) for x in g[:6]))
        off = int(g[8]) * (-1 if g[7] == "-" else 1)
        t -= dt.timedelta(minutes=off)
        return date_octets(t, 0 if g[6][0] == "*" else int(g[6][0]))
    m = MSDATE.fullmatch(s)
    if m:
        ms = int(m.group(1))
        t = dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=ms)
        return date_octets(t, ms % 1000 // 100)
    raise ValueError("not a date: %r" % s)


def v_date(v, prop):
    if v is None or v == "":
        return UNKNOWN_DATE
    if not isinstance(v, str):
        raise Reject(prop, "not a string: %r" % (v,))
    try:
        return to_date(v)
    except (ValueError, OverflowError) as e:
        raise Reject(prop, str(e))


def validate(spec, rec):
    """-> the served row: property -> int or bytes, plus "server"."""
    if rec is None:
        raise Reject(spec.props[0][0], "not an object")
    row = {}
    for prop, kind in spec.props:
        v = rec.get(prop)
        if kind[0] == "str":
            row[prop] = v_str(v, prop, kind[1], kind[2]).encode("ascii")
        elif kind[0] == "key":
            row[prop] = v_str(v, prop, kind[1], kind[2], required=True).encode("ascii")
        elif kind[0] == "nal":
            nal, server = v_nal(v, prop, 255 if prop == "NALPath" else None)
            row[prop] = nal.encode("ascii")
            row["server"] = server.encode("ascii")
        elif kind[0] == "uint":
            row[prop] = v_uint(v, prop, kind[1])
        elif kind[0] == "date":
            row[prop] = v_date(v, prop)
        elif kind[0] == "bool":
            row[prop] = v_bool(v, prop)
    return row


def date_key(octets):
    """Orders served dates: the unknown date (8 zero octets) before any real
    one; real ones (11 octets, all UTC with the same '+0000' tail) by their
    octets, which is chronological (year big-endian, then month ... deci)."""
    return (0, b"") if octets == UNKNOWN_DATE else (1, octets)


def index_of(spec, row):
    s = row["server"]
    if spec.name == "dp":
        return (len(s),) + tuple(s)
    p = row["PackageID"]
    return (len(p),) + tuple(p) + (len(s),) + tuple(s)


def row_name(spec, row):
    s = row["server"].decode()
    return s if spec.name == "dp" else "%s@%s" % (row["PackageID"].decode(), s)


class Table:
    def __init__(self, spec, recs):
        self.spec = spec
        self.rejects = []           # (1-based row, property, why)
        self.duplicates = 0
        kept = {}
        for pos, rec in enumerate(recs, 1):
            try:
                row = validate(spec, rec)
            except Reject as r:
                self.rejects.append((pos, r.prop, r.why))
                continue
            row["index"] = index_of(spec, row)
            old = kept.get(row["index"])
            if old is not None:
                self.duplicates += 1
                if date_key(row[DUPLICATE_DATE[spec.klass]]) < \
                        date_key(old[DUPLICATE_DATE[spec.klass]]):
                    continue                # the earlier row's date is later: it stays
            kept[row["index"]] = row        # a later date, or a tie: the later row
        if recs and not kept:
            raise Refused("%s: no usable row in %d" % (spec.klass, len(recs)))
        self.rows = sorted(kept.values(), key=lambda r: r["index"])

    def find(self, sel):
        if sel == "first":
            return 0
        if sel == "last":
            return len(self.rows) - 1
        if re.fullmatch(r"-?\d+", sel):
            return int(sel) % len(self.rows)
        for i, r in enumerate(self.rows):
            if row_name(self.spec, r) == sel:
                return i
        sys.exit("check_tables: no %s row %s in the expectation" % (self.spec.name, sel))


def load(path, table=None, klass=None):
    """-> {"dp": Table, "content": Table} for the tables in the document (or
    just the one asked for)."""
    if klass is None and table is not None:
        klass = TABLES[table].klass
    docs = read_document(path, klass)
    out = {}
    for c, recs in docs.items():
        spec = SPEC_OF_CLASS[c]
        if table is None or spec.name == table:
            out[spec.name] = Table(spec, recs)
    if table is not None and table not in out:
        raise Refused("the document has no %s array" % TABLES[table].klass)
    return out


# ---------------------------------------------------------------------------
# Expected varbinds, snmpwalk's text

def fmt_oid(t):
    return "." + ".".join(str(x) for x in t)


NUMERIC_OID = re.compile(r"(\.[0-9]+)+")


def parse_oid(s):
    s = s.strip()
    if not NUMERIC_OID.fullmatch(s):
        raise ValueError("not a numeric OID: %r (use snmpwalk -On)" % s)
    return tuple(map(int, s[1:].split(".")))


def encode_key(s):
    b = s.encode("ascii")
    return (len(b),) + tuple(b)


def expected(table, table_oid, rows=None, columns=None, prefix=None):
    """[(oid, column, row position)] in OID order."""
    if columns is None:
        columns = [4] if prefix is not None else sorted(table.spec.columns)
    if prefix is not None:
        p = prefix.encode("ascii")
        rows = [i for i, r in enumerate(table.rows) if r["PackageID"] == p]
    elif rows is None:
        rows = range(len(table.rows))
    # rows are in index order: column by column, that is OID order
    return [(table_oid + (1, c) + table.rows[i]["index"], c, i)
            for c in sorted(set(columns)) for i in sorted(set(rows))]


def want_value(table, i, column):
    prop, types = table.spec.columns[column]
    return types, table.rows[i][prop]


def render_value(v):
    """A value exactly as snmpwalk -On -Ox prints it (no MIB loaded)."""
    if isinstance(v, bytes):
        if not v:
            return '""'
        lines = [" ".join("%02X" % b for b in v[k:k + 16]) + " " for k in range(0, len(v), 16)]
        return "Hex-STRING: " + "\n".join(lines)
    raise TypeError(v)


def render(table, want):
    out = []
    for oid, c, i in want:
        types, v = want_value(table, i, c)
        out.append("%s = %s" % (fmt_oid(oid), render_value(v) if isinstance(v, bytes)
                                else "%s: %d" % (types[0], v)))
    return "\n".join(out) + ("\n" if out else "")


def show_value(typ, v):
    """For diagnostics: octets in hex plus text or date; ints plain."""
    if v is None:
        return typ
    if not isinstance(v, bytes):
        return "%s: %s" % (typ, v)
    if not v:
        return '""'
    text = " ".join("%02X" % b for b in v)
    if v == UNKNOWN_DATE:
        text += " = the unknown date"
    elif len(v) in (8, 11) and any(not 0x20 <= b <= 0x7E for b in v):
        text += " = %d-%02d-%02d %02d:%02d:%02d.%d" % ((v[0] << 8 | v[1],) + tuple(v[2:8]))
        if len(v) == 11:
            text += " %s%02d%02d" % (chr(v[8]) if v[8] in b"+-" else "?", v[9], v[10])
    elif v and all(0x20 <= b <= 0x7E for b in v):
        text = '"%s"' % v.decode("ascii")
    return "%s %s" % (typ or "octets", text)


STRING_RE = re.compile(r'"((?:[^"\\]|\\.)*)"')


def parse_value(right):
    """'TYPE: value' -> (type, int | bytes | None for an exception or an
    unreadable value). An exception keeps its whole text as the type."""
    right = right.rstrip("\n")
    if right == '""':
        return "", b""
    if right.startswith("No Such") or right.startswith("No more variables"):
        return right, None
    if ": " not in right:
        return "(no type: use snmpwalk -On -Ox, not -OQ/-Oq/-Ov)", None
    typ, val = right.split(": ", 1)
    if typ in ("INTEGER", "Gauge32", "Counter32", "Unsigned32", "Counter64", "Timeticks"):
        return typ, int(val) if re.fullmatch(r"-?\d+", val.strip()) else None
    if typ == "Hex-STRING":
        hexes = val.split()
        if all(len(h) == 2 for h in hexes):
            try:
                return typ, bytes.fromhex("".join(hexes))
            except ValueError:
                pass
        return typ, None
    if typ == "STRING":
        m = STRING_RE.fullmatch(val.strip())
        if m:
            return typ, re.sub(r"\\(.)", r"\1", m.group(1), flags=re.S).encode("latin-1")
        return typ, None
    return typ, None


def parse_walk(text):
    """[(oid, type, value, raw text)]. Lines that do not start with "."
    continue the value before (Hex-STRINGs wrap every 16 octets)."""
    items = []
    for line in text.splitlines():
        if not line.strip() or re.fullmatch(r"Variables found: \d+", line.strip()):
            continue
        if line.startswith("."):
            if " = " not in line:
                raise ValueError("not 'OID = TYPE: value': %r (use snmpwalk -On -Ox)" % line)
            items.append([line])
        elif items:
            items[-1].append(line)
        else:
            raise ValueError("text before the first varbind: %r" % line)
    out = []
    for lines in items:
        raw = "\n".join(lines)
        left, right = raw.split(" = ", 1)
        typ, val = parse_value(right)
        out.append((parse_oid(left), typ, val, raw))
    return out


def compare(table, table_oid, got, rows=None, columns=None, prefix=None, out=sys.stdout):
    """Prints each mismatch; returns how many there were."""
    want = expected(table, table_oid, rows, columns, prefix)
    errors = []
    if prefix is not None:
        # snmpwalk GETs the root when the walk found nothing under it
        root = table_oid + (1, columns[0] if columns else 4) + encode_key(prefix)
        got = [g for g in got if not (g[2] is None and g[0] == root and g[1].startswith("No "))]
    for k in range(1, len(got)):
        if got[k][0] <= got[k - 1][0]:
            errors.append("order: varbind %d %s is not after varbind %d %s"
                          % (k, fmt_oid(got[k][0]), k - 1, fmt_oid(got[k - 1][0])))
    got_by_oid = {}
    for k, g in enumerate(got):
        got_by_oid.setdefault(g[0], g)
    want_oids = set()
    for oid, c, i in want:
        want_oids.add(oid)
        where = lambda: "%s row %d (%s), column %d (%s)" % (        # noqa: E731
            table.spec.name, i, row_name(table.spec, table.rows[i]), c, table.spec.columns[c][0])
        types, v = want_value(table, i, c)
        if oid not in got_by_oid:
            errors.append("missing: %s %s; want %s" % (where(), fmt_oid(oid),
                                                       show_value(types[0], v)))
            continue
        _, gtyp, gval, raw = got_by_oid[oid]
        if gtyp not in types:
            errors.append("wrong type: %s: want %s, got %s (%s)" % (
                where(), " or ".join(t or '""' for t in types), gtyp or '""', raw))
        elif gval != v:
            errors.append("wrong value: %s: want %s, got %s (%s)" % (
                where(), show_value(types[0], v), show_value(gtyp, gval), raw))
    for k, (oid, gtyp, gval, raw) in enumerate(got):
        if oid not in want_oids:
            errors.append("extra: varbind %d not expected: %s" % (k, raw))
    if not got and want:
        print("the output has no instance at all (%d expected): did the walk reach the "
              "agent, is the table there?" % len(want), file=out)
        errors = ["missing: %s" % fmt_oid(oid) for oid, _, _ in want]
        shown = 0
    else:
        shown = LIST_MAX
    for e in errors[:shown]:
        print(e, file=out)
    if shown and len(errors) > shown:
        print("... and %d more" % (len(errors) - shown), file=out)
    if errors:
        kinds = {}
        for e in errors:
            k = e.split(":", 1)[0]
            kinds[k] = kinds.get(k, 0) + 1
        print("%d mismatch(es) against %d expected varbinds (%s)" % (
            len(errors), len(want), ", ".join("%s %d" % kv for kv in sorted(kinds.items()))),
            file=out)
    return len(errors)


# ---------------------------------------------------------------------------
# Summaries and selections

def summary(tables, error_states):
    s = {}
    if "dp" in tables:
        t = tables["dp"]
        s["dpCount"] = len(t.rows)
        s["dpsWithErrors"] = sum(1 for r in t.rows if r["NumberErrors"] > 0)
    if "content" in tables:
        t = tables["content"]
        s["contentRows"] = len(t.rows)
        s["contentFailed"] = sum(1 for r in t.rows if r["State"] in error_states)
        s["contentPending"] = sum(1 for r in t.rows if r["State"] in PROGRESS_STATES)
    for name, t in tables.items():
        s[name + "Rejected"] = len(t.rejects)
        s[name + "Duplicates"] = t.duplicates
    return s


def crosscheck(tables, out=sys.stdout):
    """DP rows against their content rows (bench/gen.py's promise)."""
    if set(tables) != {"dp", "content"}:
        print("crosscheck needs both classes", file=out)
        return 1
    counts = {}
    for r in tables["content"].rows:
        c = counts.setdefault(r["server"], [0, 0, 0, 0])
        s = r["State"]
        c[0 if s in DEFAULT_ERROR_STATES else 1 if s in PROGRESS_STATES
          else 2 if s == 0 else 3] += 1
    bad = 0
    for r in tables["dp"].rows:
        c = counts.pop(r["server"], [0, 0, 0, 0])
        have = [r["NumberErrors"], r["NumberInProgress"], r["NumberInstalled"], r["NumberUnknown"]]
        state = 3 if c[0] else 2 if c[1] else 1
        if have != c or r["MessageState"] != state:
            bad += 1
            print("%s: Number* %s MessageState %d; its content rows say %s and %d" % (
                r["server"].decode(), have, r["MessageState"], c, state), file=out)
    for server in sorted(counts):
        bad += 1
        print("%s: content rows but no DP row" % server.decode(), file=out)
    return bad


def select(tables, crit, error_states):
    dp_crit = {"dp-errors": lambda r: r["NumberErrors"] > 0,
               "dp-clean": lambda r: r["NumberErrors"] == 0 and r["NumberInProgress"] == 0,
               "pull": lambda r: r["IsPullDP"] == TRUE, "pxe": lambda r: r["IsPXE"] == TRUE}
    if crit in dp_crit:
        name, test = "dp", dp_crit[crit]
    else:
        name = "content"
        epoch = to_date("1970-01-01T00:00:00Z")
        if crit.startswith("state="):
            n = int(crit[6:])
            test = lambda r: r["State"] == n                    # noqa: E731
        elif crit.startswith("package-len="):
            n = int(crit[12:])
            test = lambda r: len(r["PackageID"]) == n           # noqa: E731
        elif crit in ("failed", "unset-date", "epoch-date", "application"):
            test = {"failed": lambda r: r["State"] in error_states,
                    "unset-date": lambda r: UNKNOWN_DATE in (r["LastCopied"], r["SummaryDate"]),
                    "epoch-date": lambda r: epoch in (r["LastCopied"], r["SummaryDate"]),
                    "application": lambda r: r["SecureObjectID"].startswith(b"ScopeId_")}[crit]
        else:
            sys.exit("check_tables: unknown criterion %r" % crit)
    if name not in tables:
        sys.exit("check_tables: the document has no %s array" % TABLES[name].klass)
    for r in tables[name].rows:
        if test(r):
            return row_name(tables[name].spec, r)
    sys.exit("check_tables: no %s row matches %s" % (name, crit))


# ---------------------------------------------------------------------------
# Self-test

# A hand-made combined export: each row is there for a reason (comment).
SELF_DOC = r'''{
 "SMS_DistributionStatus": [{"ObjectID": "PS100095", "MessageCategory": 30}],
 "sms_dpstatusinfo": [
  {"Name": "DP01.corp.example", "NALPath": "[\"Display=\\\\DP01.corp.example\\\"]MSWNET:[\"SMS_SITE=PS1\"]\\\\DP01.corp.example\\",
   "MessageState": 3, "NumberErrors": 2, "NumberInProgress": 0, "NumberInstalled": 5,
   "NumberUnknown": "0", "LastStatusTime": "2024-08-30T20:55:06Z", "IsPullDP": false,
   "IsPXE": true, "Version": "5.00.9122.1000", "IsMulticast": true},
  {"Name": "dp2", "NALPath": "[\"Display=\\\\dp2\\\"]MSWNET:[\"SMS_SITE=PS1\"]\\\\dp2\\",
   "MessageState": 1, "NumberErrors": 0, "NumberInProgress": 0, "NumberInstalled": 1,
   "NumberUnknown": 0, "LastStatusTime": "1970-01-01T00:00:00Z", "IsPullDP": "True"},
  {"Name": "bad", "NALPath": "\\\\nobackslashatend", "MessageState": 1, "NumberErrors": 0,
   "NumberInProgress": 0, "NumberInstalled": 0, "NumberUnknown": 0},
  {"Name": "bad", "NALPath": "[\"Display=\\\\dp3\\\"]MSWNET:[\"SMS_SITE=PS1\"]\\\\dp3\\",
   "MessageState": 1, "NumberErrors": -1, "NumberInProgress": 0, "NumberInstalled": 0,
   "NumberUnknown": 0},
  {"Name": "bad", "NALPath": "[\"Display=\\\\dp3\\\"]MSWNET:[\"SMS_SITE=PS1\"]\\\\dp3\\",
   "MessageState": 1, "NumberErrors": 0, "NumberInProgress": 0, "NumberInstalled": 0,
   "NumberUnknown": 0, "IsPXE": 1},
  {"Name": "dp2 again", "NALPath": "\\\\dp2\\", "MessageState": 2, "NumberErrors": 0,
   "NumberInProgress": 1, "NumberInstalled": 1, "NumberUnknown": 0, "LastStatusTime": null,
   "IsPullDP": true, "IsPXE": null}
 ],
 "SMS_PackageStatusDistPointsSummarizer": [
  {"PackageID": "PS100095", "ServerNALPath": "\\\\DP01.corp.example\\", "SiteCode": "PS1",
   "State": 3, "PackageType": 0, "SourceVersion": 4, "LastCopied": "1970-01-01T00:00:00Z",
   "SummaryDate": "2024-08-30T20:55:06.789Z", "SecureObjectID": "PS100095"},
  {"PackageID": "PS100095", "ServerNALPath": "\\\\dp2\\", "SiteCode": "PS1",
   "State": "0", "PackageType": 0, "SourceVersion": 4, "LastCopied": "",
   "SummaryDate": null, "SecureObjectID": "PS100095"},
  {"PackageID": "P1", "ServerNALPath": "\\\\dp2\\", "SiteCode": null,
   "State": 7, "PackageType": 258, "SourceVersion": 1,
   "SummaryDate": "2024-08-30T22:55:06+02:00", "SecureObjectID": "P1"},
  {"PackageID": "PS1000950", "ServerNALPath": "\\\\dp2\\", "State": 0, "PackageType": 0,
   "SourceVersion": 1},
  {"PackageID": "", "ServerNALPath": "\\\\dp2\\", "State": 0, "PackageType": 0,
   "SourceVersion": 1},
  {"PackageID": "PS100096", "ServerNALPath": "\\\\dp2\\", "State": 1.0, "PackageType": 0,
   "SourceVersion": 1},
  {"PackageID": "PS100096", "ServerNALPath": "\\\\dp2\\", "State": 0, "PackageType": 0,
   "SourceVersion": 1, "LastCopied": "30.08.2024 20:55:06"},
  {"PackageID": "PS100096", "ServerNALPath": "\\\\ABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJX\\",
   "State": 0, "PackageType": 0, "SourceVersion": 1},
  {"PackageID": "PS100097", "ServerNALPath": "\\\\dp2\\", "State": 6, "PackageType": 8,
   "SourceVersion": 2, "SiteCode": "PS1", "SecureObjectID": "old"},
  {"PackageID": "PS100097", "ServerNALPath": "\\\\dp2\\", "State": 0, "PackageType": 8,
   "SourceVersion": 3, "SiteCode": "PS1", "SecureObjectID": "new"},
  "not an object",
  {"PackageID": "P1", "ServerNALPath": "\\\\dp2\\", "State": 3, "PackageType": 258,
   "SourceVersion": 1, "SummaryDate": "2024-08-30T20:55:05Z", "SecureObjectID": "P1 older"},
  {"PackageID": "PS100095", "ServerNALPath": "\\\\DP01.corp.example\\", "SiteCode": "PS1",
   "State": 3, "PackageType": 0, "SourceVersion": 4, "LastCopied": "1970-01-01T00:00:00Z",
   "SummaryDate": "2024-08-30T22:55:06.789+02:00", "SecureObjectID": "tie"},
  {"PackageID": "PS100098", "ServerNALPath": "\\\\dp2\\", "State": 3, "PackageType": 0,
   "SourceVersion": 1, "SummaryDate": "2024-01-01T00:00:00Z", "SecureObjectID": "older"},
  {"PackageID": "PS100098", "ServerNALPath": "\\\\dp2\\", "State": 0, "PackageType": 0,
   "SourceVersion": 2, "SummaryDate": "2024-01-02T00:00:00Z", "SecureObjectID": "newer"}
 ]
}
'''
T = ".1.3.6.1.4.1.8072.9999.9999.2007.1"
DP01 = "17.68.80.48.49.46.99.111.114.112.46.101.120.97.109.112.108.101"
SELF_CONTENT_WALK_4 = """\
{t}.7.1.4.2.80.49.3.100.112.50 = INTEGER: 7
{t}.7.1.4.8.80.83.49.48.48.48.57.53.3.100.112.50 = INTEGER: 0
{t}.7.1.4.8.80.83.49.48.48.48.57.53.{dp01} = INTEGER: 3
{t}.7.1.4.8.80.83.49.48.48.48.57.55.3.100.112.50 = INTEGER: 0
{t}.7.1.4.8.80.83.49.48.48.48.57.56.3.100.112.50 = INTEGER: 0
""".format(t=T, dp01=DP01)
SELF_CONTENT_WALK_7_8 = """\
{t}.7.1.7.2.80.49.3.100.112.50 = Hex-STRING: 00 00 00 00 00 00 00 00 
{t}.7.1.7.8.80.83.49.48.48.48.57.53.3.100.112.50 = ""
{t}.7.1.7.8.80.83.49.48.48.48.57.53.{dp01} = Hex-STRING: 07 B2 01 01 00 00 00 00 2B 00 00 
{t}.7.1.7.8.80.83.49.48.48.48.57.55.3.100.112.50 = Hex-STRING: 00 00 00 00 00 00 00 00 
{t}.7.1.7.8.80.83.49.48.48.48.57.56.3.100.112.50 = Hex-STRING: 00 00 00 00 00 00 00 00 
{t}.7.1.8.2.80.49.3.100.112.50 = Hex-STRING: 07 E8 08 1E 14 37 06 00 2B 00 00 
{t}.7.1.8.8.80.83.49.48.48.48.57.53.3.100.112.50 = Hex-STRING: 00 00 00 00 00 00 00 00 
{t}.7.1.8.8.80.83.49.48.48.48.57.53.{dp01} = Hex-STRING: 07 E8 08 1E 14 37 06 07 2B 00 00 
{t}.7.1.8.8.80.83.49.48.48.48.57.55.3.100.112.50 = Hex-STRING: 00 00 00 00 00 00 00 00 
{t}.7.1.8.8.80.83.49.48.48.48.57.56.3.100.112.50 = Hex-STRING: 07 E8 01 02 00 00 00 00 2B 00 00 
""".format(t=T, dp01=DP01)
# LastCopied "" of PS100095@dp2 is the unknown date, so the line above that
# reads "" is the one wrong value the self-test plants in a hand-made walk.
# dp2's NALPath as snmpwalk prints it without -Ox: quoted, with '\' and '"'
# escaped by a backslash.
DP2_NAL = r'["Display=\\dp2\"]MSWNET:["SMS_SITE=PS1"]\\dp2' + "\\"
DP2_NAL_STRING = '"%s"' % DP2_NAL.replace("\\", "\\\\").replace('"', '\\"')
SELF_DP_WALK = """\
{t}.6.1.3.3.100.112.50 = STRING: {dp2nal}
{t}.6.1.3.{dp01} = Hex-STRING: 5B 22 44 69 73 70 6C 61 79 3D 5C 5C 44 50 30 31 
2E 63 6F 72 70 2E 65 78 61 6D 70 6C 65 5C 22 5D 
4D 53 57 4E 45 54 3A 5B 22 53 4D 53 5F 53 49 54 
45 3D 50 53 31 22 5D 5C 5C 44 50 30 31 2E 63 6F 
72 70 2E 65 78 61 6D 70 6C 65 5C 
{t}.6.1.4.3.100.112.50 = INTEGER: 1
{t}.6.1.4.{dp01} = INTEGER: 3
{t}.6.1.9.3.100.112.50 = Hex-STRING: 07 B2 01 01 00 00 00 00 2B 00 00 
{t}.6.1.9.{dp01} = Hex-STRING: 07 E8 08 1E 14 37 06 00 2B 00 00 
{t}.6.1.10.3.100.112.50 = INTEGER: 1
{t}.6.1.10.{dp01} = INTEGER: 2
{t}.6.1.11.3.100.112.50 = INTEGER: 2
{t}.6.1.11.{dp01} = INTEGER: 1
""".format(t=T, dp01=DP01, dp2nal=DP2_NAL_STRING)


def self_test():
    tmp = tempfile.mkdtemp(prefix="check_tables.")
    try:
        return self_checks(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def self_checks(tmp):
    failures = []

    def check(what, cond, detail=""):
        print("%s - %s%s" % ("ok" if cond else "not ok", what,
                             "" if cond or not detail else ": " + detail))
        if not cond:
            failures.append(what)

    def cmp_text(tables, name, text, **kw):
        buf = io.StringIO()
        t = tables[name]
        n = compare(t, SMS_DIST_OBJECTS + (t.spec.number,), parse_walk(text), out=buf, **kw)
        return n, buf.getvalue()

    here = os.path.dirname(os.path.abspath(__file__))
    me = os.path.abspath(__file__)

    # 1. The hand-made document: rules, hand-computed walks.
    doc = os.path.join(tmp, "hand.json")
    with open(doc, "w") as f:
        f.write(SELF_DOC)
    tables = load(doc)
    dp, content = tables["dp"], tables["content"]
    names = [row_name(dp.spec, r) for r in dp.rows]
    check("hand: DP rows kept", names == ["dp2", "DP01.corp.example"], str(names))
    check("hand: DP rejects", [(p, q) for p, q, _ in dp.rejects] ==
          [(3, "NALPath"), (4, "NumberErrors"), (5, "IsPXE")], str(dp.rejects))
    check("hand: DP duplicate: the earlier row's 1970 date beats the later row's unknown date",
          dp.duplicates == 1 and dp.rows[0]["MessageState"] == 1 and
          dp.rows[0]["LastStatusTime"] == to_date("1970-01-01T00:00:00Z"), str(dp.rows[0]))
    check("hand: content rows in index order (shorter PackageID first)",
          [row_name(content.spec, r) for r in content.rows] ==
          ["P1@dp2", "PS100095@dp2", "PS100095@DP01.corp.example", "PS100097@dp2",
           "PS100098@dp2"],
          str([row_name(content.spec, r) for r in content.rows]))
    check("hand: content rejects", [(p, q) for p, q, _ in content.rejects] ==
          [(4, "PackageID"), (5, "PackageID"), (6, "State"), (7, "LastCopied"),
           (8, "ServerNALPath"), (11, "PackageID")], str(content.rejects))
    sec = [r["SecureObjectID"] for r in content.rows]
    check("hand: content duplicates: 4", content.duplicates == 4, str(content.duplicates))
    check("hand: content duplicate: the earlier row with the later SummaryDate kept",
          sec[0] == b"P1" and content.rows[0]["State"] == 7, str(sec))
    check("hand: content duplicate: the same SummaryDate (another offset), the later kept",
          sec[2] == b"tie", str(sec))
    check("hand: content duplicate: both dates unknown, the later kept", sec[3] == b"new", str(sec))
    check("hand: content duplicate: the later row with the later SummaryDate kept",
          sec[4] == b"newer", str(sec))
    n, text = cmp_text(tables, "content", SELF_CONTENT_WALK_4, columns=[4])
    check("hand: State column walk (hand-written) matches", n == 0, text)
    n, text = cmp_text(tables, "content", SELF_CONTENT_WALK_7_8, columns=[7, 8])
    check("hand: a wrong date ('\"\"' for the unknown date) is noticed, once",
          n == 1 and "(PS100095@dp2), column 7 (LastCopied)" in text, text)
    fixed = SELF_CONTENT_WALK_7_8.replace(
        '57.53.3.100.112.50 = ""', "57.53.3.100.112.50 = Hex-STRING: 00 00 00 00 00 00 00 00 ")
    n, text = cmp_text(tables, "content", fixed, columns=[7, 8])
    check("hand: 1970 date, unknown date, offset and deci-seconds", n == 0, text)
    n, text = cmp_text(tables, "dp", SELF_DP_WALK, columns=[3, 4, 9, 10, 11])
    check("hand: DP walk (STRING and wrapped Hex-STRING) matches", n == 0, text)
    n, text = cmp_text(tables, "content", SELF_CONTENT_WALK_4.replace("INTEGER: 3", "INTEGER: 6"),
                       columns=[4])
    check("hand: a wrong State is noticed", n == 1 and "wrong value" in text, text)
    n, text = cmp_text(tables, "content", SELF_CONTENT_WALK_4.replace("INTEGER: 7", "Gauge32: 7"),
                       columns=[4])
    check("hand: a wrong type is noticed", n == 1 and "wrong type" in text, text)
    lines = SELF_CONTENT_WALK_4.splitlines(True)
    n, text = cmp_text(tables, "content", "".join(lines[:1] + lines[2:]), columns=[4])
    check("hand: a missing instance is noticed", n == 1 and text.startswith("missing"), text)
    n, text = cmp_text(tables, "content", "".join(lines[1:2] + lines[:1] + lines[2:]), columns=[4])
    check("hand: misordered instances are noticed", n == 1 and text.startswith("order"), text)
    n, text = cmp_text(tables, "content", "".join(lines[1:3]), columns=[4], prefix="PS100095")
    check("hand: --prefix PS100095 walk matches", n == 0, text)
    n, text = cmp_text(tables, "content", "".join(lines[1:4]), columns=[4], prefix="PS100095")
    check("hand: --prefix notices the next content's row",
          n == 1 and text.startswith("extra"), text)
    n, text = cmp_text(tables, "content", T + ".7.1.4.8.80.83.49.48.48.48.57.54 = No Such Instance "
                       "currently exists at this OID\n", columns=[4], prefix="PS100096")
    check("hand: --prefix of a content without rows: an empty walk", n == 0, text)
    s = summary(tables, DEFAULT_ERROR_STATES)
    check("hand: summary", (s["dpCount"], s["dpsWithErrors"], s["contentRows"], s["contentFailed"],
                            s["contentPending"]) == (2, 1, 5, 1, 1), str(s))

    # 2. A generated export: the rendering parses back; mutations are noticed.
    gen = os.path.join(here, "..", "..", "bench", "gen.py")
    out = os.path.join(tmp, "gen.json")
    r = subprocess.run([sys.executable, gen, "--combined", "--rows", "60", "--dps", "7",
                        "--dp-per-content", "4", "--seed", "5", "--flip", "0.1", "--out", out],
                       capture_output=True, text=True)
    check("gen.py --combined runs", r.returncode == 0, r.stderr)
    if r.returncode == 0:
        tables = load(out)
        dp, content = tables["dp"], tables["content"]
        check("gen: nothing rejected", not dp.rejects and not content.rejects)
        buf = io.StringIO()
        check("gen: DP counts agree with the content rows", crosscheck(tables, buf) == 0,
              buf.getvalue())
        for name, t in tables.items():
            toid = SMS_DIST_OBJECTS + (t.spec.number,)
            walk = render(t, expected(t, toid))
            n, text = cmp_text(tables, name, walk)
            check("gen: %s: the expected walk matches itself" % name, n == 0, text)
            path = os.path.join(tmp, name + ".walk")
            with open(path, "w") as f:
                f.write(walk)
            r = subprocess.run([sys.executable, me, "compare", out, "--table", name, path],
                               capture_output=True, text=True)
            check("gen: %s: compare exits 0" % name, r.returncode == 0, r.stdout + r.stderr)
            # one wrong value: the first Gauge32 line, plus one
            lines = walk.splitlines(True)
            k = next(i for i, x in enumerate(lines) if "Gauge32: " in x)
            oid, num = lines[k].rsplit(": ", 1)
            lines[k] = "%s: %d\n" % (oid, int(num) + 1)
            with open(path, "w") as f:
                f.write("".join(lines))
            r = subprocess.run([sys.executable, me, "compare", out, "--table", name, path],
                               capture_output=True, text=True)
            check("gen: %s: one wrong value: exit 1, one line" % name, r.returncode == 1 and
                  r.stdout.startswith("wrong value: ") and r.stdout.count("\n") == 2 and
                  "1 mismatch(es)" in r.stdout,
                  r.stdout + r.stderr)
        # --prefix: a content with several DPs
        pkg = content.rows[len(content.rows) // 2]["PackageID"].decode()
        mine = [x for x in content.rows if x["PackageID"] == pkg.encode()]
        toid = SMS_DIST_OBJECTS + (7,)
        walk = render(content, expected(content, toid, columns=[4], prefix=pkg))
        n, text = cmp_text(tables, "content", walk, columns=[4], prefix=pkg)
        check("gen: --prefix %s (%d DPs) matches" % (pkg, len(mine)),
              n == 0 and walk.count("\n") == len(mine), text)
        n, text = cmp_text(tables, "content", "".join(walk.splitlines(True)[1:]), columns=[4],
                           prefix=pkg)
        check("gen: --prefix notices a DP left out", n == 1 and text.startswith("missing"), text)
        # STRING instead of Hex-STRING (a caller without -Ox) reads the same
        walk = render(dp, expected(dp, SMS_DIST_OBJECTS + (6,), columns=[2]))
        plain = re.sub(r"Hex-STRING: ((?:[0-9A-F]{2} )+(?:\n(?:[0-9A-F]{2} )+)*)",
                       lambda m: 'STRING: "%s"' % bytes.fromhex(m.group(1).replace("\n", ""))
                       .decode().replace("\\", "\\\\").replace('"', '\\"'), walk)
        n, text = cmp_text(tables, "dp", plain, columns=[2])
        check("gen: STRING output (without -Ox) reads the same", n == 0 and "STRING: \"" in plain,
              text)
    print("self-test: %s" % ("%d failed" % len(failures) if failures else "passed"))
    return 1 if failures else 0


# ---------------------------------------------------------------------------

def main(argv):
    if argv == ["--self-test"]:
        return self_test()
    ap = argparse.ArgumentParser(
        description="oracle for smsDistDPTable and smsDistContentDPTable; "
        "also: check_tables.py --self-test. The rules, commands and the snmpwalk "
        "options to use (-On -Ox, no MIB loaded) are at the top of this file.")
    ap.add_argument("command", choices=["count", "rejects", "summary", "crosscheck", "select",
                                        "field", "oids", "expect", "compare"])
    ap.add_argument("input")
    ap.add_argument("extra", nargs="*", help="compare: snmpwalk output file or -; "
                    "select: the criterion; field: ROW COLUMN")
    ap.add_argument("--table", choices=sorted(TABLES))
    ap.add_argument("--class", dest="klass", choices=[DP_CLASS, CONTENT_CLASS],
                    help="the class of a one-class document")
    ap.add_argument("--table-oid")
    ap.add_argument("--rows", help="comma-separated PACKAGEID@SERVER or SERVER, first, "
                    "last or positions")
    ap.add_argument("--columns", help="comma-separated column numbers")
    ap.add_argument("--prefix", help="content table: the walk is under this PackageID")
    ap.add_argument("--error-states", default="3 6")
    ap.add_argument("--key")
    a = ap.parse_intermixed_args(argv)
    if a.klass and a.table and TABLES[a.table].klass != a.klass:
        ap.error("--class %s is not the class of --table %s" % (a.klass, a.table))
    table = a.table or (SPEC_OF_CLASS[a.klass].name if a.klass else None)
    error_states = {int(x) for x in a.error_states.split()}
    try:
        tables = load(a.input, table, a.klass)
    except Refused as e:
        print("check_tables: %s: document refused: %s" % (a.input, e), file=sys.stderr)
        return 2
    except OSError as e:
        print("check_tables: %s" % e, file=sys.stderr)
        return 2

    if a.command == "count":
        for name in sorted(tables):
            print(len(tables[name].rows) if a.table else "%s %d" % (name, len(tables[name].rows)))
        return 0
    if a.command == "rejects":
        for name in sorted(tables):
            for pos, prop, why in tables[name].rejects:
                print(tables[name].spec.klass, pos, prop, why)
        return 0
    if a.command == "summary":
        s = summary(tables, error_states)
        if a.key:
            if a.key not in s:
                ap.error("--key is one of " + " ".join(s))
            print(s[a.key])
        else:
            for k, v in s.items():
                print(k, v)
        return 0
    if a.command == "crosscheck":
        return 1 if crosscheck(tables) else 0
    if a.command == "select":
        if len(a.extra) != 1:
            ap.error("select needs one criterion")
        print(select(tables, a.extra[0], error_states))
        return 0

    if not a.table:
        ap.error("%s needs --table dp or --table content" % a.command)
    t = tables[a.table]
    if a.command == "field":
        if len(a.extra) != 2 or not a.extra[1].isdigit() or int(a.extra[1]) not in t.spec.columns:
            ap.error("field needs ROW and a column number of the %s table" % a.table)
        v = t.rows[t.find(a.extra[0])][t.spec.columns[int(a.extra[1])][0]]
        print(v.hex(" ").upper() if isinstance(v, bytes) else v)
        return 0
    try:
        table_oid = (parse_oid(a.table_oid) if a.table_oid
                     else SMS_DIST_OBJECTS + (t.spec.number,))
    except ValueError as e:
        ap.error(str(e))
    rows = sorted({t.find(s) for s in a.rows.split(",")}) if a.rows else None
    columns = None
    if a.columns:
        columns = [int(c) for c in a.columns.split(",")]
        if any(c not in t.spec.columns for c in columns):
            ap.error("the %s table's columns are %s"
                     % (a.table, " ".join(map(str, t.spec.columns))))
    if a.prefix is not None:
        if a.table != "content" or rows is not None:
            ap.error("--prefix is for --table content, without --rows")
        if columns is None:
            columns = [4]
        if len(columns) != 1:
            ap.error("--prefix walks one column")
        if not 1 <= len(a.prefix) <= PACKAGEID_MAX or not is_printable(a.prefix):
            ap.error("--prefix: not a PackageID")

    want = expected(t, table_oid, rows, columns, a.prefix)
    if a.command == "oids":
        for oid, _, _ in want:
            print(fmt_oid(oid))
        return 0
    if a.command == "expect":
        sys.stdout.write(render(t, want))
        return 0

    # compare
    if len(a.extra) > 1:
        ap.error("compare reads one output file")
    if not a.extra or a.extra[0] == "-":
        text = sys.stdin.buffer.read().decode("latin-1")
    else:
        try:
            with open(a.extra[0], encoding="latin-1") as f:
                text = f.read()
        except OSError as e:
            print("check_tables: %s" % e, file=sys.stderr)
            return 2
    try:
        got = parse_walk(text)
    except ValueError as e:
        print("unparsable output: %s" % e)
        return 1
    return 1 if compare(t, table_oid, got, rows, columns, a.prefix) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
