#!/usr/bin/env python3
"""The per-DP tables' fixtures (see README.md in this directory).

  python3 gen.py      rewrites the committed files here (outputs committed;
                      run it only to change them)

combined.json is not written here: it is bench/gen.py's combined export,
  python3 bench/gen.py --combined --content-rows 20 --dps 5 --seed 3 \\
      --out tests/data/tables/combined.json
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))

MODEL = ("ScopeId_B3FF3CC4-0319-4434-9D24-77689C53C615/"
         "Application_197d8de7-022d-4c0b-aec4-c339ccc17ba4")


def nal(fqdn):
    """A DP's NAL path, as WMI gives it (raw text, not JSON)."""
    return '["Display=\\\\%s\\"]MSWNET:["SMS_SITE=PS1"]\\\\%s\\' % (fqdn, fqdn)


def csv_cell(s):
    return '"' + s.replace('"', '""') + '"'


def csv_doc(type_line, header, rows, sep=","):
    lines = [type_line, sep.join(csv_cell(h) for h in header)]
    lines += [sep.join(csv_cell(c) for c in r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def json_str(s):
    """JSON string literal of s, escaping only what JSON requires (as
    ConvertTo-Json does for these characters)."""
    out = ['"']
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20:
            out.append("\\u%04x" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def obj(pairs):
    parts = []
    for k, v in pairs:
        if v is None:
            val = "null"
        elif v is True or v is False:
            val = "true" if v else "false"
        elif isinstance(v, int):
            val = str(v)
        elif isinstance(v, RawJson):
            val = v.text
        else:
            val = json_str(v)
        parts.append('"%s": %s' % (k, val))
    return "{" + ", ".join(parts) + "}"


class RawJson:
    def __init__(self, text):
        self.text = text


DP_HEADER = ["Name", "NALPath", "MessageState", "NumberErrors", "NumberInProgress",
             "NumberInstalled", "NumberUnknown", "LastStatusTime", "IsPullDP", "IsPXE",
             "Version", "PSComputerName", "__GENUS"]
DP_ROWS = [
    ["DP01.corp.example", nal("DP01.corp.example"), "3", "2", "1", "40", "0",
     "20261120081500.000000+000", "False", "True", "5.00.9122.1000", "CM01", "2"],
    ["DP02.corp.example", nal("DP02.corp.example"), "1", "0", "0", "42", "4294967295",
     "2026-11-20T09:15:00+01:00", "TRUE", "false", "", "CM01", "2"],
    ["", "\\\\DP03\\", "2", "0", "7", "0", "0", "", "", "", "5.00.9106.1000", "CM01", "2"],
    # rejected: no \\SERVER\ at the end
    ["DP04.corp.example", "DP04.corp.example", "1", "0", "0", "0", "0", "", "False", "False",
     "5.00.9122.1000", "CM01", "2"],
    # rejected: not a truth value
    ["DP05.corp.example", "\\\\DP05\\", "1", "0", "0", "0", "0", "", "yes", "False", "",
     "CM01", "2"],
]

CONTENT_HEADER = ["PackageID", "ServerNALPath", "SiteCode", "State", "PackageType",
                  "SourceVersion", "LastCopied", "SummaryDate", "SecureObjectID",
                  "PSComputerName"]
CONTENT_ROWS = [
    ["PS100095", nal("DP01.corp.example"), "PS1", "3", "0", "7",
     "20261119230000.000000+000", "20261120081500.000000+000", "PS100095", "CM01"],
    ["PS100095", nal("DP02.corp.example"), "PS1", "0", "0", "7", "",
     "2026-11-20T08:15:00Z", "PS100095", "CM01"],
    ["PS1000A2", nal("DP01.corp.example"), "", "2", "8", "4294967295", "", "", MODEL, "CM01"],
    # rejected: a PackageID of 9 characters cannot be an index
    ["PS1000951", "\\\\DP01\\", "PS1", "0", "0", "1", "", "", "", "CM01"],
    # rejected: State is required
    ["PS1000A3", "\\\\DP01\\", "PS1", "", "0", "1", "", "", "", "CM01"],
]

# A small combined export (one status row, two DPs, three content rows),
# CRLF as Windows writes it; the UTF-16 file is the same text.
SMALL = "\r\n".join([
    "{",
    '  "SMS_DistributionStatus": [',
    "    " + obj([("ObjectID", "PS100095"), ("MessageCategory", 10), ("Assets", 2),
                  ("ObjectTypeID", 2), ("Type", 3), ("PackageID", "PS100095"),
                  ("LastUpdateDate", "2026-11-20T08:15:00Z")]),
    "  ],",
    '  "SMS_DPStatusInfo": [',
    "    " + obj([("Name", "DP01.corp.example"), ("NALPath", nal("DP01.corp.example")),
                  ("MessageState", 3), ("NumberErrors", 1), ("NumberInProgress", 0),
                  ("NumberInstalled", 1), ("NumberUnknown", 0),
                  ("LastStatusTime", "2026-11-20T08:00:00Z"), ("IsPullDP", False),
                  ("IsPXE", True), ("Version", "5.00.9122.1000")]) + ",",
    "    " + obj([("Name", "DP02.corp.example"), ("NALPath", nal("DP02.corp.example")),
                  ("MessageState", 1), ("NumberErrors", 0), ("NumberInProgress", 0),
                  ("NumberInstalled", 2), ("NumberUnknown", 0),
                  ("LastStatusTime", "2026-11-20T07:00:00Z"), ("IsPullDP", True),
                  ("IsPXE", False), ("Version", "5.00.9122.1000")]),
    "  ],",
    '  "SMS_PackageStatusDistPointsSummarizer": [',
    "    " + obj([("PackageID", "PS100095"), ("ServerNALPath", nal("DP01.corp.example")),
                  ("SiteCode", "PS1"), ("State", 3), ("PackageType", 0),
                  ("SourceVersion", 7), ("LastCopied", None),
                  ("SummaryDate", "2026-11-20T08:00:00Z"),
                  ("SecureObjectID", "PS100095")]) + ",",
    "    " + obj([("PackageID", "PS100095"), ("ServerNALPath", nal("DP02.corp.example")),
                  ("SiteCode", "PS1"), ("State", 0), ("PackageType", 0),
                  ("SourceVersion", 7), ("LastCopied", "2026-11-19T23:00:00Z"),
                  ("SummaryDate", "2026-11-20T07:00:00Z"),
                  ("SecureObjectID", "PS100095")]) + ",",
    "    " + obj([("PackageID", "PS1000A2"), ("ServerNALPath", nal("DP02.corp.example")),
                  ("SiteCode", "PS1"), ("State", 0), ("PackageType", 8),
                  ("SourceVersion", 1), ("LastCopied", "2026-11-19T23:30:00Z"),
                  ("SummaryDate", "2026-11-20T07:30:00Z"),
                  ("SecureObjectID", MODEL)]),
    "  ]",
    "}",
    "",
])

# A combined export whose per-DP arrays are hostile, row by row (the status
# array is good): what each row does is in README.md.
GOOD_DP = [("MessageState", 1), ("NumberErrors", 0), ("NumberInProgress", 0),
           ("NumberInstalled", 0), ("NumberUnknown", 0)]
HOSTILE_DP = [
    obj([("NALPath", nal("DP01.corp.example"))] + GOOD_DP),
    obj([("NALPath", "\\\\DP\x0002\\")] + GOOD_DP),
    obj([("NALPath", "x" * 10240 + "\\\\DP03\\")] + GOOD_DP),
    obj([("NALPath", "\\\\DP04\\")] + GOOD_DP[:1] +
        [("NumberErrors", RawJson("4294967296"))] + GOOD_DP[2:]),
    obj([("NALPath", "\\\\DP05\\")] + GOOD_DP[:1] +
        [("NumberErrors", "123456789012345678901234567890")] + GOOD_DP[2:]),
    obj([("NALPath", "\\\\DP06\\"), ("IsPXE", 7)] + GOOD_DP),
    obj([("NALPath", "\\\\" + "A" * 101 + "\\")] + GOOD_DP),
    obj([("NALPath", "\\\\DP08\\"), ("LastStatusTime", "2026-11-20T08:15:00")] + GOOD_DP),
]
HOSTILE_CONTENT = [
    obj([("PackageID", "PS100095"), ("ServerNALPath", nal("DP01.corp.example")),
         ("State", 0), ("PackageType", 0), ("SourceVersion", 1)]),
    obj([("PackageID", "PS1\x00"), ("ServerNALPath", "\\\\DP01\\"),
         ("State", 0), ("PackageType", 0), ("SourceVersion", 1)]),
    obj([("PackageID", "PS100096"), ("ServerNALPath", "\\\\DP01\\"),
         ("State", 0), ("PackageType", 0), ("SourceVersion", 1), ("SiteCode", "\x1b[2J")]),
    obj([("PackageID", "PS100097"), ("ServerNALPath", "\\\\DP01\\"),
         ("State", RawJson("[]")), ("PackageType", 0), ("SourceVersion", 1)]),
]
HOSTILE = "\n".join([
    "{",
    '"SMS_DistributionStatus": [' + obj([("ObjectID", "PS100095"), ("MessageCategory", 10),
                                          ("Assets", 2), ("ObjectTypeID", 2),
                                          ("Type", 1)]) + "],",
    '"SMS_DPStatusInfo": [',
    ",\n".join(HOSTILE_DP),
    "],",
    '"SMS_PackageStatusDistPointsSummarizer": [',
    ",\n".join(HOSTILE_CONTENT),
    "]",
    "}",
    "",
])


def main():
    files = {
        "dp.csv": csv_doc("#TYPE System.Management.ManagementObject#root\\SMS\\site_PS1\\"
                          "SMS_DPStatusInfo", DP_HEADER, DP_ROWS),
        "content.csv": csv_doc("#TYPE Microsoft.Management.Infrastructure.CimInstance#"
                               "root/sms/site_PS1/SMS_PackageStatusDistPointsSummarizer",
                               CONTENT_HEADER, CONTENT_ROWS, sep=";"),
        "combined-small.json": SMALL.encode("ascii"),
        "combined-utf16le.json": b"\xff\xfe" + SMALL.encode("utf-16-le"),
        "combined-hostile.json": HOSTILE.encode("ascii"),
    }
    for name, data in files.items():
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
