#!/usr/bin/env python3
"""gen.py: realistic SMS_DistributionStatus exports of any size, by seed.

Objects are packages (PackageID: site code + 5 hex digits, e.g. PS1000A3)
and applications (ModelName: ScopeId_<GUID>/Application_<guid>, 93
characters), each with 1-5 status-message categories; Types are mostly
Success, some InProgress, a few Error (3) and failed (4); every
ObjectTypeID of the class reference appears. The same seed and size give
the same file, byte for byte.

  gen.py --rows 100000 --seed 1 --format json --out export.json
  gen.py --rows 1000 --format csv --out export.csv --flip 0.05
    (--flip P: change the Type of a fraction P of rows, so two files of one
     seed differ a little, as consecutive exports do)

Combined export (doc/per-dp-tables.md): one JSON object with the arrays
"SMS_DistributionStatus", "SMS_DPStatusInfo" and
"SMS_PackageStatusDistPointsSummarizer", in that order, one element a line.

  gen.py --combined --rows 3000 --dps 50 --out combined.json
  gen.py --combined --content-rows 1000000 --seed 1 --out big.json

  --rows R          SMS_DistributionStatus rows: the same rows as the plain
                    export of that seed, size and --flip (so a plain and a
                    combined file of one seed agree on them).
  --content-rows M  instead of --rows: exactly M content x DP rows. Contents
                    are taken from the status stream, whole (all their
                    categories), until their DP rows reach M; the last
                    content gets only the DPs still needed.
  --dps N           distribution points dp0001.site1.corp.example ...
                    Default 50, or with --content-rows max(50, M/10000
                    rounded up), so that no DP holds much more than the
                    10,000 contents Microsoft supports per DP.
  --dp-per-content K  average number of DPs a content is distributed to:
                    a random subset of the DPs, its size uniform in
                    K/2..3K/2 (narrower near N, keeping the mean K), every
                    DP when K >= N; default min(N, 20).

  What is in it, and what agrees with what:
  - SMS_DPStatusInfo, one row per DP, in DP order: Name (the FQDN),
    NALPath ["Display=\\\\<fqdn>\\"]MSWNET:["SMS_SITE=PS1"]\\\\<fqdn>\\ (in
    the file's JSON that is each backslash doubled), about 10 % pull DPs and
    15 % PXE DPs (at least one of each when N >= 2), Version mostly
    5.00.9122.1000, LastStatusTime in the last hours before
    2026-11-26T06:00:00Z, and MessageCount, IsMulticast, IsDPMonEnabled
    (keys no table serves, as a real export has). Each DP is troubled
    (15 %: a tenth of its rows in error, a tenth in progress), busy (35 %:
    a twentieth in progress) or clean (50 %: all installed); at least one
    troubled DP when N >= 2 and one clean DP when N >= 3, so at any size
    some DPs have NumberErrors 0 and some more. NumberErrors,
    NumberInProgress, NumberInstalled, NumberUnknown are COUNTED from that
    DP's summarizer rows: State 3 or 6 an error; 1, 2, 4, 5, 7 in progress;
    0 installed; anything else (8) unknown. MessageState is 3 when
    NumberErrors > 0, else 2 when NumberInProgress > 0, else 1.
  - SMS_PackageStatusDistPointsSummarizer, grouped by content in status
    order, DPs ascending within a content: PackageID (the status rows'
    PackageID), ServerNALPath (the DP's NALPath), SiteCode "PS1", State
    from the DP's health (overall about 95 % 0, 1.4 % 1, 0.7 % 2, 1.4 % 7,
    1.2 % 3, 0.3 % 6: errors 3 and 6 as 4:1, in progress 1, 2, 7 as
    2:1:2), PackageType from the content's ObjectTypeID (2->0, 14->4,
    18->257, 19->258, 21->6, 23->3, 24->5, 31->8), SourceVersion the
    content's version 1..30 (one less on a DP in State 2 or 7, still
    copying the previous one), LastCopied ("1970-01-01T00:00:00Z", the
    AdminService's unset date, in State 1: never copied) and SummaryDate
    as "2026-11-03T20:55:06Z", SecureObjectID the content's ObjectID in
    SMS_DistributionStatus (PackageID or ModelName).
  - SMS_DistributionStatus rows are NOT made to agree with the DP rows
    (Assets is not a count of them): they stay the plain export's rows.
  --flip P also gives a fraction P of the content x DP rows a flip of
    State 0 <-> 3 (other States stay), and the DP rows are counted after
    it (so a clean DP can get errors); subsets, versions and dates do not
    move, so two files of one seed differ only there, in the DP rows'
    numbers and in the flipped status Types.
  Each class has its own random stream (status rows: the seed itself, as
  for the plain export), so the same seed and options give the same bytes.
  The file is written as it is generated; content x DP rows are kept as
  packed arrays (about 12 bytes a row) until the DP rows, which come first
  in the file, have been counted.
"""
import argparse
import array
import csv
import datetime
import itertools
import json
import math
import random
import sys
import uuid

