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
"""
import argparse
import csv
import json
import random
import sys
import uuid

PACKAGE_TYPES = [2, 2, 2, 14, 18, 19, 21, 23, 24, 24, 24]
CATEGORIES = [10, 20, 30, 40, 50, 60, 70]
TYPES = [1] * 80 + [2] * 12 + [3] * 6 + [4] * 2
SCOPE = "B3FF3CC4-0319-4434-9D24-77689C53C615"


def rows(n, seed, flip):
    rnd = random.Random(seed)
    flipper = random.Random(seed + 1)
    out = []
    serial = 0
    while len(out) < n:
        serial += 1
        if rnd.random() < 0.3:
            app = uuid.UUID(int=rnd.getrandbits(128), version=4)
            oid = f"ScopeId_{SCOPE}/Application_{app}"
            otype, pkg = 31, f"PS1{serial:05X}"
        else:
            oid = pkg = f"PS1{serial:05X}"
            otype = rnd.choice(PACKAGE_TYPES)
        for cat in sorted(rnd.sample(CATEGORIES, rnd.randint(1, 5))):
            if len(out) == n:
                break
            t = rnd.choice(TYPES)
            if flip and flipper.random() < flip:
                t = 3 if t != 3 else 1
            out.append({
                "ObjectID": oid, "MessageCategory": cat, "Type": t,
                "Assets": rnd.randint(1, 250), "ObjectTypeID": otype, "PackageID": pkg,
                "LastUpdateDate": "2026-11-%02dT%02d:%02d:%02dZ" % (
                    rnd.randint(1, 24), rnd.randint(0, 23), rnd.randint(0, 59), rnd.randint(0, 59)),
            })
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--format", choices=["json", "csv"], default="json")
    ap.add_argument("--flip", type=float, default=0.0)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
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
