#!/usr/bin/env python3
"""The hostile input corpus (see README.md in this directory).

  python3 gen.py                         rewrites the committed files here
  python3 gen.py caps DIR MAXROWS MAXBYTES
                                         writes the two cap cases into DIR, at
                                         test time (they are too big to commit):
                                         too-big.json (MAXBYTES + 1 bytes, else
                                         a good export) and too-many-rows.json
                                         (MAXROWS + 1 good rows)

Every row-level case is the two rows of good.json (good.csv) with one bad row
among them, so whatever the bad row does, a load of the file serves exactly
what good.json serves, and the bad row is row 2 (the third for
truncated-row.csv)."""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

COLS = ["ObjectID", "MessageCategory", "Assets", "LastUpdateDate",
        "ObjectTypeID", "PackageID", "Type"]

# Two good rows, JSON text as an exporter writes them.
G1 = ('{"ObjectID": "PS100095", "MessageCategory": 10, "Assets": 250, '
      '"LastUpdateDate": "2024-08-30T20:55:06Z", "ObjectTypeID": 2, '
      '"PackageID": "PS100095", "Type": 1}')
G2 = ('{"ObjectID": "PS1000A2", "MessageCategory": 60, "Assets": 2, '
      '"LastUpdateDate": "2024-08-30T21:02:44Z", "ObjectTypeID": 2, '
      '"PackageID": "PS1000A2", "Type": 4}')

# A row with the value of one property replaced by raw JSON text.
def bad_json_row(prop, raw):
    vals = {"ObjectID": '"PS1000C1"', "MessageCategory": "10", "Assets": "5",
            "LastUpdateDate": '"2024-08-30T22:00:00Z"', "ObjectTypeID": "2",
            "PackageID": '"PS1000C1"', "Type": "1"}
    vals[prop] = raw
    return "{" + ", ".join('"%s": %s' % (c, vals[c]) for c in COLS) + "}"


def json_doc(*rows):
    return ("[\n  " + ",\n  ".join(rows) + "\n]\n").encode("latin-1")


# CSV: Export-Csv's shape, every cell quoted. Cells are bytes so any byte fits.
CSV_HEADER = b'"ObjectID","MessageCategory","Assets","LastUpdateDate","ObjectTypeID","PackageID","Type"'
C1 = [b"PS100095", b"10", b"250", b"2024-08-30T20:55:06Z", b"2", b"PS100095", b"1"]
C2 = [b"PS1000A2", b"60", b"2", b"2024-08-30T21:02:44Z", b"2", b"PS1000A2", b"4"]
CBAD = [b"PS1000C1", b"10", b"5", b"2024-08-30T22:00:00Z", b"2", b"PS1000C1", b"1"]


def csv_line(cells):
    return b",".join(b'"' + c.replace(b'"', b'""') + b'"' for c in cells)


def csv_doc(*lines):
    return b"\r\n".join((CSV_HEADER,) + lines) + b"\r\n"


def csv_bad(col, value):
    cells = list(CBAD)
    cells[COLS.index(col)] = value
    return csv_line(cells)