PACKAGE_TYPES = [2, 2, 2, 14, 18, 19, 21, 23, 24, 24, 24]
CATEGORIES = [10, 20, 30, 40, 50, 60, 70]
TYPES = [1] * 80 + [2] * 12 + [3] * 6 + [4] * 2
SCOPE = "B3FF3CC4-0319-4434-9D24-77689C53C615"


def status_contents(seed, flip):
    """Endless stream of contents, each the list of its status rows
    (1-5 categories). Flattened, its first n rows are rows(n, ...): the
    draws for a row come before any draw for a later row."""
    rnd = random.Random(seed)
    flipper = random.Random(seed + 1)
    serial = 0
    while True:
        serial += 1
        if rnd.random() < 0.3:
            app = uuid.UUID(int=rnd.getrandbits(128), version=4)
            oid = f"ScopeId_{SCOPE}/Application_{app}"
            otype, pkg = 31, f"PS1{serial:05X}"
        else:
            oid = pkg = f"PS1{serial:05X}"
            otype = rnd.choice(PACKAGE_TYPES)
        group = []
        for cat in sorted(rnd.sample(CATEGORIES, rnd.randint(1, 5))):
            t = rnd.choice(TYPES)
            if flip and flipper.random() < flip:
                t = 3 if t != 3 else 1
            group.append({
                "ObjectID": oid, "MessageCategory": cat, "Type": t,
                "Assets": rnd.randint(1, 250), "ObjectTypeID": otype, "PackageID": pkg,
                "LastUpdateDate": "2026-11-%02dT%02d:%02d:%02dZ" % (
                    rnd.randint(1, 24), rnd.randint(0, 23), rnd.randint(0, 59), rnd.randint(0, 59)),
            })
        yield group


def rows(n, seed, flip):
    stream = itertools.chain.from_iterable(status_contents(seed, flip))
    return list(itertools.islice(stream, n))


# ---------------------------------------------------------------------------
# Combined export

SITE = "PS1"
PACKAGE_TYPE_OF = {2: 0, 14: 4, 18: 257, 19: 258, 21: 6, 23: 3, 24: 5, 31: 8}
# How a DP fares, drawn per DP: (share of DPs, error rate, in-progress rate)
# of its rows. Errors are State 3 (four in five) or 6; in progress 1, 2 or 7
# (2:1:2). Only troubled DPs have errors, so at any size some DPs have
# NumberErrors 0 and some more.
HEALTH = [(0.15, 0.10, 0.10),       # troubled: unreachable, disk full
          (0.35, 0.0, 0.05),        # busy: copying
          (0.50, 0.0, 0.0)]         # clean
ERROR_STATES = (3, 6)
PROGRESS_STATES = (1, 2, 4, 5, 7)
VERSIONS = ["5.00.9122.1000"] * 8 + ["5.00.9106.1000", "5.00.9128.1000"]
UNSET_DATE = "1970-01-01T00:00:00Z"
EPOCH = datetime.datetime(1970, 1, 1)
COPIED_FROM = int((datetime.datetime(2026, 10, 1) - EPOCH).total_seconds())
COPIED_SPAN = 55 * 86400
NOW = int((datetime.datetime(2026, 11, 26, 6, 0, 0) - EPOCH).total_seconds())


