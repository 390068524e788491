#!/usr/bin/env python3
"""Regenerates the encoding fixtures (UTF-8 BOM, UTF-16 with and without BOM,
broken UTF-16, empty ones) in this directory. The outputs are committed; run
this only to change them: python3 gen-encodings.py"""
import codecs

# What Windows PowerShell 5.1 writes with `ConvertTo-Json | Out-File`: UTF-16LE
# with BOM, CRLF. The second row's PackageID has a non-ASCII letter, so a test
# can see that the conversion produced UTF-8 (the row is rejected at byte 0xc3).
PS51_JSON = """[
    {
        "Assets":  12,
        "LastUpdateDate":  "\\/Date(1574202819000)\\/",
        "MessageCategory":  1,
        "ObjectID":  "PS100095",
        "ObjectTypeID":  2,
        "PackageID":  "PS100095",
        "Type":  1,
        "PSComputerName":  "CM01-Zürich"
    },
    {
        "Assets":  3,
        "LastUpdateDate":  "\\/Date(1574202819000)\\/",
        "MessageCategory":  2,
        "ObjectID":  "PS100096",
        "ObjectTypeID":  2,
        "PackageID":  "PS10009É",
        "Type":  3,
        "PSComputerName":  "CM01-Zürich"
    }
]
""".replace("\n", "\r\n")

CSV = """#TYPE Microsoft.Management.Infrastructure.CimInstance#root/sms/site_PS1/SMS_DistributionStatus
"Assets","LastUpdateDate","MessageCategory","ObjectID","ObjectTypeID","PackageID","Type","PSComputerName"
"12","2026-11-20T08:15:00Z","1","PS100095","2","PS100095","1","CM01-Zürich"
"3","2026-11-20T09:15:00+01:00","2","ScopeId_B3FF3CC4-0319-4434-9D24-77689C53C615/Application_197d8de7-022d-4c0b-aec4-c339ccc17ba4","31","PS1000A2","2","CM01-Zürich"
""".replace("\n", "\r\n")


def write(name, data):
    with open(name, "wb") as f:
        f.write(data)


write("utf8-bom.json", codecs.BOM_UTF8 + PS51_JSON.encode("utf-8"))
write("utf16le-bom.json", codecs.BOM_UTF16_LE + PS51_JSON.encode("utf-16-le"))
write("utf16be-bom.csv", codecs.BOM_UTF16_BE + CSV.encode("utf-16-be"))
write("utf16le-nobom.json", PS51_JSON.encode("utf-16-le"))
# A lone high surrogate (0xD800) where the 'P' of the first "PS100095" was.
le = PS51_JSON.encode("utf-16-le")
at = le.index("PS100095".encode("utf-16-le"))
write("utf16le-lone-surrogate.json", codecs.BOM_UTF16_LE + le[:at] + b"\x00\xd8" + le[at + 2:])
# Cut in the middle of a code unit.
write("utf16le-odd-length.json", codecs.BOM_UTF16_LE + le[:101])
write("only-bom-utf8.txt", codecs.BOM_UTF8)
write("only-bom-utf16le.txt", codecs.BOM_UTF16_LE)
write("utf16le-bom-whitespace.txt", codecs.BOM_UTF16_LE + " \r\n\t\r\n".encode("utf-16-le"))
write("empty.txt", b"")
write("whitespace.txt", b" \r\n\t\r\n  ")
print("lone surrogate at byte offset", 2 + at)