def corpus():
    f = {}
    f["good.json"] = json_doc(G1, G2)
    f["good.csv"] = csv_doc(csv_line(C1), csv_line(C2))

    # --- JSON, the whole document refused
    whole = json_doc(G1, G2)
    f["truncated.json"] = whole[:whole.index(b'"ObjectTypeID": 2, "PackageID": "PS1000A2"')]
    f["bare-nan.json"] = json_doc(G1, bad_json_row("Assets", "NaN"), G2)
    f["huge-integer.json"] = json_doc(G1, bad_json_row("Assets", "123456789012345678901234567890"), G2)
    f["invalid-utf8.json"] = json_doc(G1, bad_json_row("ObjectID", '"PS10\xff0095"'), G2)
    f["control-raw.json"] = json_doc(G1, bad_json_row("PackageID", '"PS1\x07"'), G2)
    f["nul-in-key.json"] = json_doc(G1, bad_json_row("ObjectID", '"PS1000C1"').replace(
        '"ObjectID"', '"ObjectID\\u0000x"'), G2)
    # jansson quotes the input near the error: raw bytes must not reach the message
    f["control-token.json"] = json_doc(G1, "\x1b[2J", G2)
    f["non-ascii-token.json"] = json_doc(G1, "\xc3\xa9t\xc3\xa9", G2)
    f["nextlink-nul.json"] = ('{"value": [\n  %s,\n  %s\n],\n"@odata.nextLink": '
                              '"https://cm01/AdminService/wmi/SMS_DistributionStatus?$skiptoken=2'
                              '\\u0000https://elsewhere/"}\n' % (G1, G2)).encode("ascii")
    f["deep-nesting.json"] = b"[" * 100000
    f["all-rows-bad.json"] = json_doc(bad_json_row("Assets", "-1"), bad_json_row("Type", "true"))

    # --- JSON, one row refused (row 2), the others kept
    f["type-object-number.json"] = json_doc(G1, bad_json_row("Assets", '{"value": 5}'), G2)
    f["type-array-objectid.json"] = json_doc(G1, bad_json_row("ObjectID", '["PS1000C1"]'), G2)
    f["type-bool.json"] = json_doc(G1, bad_json_row("MessageCategory", "true"), G2)
    f["uint32-overflow.json"] = json_doc(G1, bad_json_row("Assets", "4294967296"), G2)
    f["negative.json"] = json_doc(G1, bad_json_row("MessageCategory", "-1"), G2)
    f["fractional.json"] = json_doc(G1, bad_json_row("Assets", "1.5"), G2)
    f["exponent.json"] = json_doc(G1, bad_json_row("Assets", "1e3"), G2)
    f["nan-string.json"] = json_doc(G1, bad_json_row("Assets", '"NaN"'), G2)
    f["nul-escape.json"] = json_doc(G1, bad_json_row("ObjectID", '"PS1\\u00000095"'), G2)
    f["control-escaped.json"] = json_doc(G1, bad_json_row("PackageID", '"PS1\\u001b[2J"'), G2)
    f["objectid-113.json"] = json_doc(G1, bad_json_row("ObjectID", '"%s"' % ("A" * 113)), G2)
    # accepted: the longest ObjectID an index can hold
    f["objectid-112.json"] = json_doc(G1, bad_json_row("ObjectID", '"%s"' % ("A" * 112)), G2)

    # --- CSV, the whole document refused
    whole = csv_doc(csv_line(C1), csv_line(C2))
    f["truncated-quoted.csv"] = whole[:whole.index(b'PS1000A2"')]
    f["unbalanced-quote.csv"] = csv_doc(csv_line(C1), csv_line(CBAD).replace(
        b'"PS1000C1"', b'"PS10"00C1"', 1), csv_line(C2))
    f["header-missing-column.csv"] = b"\r\n".join(
        [b",".join(CSV_HEADER.split(b",")[:6]), b",".join(csv_line(C1).split(b",")[:6]), b""])

    # --- CSV, one row refused, the others kept
    three = csv_doc(csv_line(C1), csv_line(C2), csv_line(CBAD))
    f["truncated-row.csv"] = three[:three.rindex(b',"2","PS1000C1","1"')]
    f["missing-columns.csv"] = csv_doc(csv_line(C1), csv_line(CBAD[:5]), csv_line(C2))
    f["extra-columns.csv"] = csv_doc(csv_line(C1), csv_line(CBAD + [b"x", b"y"]), csv_line(C2))
    f["nul-raw.csv"] = csv_doc(csv_line(C1), csv_bad("ObjectID", b"PS1\x000095"), csv_line(C2))
    f["invalid-utf8.csv"] = csv_doc(csv_line(C1), csv_bad("ObjectID", b"PS10\xff0095"), csv_line(C2))
    f["control.csv"] = csv_doc(csv_line(C1), csv_bad("PackageID", b"PS1\x1b[2J"), csv_line(C2))
    f["huge-integer.csv"] = csv_doc(csv_line(C1), csv_bad("Assets", b"123456789012345678901234567890"),
                                    csv_line(C2))
    f["nan.csv"] = csv_doc(csv_line(C1), csv_bad("Assets", b"NaN"), csv_line(C2))
    # a first data row of empty cells: nothing of it was stored before its
    # fields are looked at (fuzz_csv found the decoder's NULL + 0 there)
    f["empty-first-row.csv"] = csv_doc(b",,,,,,", csv_line(C1), csv_line(C2))

    # --- no text at all
    f["empty.txt"] = b""
    f["bom-utf8.txt"] = b"\xef\xbb\xbf"
    f["bom-utf16le.txt"] = b"\xff\xfe"
    f["bom-utf16be.txt"] = b"\xfe\xff"
    return f


def caps(outdir, max_rows, max_bytes):
    rows = []
    for i in range(max_rows + 1):
        rows.append(json.dumps({"ObjectID": "PS%06X" % i, "MessageCategory": 10, "Assets": i,
                                "LastUpdateDate": "2024-08-30T20:55:06Z", "ObjectTypeID": 2,
                                "PackageID": "PS%06X" % i, "Type": 1}))
    with open(os.path.join(outdir, "too-many-rows.json"), "wb") as out:
        out.write(("[\n" + ",\n".join(rows) + "\n]\n").encode("ascii"))
    # A good document, padded with white space past the cap: only its size is wrong.
    doc = json_doc(G1, G2)
    doc = doc[:-1] + b" " * (max_bytes + 1 - len(doc)) + b"\n"
    with open(os.path.join(outdir, "too-big.json"), "wb") as out:
        out.write(doc)


def main(argv):
    if argv[:1] == ["caps"] and len(argv) == 4:
        caps(argv[1], int(argv[2]), int(argv[3]))
        return 0
    if argv:
        sys.exit(__doc__)
    for name, data in corpus().items():
        with open(os.path.join(HERE, name), "wb") as out:
            out.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