class IsoDates:
    """Seconds since 1970 -> "2026-11-03T20:55:06Z", days cached."""

    def __init__(self):
        self.days = {}

    def __call__(self, s):
        d, r = divmod(s, 86400)
        day = self.days.get(d)
        if day is None:
            day = self.days[d] = (EPOCH + datetime.timedelta(days=d)).strftime("%Y-%m-%dT")
        return "%s%02d:%02d:%02dZ" % (day, r // 3600, r // 60 % 60, r % 60)


def dp_name(i):
    return "dp%04d.site1.corp.example" % (i + 1)


def dp_nalpath(name):
    return '["Display=\\\\%s\\"]MSWNET:["SMS_SITE=%s"]\\\\%s\\' % (name, SITE, name)


def dp_profiles(ndps, seed, iso):
    """The DP rows without their counts, and each DP's (error rate,
    in-progress rate)."""
    rnd = random.Random("%d/dps" % seed)
    r = rnd.random
    dps, rates = [], []
    for i in range(ndps):
        x = r()
        for share, errors, progress in HEALTH:
            if x < share:
                break
            x -= share
        rates.append((errors, progress))
        name = dp_name(i)
        dps.append({
            "Name": name, "NALPath": dp_nalpath(name),
            "MessageState": 1, "NumberErrors": 0, "NumberInProgress": 0,
            "NumberInstalled": 0, "NumberUnknown": 0, "MessageCount": int(r() * 50),
            "LastStatusTime": iso(NOW - int(r() * 6 * 3600)),
            "IsPullDP": r() < 0.10, "IsPXE": r() < 0.15,
            "IsMulticast": r() < 0.05, "IsDPMonEnabled": r() < 0.5,
            "Version": VERSIONS[int(r() * len(VERSIONS))],
        })
    if ndps >= 2:
        if not any(d["IsPullDP"] for d in dps):
            dps[-1]["IsPullDP"] = True
        if not any(d["IsPXE"] for d in dps):
            dps[0]["IsPXE"] = True
        if not any(e for e, _ in rates):
            rates[min(1, ndps - 1)] = HEALTH[0][1:]
        if ndps >= 3 and all(e or p for e, p in rates):
            rates[-1] = HEALTH[-1][1:]
    return dps, rates


def dp_count(dps, counts):
    """Fills in the DP rows' numbers from their content rows."""
    for d, (errors, progress, installed, unknown) in zip(dps, counts):
        d.update({"MessageState": 3 if errors else 2 if progress else 1,
                  "NumberErrors": errors, "NumberInProgress": progress,
                  "NumberInstalled": installed, "NumberUnknown": unknown})
        d["MessageCount"] += errors + progress + installed + unknown


class ContentRows:
    """The content x DP rows, packed: one entry per row in file order."""

    def __init__(self, rates, per_content, seed, flip):
        self.ndps = ndps = len(rates)
        self.rates = rates
        self.lo = max(1, per_content // 2)
        self.hi = 2 * per_content - self.lo
        if self.hi > ndps:                  # keep the mean at per_content
            self.lo, self.hi = max(1, 2 * per_content - ndps), ndps
        self.rnd = random.Random("%d/content" % seed)
        self.flipper = random.Random("%d/content-flip" % seed) if flip else None
        self.flip = flip
        self.contents = []                  # (PackageID, ObjectID, PackageType)
        self.first = array.array("I")       # per content: its first row
        self.dp = array.array("H" if ndps <= 65535 else "I")
        self.state = bytearray()
        self.version = bytearray()
        self.copied = array.array("I")      # 0: never copied
        self.summary = array.array("I")

    def add(self, status_group, limit=None):
        """Distributes one content; at most `limit` DPs. Returns its rows."""
        r = self.rnd.random
        row = status_group[0]
        self.contents.append((row["PackageID"], row["ObjectID"],
                              PACKAGE_TYPE_OF.get(row["ObjectTypeID"], 0)))
        self.first.append(len(self.state))
        k = self.lo + int(r() * (self.hi - self.lo + 1))
        if limit is not None and k > limit:
            k = limit
        dps = sorted(self.rnd.sample(range(self.ndps), k))
        version = 1 + int(r() * 30)
        changed = COPIED_FROM + int(r() * COPIED_SPAN)
        for d in dps:
            errors, progress = self.rates[d]
            x = r()
            if x < errors:
                s = 3 if x < errors * 0.8 else 6
            elif x < errors + progress:
                y = (x - errors) / progress
                s = 1 if y < 0.4 else 2 if y < 0.6 else 7
            else:
                s = 0
            if self.flipper is not None and self.flipper.random() < self.flip:
                s = 3 if s == 0 else 0 if s == 3 else s
            copied = changed + int(r() * 7200)
            summary = copied + 60 + int(r() * 86400)
            self.dp.append(d)
            self.state.append(s)
            self.version.append(version - 1 if s in (2, 7) and version > 1 else version)
            self.copied.append(0 if s == 1 else copied)
            self.summary.append(summary)
        return k

    def __len__(self):
        return len(self.state)

    def counts(self):
        """Per DP: [errors, in progress, installed, unknown]."""
        which = [0 if s in ERROR_STATES else 1 if s in PROGRESS_STATES else 2 if s == 0 else 3
                 for s in range(256)]
        c = [[0, 0, 0, 0] for _ in range(self.ndps)]
        for d, s in zip(self.dp, self.state):
            c[d][which[s]] += 1
        return c


class ArrayWriter:
    """Writes one JSON array, one element a line, in chunks."""

    CHUNK = 4096

    def __init__(self, f, key, last=False):
        self.f, self.last, self.n, self.buf = f, last, 0, []
        f.write("%s: [\n" % json.dumps(key))

    def add(self, text):
        self.buf.append(text)
        if len(self.buf) >= self.CHUNK:
            self.flush()

    def flush(self):
        if self.buf:
            self.f.write((",\n" if self.n else "") + ",\n".join(self.buf))
            self.n += len(self.buf)
            self.buf = []

    def close(self):
        self.flush()
        self.f.write(("\n]" if self.n else "]") + ("}\n" if self.last else ",\n"))


def combined(a):
    """Writes the combined export; returns (status rows, DPs, content rows)."""
    iso = IsoDates()
    per = min(a.dp_per_content or min(a.dps, 20), a.dps)
    dps, rates = dp_profiles(a.dps, a.seed, iso)
    content = ContentRows(rates, per, a.seed, a.flip)
    nstatus = 0
    with open(a.out, "w") as f:
        f.write("{")
        w = ArrayWriter(f, "SMS_DistributionStatus")
        groups = status_contents(a.seed, a.flip)
        if a.content_rows is None:
            left = a.rows
            while left > 0:
                g = next(groups)[:left]
                left -= len(g)
                content.add(g)
                for row in g:
                    w.add(json.dumps(row))
                nstatus += len(g)
        else:
            left = a.content_rows
            while left > 0:
                g = next(groups)
                left -= content.add(g, left)
                for row in g:
                    w.add(json.dumps(row))
                nstatus += len(g)
        w.close()

        dp_count(dps, content.counts())
        w = ArrayWriter(f, "SMS_DPStatusInfo")
        for d in dps:
            w.add(json.dumps(d))
        w.close()

        w = ArrayWriter(f, "SMS_PackageStatusDistPointsSummarizer", last=True)
        seg = ['"ServerNALPath": %s, "SiteCode": "%s", ' % (json.dumps(d["NALPath"]), SITE)
               for d in dps]
        bounds = list(content.first) + [len(content)]
        dp, state, version = content.dp, content.state, content.version
        copied, summary = content.copied, content.summary
        for c, (pkg, oid, ptype) in enumerate(content.contents):
            head = '{"PackageID": "%s", ' % pkg
            tail = '"PackageType": %d, ' % ptype
            end = '"SecureObjectID": %s}' % json.dumps(oid)
            for i in range(bounds[c], bounds[c + 1]):
                w.add('%s%s"State": %d, %s"SourceVersion": %d, "LastCopied": "%s", '
                      '"SummaryDate": "%s", %s' % (
                          head, seg[dp[i]], state[i], tail, version[i],
                          iso(copied[i]) if copied[i] else UNSET_DATE, iso(summary[i]), end))
        w.close()
    return nstatus, len(dps), len(content)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--format", choices=["json", "csv"], default="json")
    ap.add_argument("--flip", type=float, default=0.0)
    ap.add_argument("--out", required=True)
    ap.add_argument("--combined", action="store_true",
                    help="write the combined export of the three classes (JSON)")
    ap.add_argument("--dps", type=int, help="with --combined: distribution points")
    ap.add_argument("--dp-per-content", type=int,
                    help="with --combined: average DPs per content (default min(DPS, 20))")
    ap.add_argument("--content-rows", type=int,
                    help="with --combined, instead of --rows: content x DP rows")
    a = ap.parse_args()
    if not a.combined:
        for opt in ("dps", "dp_per_content", "content_rows"):
            if getattr(a, opt) is not None:
                ap.error("--%s needs --combined" % opt.replace("_", "-"))
        if a.rows is None:
            ap.error("--rows is required")
    else:
        if a.format != "json":
            ap.error("--combined writes JSON only")
        if (a.rows is None) == (a.content_rows is None):
            ap.error("--combined needs one of --rows and --content-rows")
        if a.rows is not None and a.rows < 0:
            ap.error("--rows must not be negative")
        if a.content_rows is not None and a.content_rows < 1:
            ap.error("--content-rows must be at least 1")
        if a.dps is None:
            a.dps = 50 if a.content_rows is None else max(50, math.ceil(a.content_rows / 10000))
        if a.dps < 1:
            ap.error("--dps must be at least 1")
        if a.dp_per_content is not None and a.dp_per_content < 1:
            ap.error("--dp-per-content must be at least 1")
        combined(a)
        return 0
    data = rows(a.rows, a.seed, a.flip)
    if a.format == "json":
        with open(a.out, "w") as f:
            json.dump({"@odata.context": "https://cm01.corp.example/AdminService/wmi/"
                       "$metadata#SMS_DistributionStatus", "value": data}, f)
    else:
        with open(a.out, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(data[0]), quoting=csv.QUOTE_ALL)
            w.writeheader()
            w.writerows(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
