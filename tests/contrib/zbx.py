#!/usr/bin/env python3
"""zbx.py: a small Zabbix JSON-RPC API client for the shell tests
(tests/contrib/zabbix-server.sh, tests/contrib/zabbix-runtime.sh).

Python 3 standard library only (urllib, json). Works with Zabbix 6.0 and
7.0: the session token goes in the request's "auth" member before 6.4 and in
an "Authorization: Bearer" header from 6.4 on (7.0 no longer wants "auth");
user.login takes "username" in both.

Usage: zbx.py --url URL [--token-file FILE] [--user U] [--password P] COMMAND ...

  version                            apiinfo.version (no login)
  login                              logs in, writes the token to --token-file,
                                     prints the API version
  import FILE                        configuration.import of a YAML (or .xml,
                                     .json) export, creating and updating
                                     everything (groups, templates, items,
                                     triggers, graphs, discovery rules, value
                                     maps, template dashboards, web scenarios,
                                     template linkage) and deleting what the
                                     file no longer has; prints the templates
                                     of the file as JSON lines
  host-create --host NAME --port P [--ip 127.0.0.1] [--community public]
              [--no-bulk] [--max-repetitions N (Zabbix 7.0: the walks' GETBULK size)]
              [--group NAME] [--template NAME]... [--templates-of FILE]
              [--macro '{$M}=V']...   a host with one SNMPv2c interface (bulk
                                     on), linked to the templates; prints hostid
  macros --host NAME '{$M}=V'...     creates or updates host macros
  template-macros --templates-of FILE
                                     "{$MACRO} value" lines: the macros of the
                                     file's templates, as Zabbix holds them
  internal-host --host NAME [--delay 10s] [--disable-default]
                                     a host with the server's internal figures:
                                     zabbix[rcache,buffer,pused],
                                     zabbix[queue,10s], zabbix[wcache,values]
                                     (--disable-default: disables the
                                     preinstalled host "Zabbix server")
  internal-figures --host NAME       one line: config cache % used, queue > 10 s,
                                     values per second (their last values)
  check-now --host NAME [--what items|lld|all] [--key-re RE]
                                     "Execute now" (task.create, type 6) for
                                     the host's enabled items / LLD rules of a
                                     type that allows it; prints how many
  wait-count --host NAME --key-re RE --min N [--max N] [--discovered] [--timeout S]
                                     until the host has N.. items whose key
                                     matches RE (--discovered: made by LLD)
  wait-discovered --host NAME --rule KEY --min N [--max N] [--timeout S]
                                     until the LLD rule KEY has made N.. items
  wait-value --host NAME (--key KEY | --key-re RE | --rule KEY)
             (--value V | --like RE | --has-value | --no-value) [--timeout S]
                                     until there are items so selected (--rule:
                                     those made by the LLD rule KEY) and every
                                     one has lastvalue V (matching RE; any,
                                     even empty; --no-value: none has a value)
  wait-problems --host NAME [--tag T[=V]]... [--name-re RE] [--count N]
                [--names-file F | --name N ...] [--timeout S]
                                     until the host's open problems (with those
                                     tags, names matching RE) are N in number,
                                     or exactly the names given; prints them
  dump WHAT --host NAME [--key-re RE]
                                     JSON for diagnostics; WHAT: host, items,
                                     lld, prototypes, triggers, problems,
                                     events, macros, templates
  call METHOD [JSON]                 any API method; prints the result

Every wait is a bounded poll (--timeout, default 120 s, every 1 s); it exits
0 when the condition holds, 1 when the time ran out (saying what it last
saw), 2 on a usage or API error. wait-value and wait-discovered take
--kick SECONDS: "Execute now" again, every SECONDS, for the items (the
LLD rule) not there yet.
"""

import argparse
import json
import os
import re
import sys
import time
import urllib.error
import urllib.request

ITEM_TYPES_CHECK_NOW = {0, 3, 5, 10, 11, 12, 13, 14, 15, 16, 19, 20, 21}
FLAG_DISCOVERED = 4


class ApiError(Exception):
    pass


class Api:
    def __init__(self, url, token=None, timeout=60):
        self.url = url
        self.token = token
        self.timeout = timeout
        self._version = None
        self._id = 0

    def _post(self, payload, headers):
        data = json.dumps(payload).encode()
        req = urllib.request.Request(self.url, data=data, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as r:
                body = r.read()
        except urllib.error.HTTPError as e:
            raise ApiError("HTTP %s from %s: %s" % (e.code, self.url, e.read()[:500]))
        except (urllib.error.URLError, OSError) as e:
            raise ApiError("cannot reach %s: %s" % (self.url, e))
        try:
            return json.loads(body)
        except ValueError:
            raise ApiError("not JSON from %s: %r" % (self.url, body[:500]))

    def call(self, method, params=None, auth=True):
        self._id += 1
        payload = {"jsonrpc": "2.0", "method": method, "params": {} if params is None else params,
                   "id": self._id}
        headers = {"Content-Type": "application/json-rpc"}
        if auth and self.token:
            if self.bearer():
                headers["Authorization"] = "Bearer " + self.token
            else:
                payload["auth"] = self.token
        resp = self._post(payload, headers)
        if "error" in resp:
            e = resp["error"]
            raise ApiError("%s: %s %s" % (method, e.get("message", ""), e.get("data", "")))
        return resp["result"]

    def version(self):
        if self._version is None:
            self._version = self.call("apiinfo.version", {}, auth=False)
        return self._version

    def vtuple(self):
        return tuple(int(x) for x in re.findall(r"\d+", self.version())[:2])

    def bearer(self):
        return self.vtuple() >= (6, 4)

    def login(self, user, password):
        self.token = None
        self.version()
        self.token = self.call("user.login", {"username": user, "password": password}, auth=False)
        return self.token

    # --- helpers ---------------------------------------------------------------------------------

    def hostid(self, name):
        r = self.call("host.get", {"output": ["hostid"], "filter": {"host": [name]}})
        if not r:
            raise ApiError("no host named %r" % name)
        return r[0]["hostid"]

    def items(self, hostid, key=None, key_re=None, extra=None):
        params = {"output": ["itemid", "key_", "name", "type", "value_type", "status", "state", "error",
                             "lastvalue", "lastclock", "flags"],
                  "hostids": [hostid]}
        if key is not None:
            params["filter"] = {"key_": [key]}
        if extra:
            params.update(extra)
        r = self.call("item.get", params)
        if key_re:
            rx = re.compile(key_re)
            r = [i for i in r if rx.search(i["key_"])]
        return r


# --- commands --------------------------------------------------------------------------------------

def import_rules(api):
    full = {"createMissing": True, "updateExisting": True, "deleteMissing": True}
    cu = {"createMissing": True, "updateExisting": True}
    rules = {
        "discoveryRules": full, "graphs": full, "httptests": full, "items": full,
        "templateDashboards": full, "triggers": full, "valueMaps": full,
        "templates": cu, "templateLinkage": {"createMissing": True, "deleteMissing": True},
        "images": cu, "maps": cu, "mediaTypes": cu, "hosts": cu,
    }
    if api.vtuple() >= (6, 2):
        rules["template_groups"] = cu
        rules["host_groups"] = cu
    else:
        rules["groups"] = {"createMissing": True, "updateExisting": True} if api.vtuple() >= (6, 0) \
            else {"createMissing": True}
    return rules


def file_template_uuids(text):
    """The UUIDs of the templates a YAML export defines (Zabbix's own layout:
    zabbix_export > templates > - uuid: ...), without a YAML parser."""
    uuids, in_templates = [], False
    for line in text.splitlines():
        if re.match(r"^  \S", line):
            in_templates = line.strip() == "templates:"
            continue
        m = re.match(r"^    - uuid: '?([0-9a-fA-F]{32})'?\s*$", line)
        if in_templates and m:
            uuids.append(m.group(1).lower())
    return uuids


def templates_of(api, path):
    text = open(path, encoding="utf-8").read()
    uuids = file_template_uuids(text)
    if not uuids:
        return []
    return api.call("template.get", {"output": ["templateid", "host", "name", "uuid"],
                                     "filter": {"uuid": uuids}})


def cmd_import(api, a):
    text = open(a.file, encoding="utf-8").read()
    fmt = {"xml": "xml", "json": "json"}.get(a.file.rsplit(".", 1)[-1].lower(), "yaml")
    api.call("configuration.import", {"format": fmt, "source": text, "rules": import_rules(api)})
    for t in templates_of(api, a.file):
        print(json.dumps(t))
    return 0


def parse_macros(specs):
    out = []
    for s in specs:
        if "=" not in s:
            raise ApiError("a macro is {$NAME}=VALUE, not %r" % s)
        k, v = s.split("=", 1)
        out.append({"macro": k, "value": v})
    return out


def group_id(api, name):
    method = "hostgroup"
    r = api.call(method + ".get", {"output": ["groupid"], "filter": {"name": [name]}})
    if r:
        return r[0]["groupid"]
    return api.call(method + ".create", {"name": name})["groupids"][0]


def cmd_host_create(api, a):
    tids = []
    for name in a.template:
        r = api.call("template.get", {"output": ["templateid"], "filter": {"host": [name]}})
        if not r:
            raise ApiError("no template named %r" % name)
        tids.append(r[0]["templateid"])
    if a.templates_of:
        got = templates_of(api, a.templates_of)
        if not got:
            raise ApiError("no template of %s is in Zabbix (imported?)" % a.templates_of)
        tids += [t["templateid"] for t in got]
    iface = {"type": 2, "main": 1, "useip": 1, "ip": a.ip, "dns": "", "port": str(a.port),
             "details": {"version": 2, "bulk": 0 if a.no_bulk else 1, "community": a.community}}
    if a.max_repetitions:
        iface["details"]["max_repetitions"] = str(a.max_repetitions)
    params = {"host": a.host, "interfaces": [iface], "groups": [{"groupid": group_id(api, a.group)}],
              "templates": [{"templateid": t} for t in tids], "macros": parse_macros(a.macro)}
    print(api.call("host.create", params)["hostids"][0])
    return 0


def set_macros(api, hostid, specs):
    have = {m["macro"]: m for m in api.call("usermacro.get", {"hostids": [hostid],
                                                              "output": ["hostmacroid", "macro", "value"]})}
    for m in parse_macros(specs):
        if m["macro"] in have:
            api.call("usermacro.update", {"hostmacroid": have[m["macro"]]["hostmacroid"], "value": m["value"]})
        else:
            api.call("usermacro.create", dict(m, hostid=hostid))


def cmd_macros(api, a):
    set_macros(api, api.hostid(a.host), a.macro)
    return 0


INTERNAL_ITEMS = [
    ("zabbix[rcache,buffer,pused]", "Configuration cache, % used", 0),
    ("zabbix[queue,10s]", "Queue over 10 seconds", 3),
    ("zabbix[wcache,values]", "Values processed since the server started (a counter)", 0),
]


def cmd_internal_host(api, a):
    if a.disable_default:
        r = api.call("host.get", {"output": ["hostid"], "filter": {"host": ["Zabbix server"]}})
        for h in r:
            api.call("host.update", {"hostid": h["hostid"], "status": 1})
    r = api.call("host.get", {"output": ["hostid"], "filter": {"host": [a.host]}})
    if r:
        hostid = r[0]["hostid"]
    else:
        hostid = api.call("host.create", {"host": a.host,
                                          "groups": [{"groupid": group_id(api, a.group)}]})["hostids"][0]
    have = {i["key_"] for i in api.items(hostid)}
    for key, name, vt in INTERNAL_ITEMS:
        if key not in have:
            api.call("item.create", {"hostid": hostid, "name": name, "key_": key, "type": 5,
                                     "value_type": vt, "delay": a.delay})
    print(hostid)
    return 0


def cmd_template_macros(api, a):
    tids = [t["templateid"] for t in templates_of(api, a.templates_of)]
    if not tids:
        raise ApiError("no template of %s is in Zabbix (imported?)" % a.templates_of)
    for t in api.call("template.get", {"templateids": tids, "output": ["host"],
                                       "selectMacros": ["macro", "value"]}):
        for m in t["macros"]:
            print("%s %s" % (m["macro"], m["value"]))
    return 0


def cmd_internal_figures(api, a):
    items = {i["key_"]: i for i in api.items(api.hostid(a.host))}
    out = []
    for key, name, _ in INTERNAL_ITEMS:
        i = items.get(key)
        if i is None:
            v = "(no item)"
        elif i["lastclock"] in ("0", None):
            v = "(no value yet%s)" % (": " + i["error"] if i.get("error") else "")
        else:
            v = i["lastvalue"]
        out.append("%s %s" % (key, v))
    print("; ".join(out))
    return 0


def cmd_check_now(api, a):
    hostid = api.hostid(a.host)
    targets = []
    if a.what in ("items", "all"):
        targets += api.items(hostid, key_re=a.key_re)
    if a.what in ("lld", "all"):
        r = api.call("discoveryrule.get", {"output": ["itemid", "key_", "type", "status"], "hostids": [hostid]})
        if a.key_re:
            r = [i for i in r if re.search(a.key_re, i["key_"])]
        targets += r
    print(kick(api, targets))
    return 0


def kick(api, items):
    """"Execute now" for these items or LLD rules (those of a type that allows it)."""
    tasks = [{"type": 6, "request": {"itemid": i["itemid"]}} for i in items
             if int(i["type"]) in ITEM_TYPES_CHECK_NOW and i["status"] == "0"]
    for k in range(0, len(tasks), 500):
        api.call("task.create", tasks[k:k + 500])
    return len(tasks)


class Kicker:
    """--kick SECONDS: while a wait goes on, "Execute now" again every SECONDS
    for what it waits on (an item with a long interval whose first check-now
    came before the configuration cache had it)."""
    def __init__(self, api, every):
        self.api, self.every, self.last = api, every, time.monotonic()

    def __call__(self, items):
        if self.every and time.monotonic() - self.last >= self.every:
            self.last = time.monotonic()
            kick(self.api, items)


def poll(timeout, probe):
    """Calls probe() (-> (done, what it saw)) every second until done or timeout."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            done, seen = probe()
        except ApiError as e:
            done, seen = False, "API error: %s" % e
        if done:
            return True, seen
        if time.monotonic() >= deadline:
            return False, seen
        time.sleep(1)


def in_range(n, a):
    return n >= a.min and (a.max is None or n <= a.max)


def cmd_wait_count(api, a):
    hostid = api.hostid(a.host)
    extra = {"filter": {"flags": FLAG_DISCOVERED}} if a.discovered else None

    def probe():
        n = len(api.items(hostid, key_re=a.key_re, extra=extra))
        return in_range(n, a), n
    ok, n = poll(a.timeout, probe)
    print(n)
    if not ok:
        print("wanted %s..%s items matching /%s/, last saw %s" % (a.min, a.max if a.max is not None else "",
                                                                 a.key_re, n), file=sys.stderr)
    return 0 if ok else 1


def cmd_wait_discovered(api, a):
    hostid = api.hostid(a.host)
    kicker = Kicker(api, a.kick)

    def probe():
        items = api.items(hostid, extra={"filter": {"flags": FLAG_DISCOVERED},
                                         "selectDiscoveryRule": ["key_"]})
        n = sum(1 for i in items if (i.get("discoveryRule") or {}).get("key_") == a.rule)
        if not in_range(n, a):
            kicker(api.call("discoveryrule.get", {"output": ["itemid", "type", "status"], "hostids": [hostid],
                                                  "filter": {"key_": [a.rule]}}))
        return in_range(n, a), n
    ok, n = poll(a.timeout, probe)
    print(n)
    if not ok:
        rules = api.call("discoveryrule.get", {"output": ["key_", "state", "error", "status"],
                                               "hostids": [hostid], "filter": {"key_": [a.rule]}})
        print("the LLD rule %s made %s items, wanted %s..%s; the rule: %s" % (
            a.rule, n, a.min, a.max if a.max is not None else "", json.dumps(rules)), file=sys.stderr)
    return 0 if ok else 1


def cmd_wait_value(api, a):
    hostid = api.hostid(a.host)
    rx = re.compile(a.like, re.S) if a.like is not None else None
    kicker = Kicker(api, a.kick)

    def has(i):
        return i["lastclock"] not in ("0", None, "")

    def good(i):
        if a.no_value:
            return not has(i)
        if not has(i):
            return False
        if a.has_value:
            return True
        return rx.search(i["lastvalue"]) is not None if rx else i["lastvalue"] == a.value

    def probe():
        if a.rule:
            items = [i for i in api.items(hostid, extra={"filter": {"flags": FLAG_DISCOVERED},
                                                         "selectDiscoveryRule": ["key_"]})
                     if (i.get("discoveryRule") or {}).get("key_") == a.rule]
        else:
            items = api.items(hostid, key=a.key, key_re=a.key_re)
        bad = [i for i in items if not good(i)]
        if bad and not a.no_value:
            kicker(bad)
        return bool(items) and not bad, items
    ok, items = poll(a.timeout, probe)
    if not isinstance(items, list):     # the last probe failed: its error
        print("wanted items of %s: %s" % (a.host, items), file=sys.stderr)
        return 1
    shown = items if ok else [i for i in items if not good(i)]
    for i in shown[:40]:
        print("%s = %r%s" % (i["key_"], i["lastvalue"] if has(i) else None,
                             " (error: %s)" % i["error"] if i.get("error") else ""))
    sys.stdout.flush()
    if not ok:
        want = "no value" if a.no_value else "a value" if a.has_value else \
            ("/%s/" % a.like if rx else repr(a.value))
        what = a.key or ("/%s/" % a.key_re if a.key_re else "the items of the LLD rule %s" % a.rule)
        print("wanted %s for %s: %s" % (want, what, "no such item" if not items else
                                        "%d of %d items not so (above, at most 40)" % (len(shown), len(items))),
              file=sys.stderr)
    return 0 if ok else 1


def problems(api, hostid, tags, name_re):
    params = {"output": ["eventid", "name", "severity", "clock", "r_eventid", "objectid", "opdata"],
              "hostids": [hostid], "selectTags": "extend", "recent": False, "sortfield": ["eventid"]}
    if tags:
        ts = []
        for t in tags:
            if "=" in t:
                k, v = t.split("=", 1)
                ts.append({"tag": k, "value": v, "operator": 1})
            else:
                ts.append({"tag": t, "operator": 4})
        params["tags"] = ts
        params["evaltype"] = 0
    r = api.call("problem.get", params)
    if name_re:
        rx = re.compile(name_re)
        r = [p for p in r if rx.search(p["name"])]
    return r


def cmd_wait_problems(api, a):
    hostid = api.hostid(a.host)
    names = list(a.name or [])
    if a.names_file:
        names += [l.rstrip("\n") for l in open(a.names_file, encoding="utf-8") if l.strip()]
    want = sorted(names) if (a.name is not None or a.names_file) else None

    def probe():
        ps = problems(api, hostid, a.tag, a.name_re)
        if want is not None:
            return sorted(p["name"] for p in ps) == want, ps
        return len(ps) == a.count, ps
    ok, ps = poll(a.timeout, probe)
    for p in ps if isinstance(ps, list) else []:
        print(json.dumps({"name": p["name"], "severity": p["severity"],
                          "tags": {t["tag"]: t["value"] for t in p.get("tags", [])}}))
    if not ok:
        what = ("exactly %s" % json.dumps(want)) if want is not None else "%d problems" % a.count
        print("wanted %s; last saw %s" % (what, ps if isinstance(ps, str) else
                                          json.dumps(sorted(p["name"] for p in ps))), file=sys.stderr)
    return 0 if ok else 1


def cmd_dump(api, a):
    hostid = api.hostid(a.host)
    w = a.what
    if w == "host":
        r = api.call("host.get", {"hostids": [hostid], "output": "extend", "selectInterfaces": "extend",
                                  "selectParentTemplates": ["host"], "selectMacros": "extend"})
    elif w == "items":
        r = api.items(hostid, key_re=a.key_re)
    elif w == "lld":
        r = api.call("discoveryrule.get", {"hostids": [hostid], "output": ["itemid", "key_", "name", "state",
                                                                           "error", "status", "delay"]})
    elif w == "prototypes":
        r = api.call("itemprototype.get", {"hostids": [hostid], "output": ["key_", "name"],
                                           "selectDiscoveryRule": ["key_"]})
    elif w == "triggers":
        r = api.call("trigger.get", {"hostids": [hostid], "output": ["description", "value", "state", "error",
                                                                    "status", "priority", "flags"],
                                     "expandDescription": True, "selectTags": "extend"})
    elif w == "problems":
        r = problems(api, hostid, None, None)
    elif w == "events":
        r = api.call("event.get", {"hostids": [hostid], "output": ["eventid", "name", "value", "clock",
                                                                  "r_eventid"],
                                   "selectTags": "extend", "sortfield": ["eventid"]})
    elif w == "macros":
        r = api.call("usermacro.get", {"hostids": [hostid], "output": ["macro", "value"]})
    elif w == "templates":
        r = api.call("host.get", {"hostids": [hostid], "output": ["host"],
                                  "selectParentTemplates": ["templateid", "host", "name"]})
    if a.key_re and w in ("lld", "prototypes"):
        r = [i for i in r if re.search(a.key_re, i["key_"])]
    print(json.dumps(r, indent=1, sort_keys=True))
    return 0


def cmd_call(api, a):
    print(json.dumps(api.call(a.method, json.loads(a.params) if a.params else {}), indent=1))
    return 0


def main(argv):
    ap = argparse.ArgumentParser(description="Zabbix API client for smsdistd's tests")
    ap.add_argument("--url", default=os.environ.get("ZBX_URL"))
    ap.add_argument("--token-file", default=os.environ.get("ZBX_TOKEN_FILE"))
    ap.add_argument("--user", default="Admin")
    ap.add_argument("--password", default="zabbix")
    sub = ap.add_subparsers(dest="command", required=True)

    sub.add_parser("version")
    sub.add_parser("login")
    p = sub.add_parser("import")
    p.add_argument("file")
    p = sub.add_parser("host-create")
    p.add_argument("--host", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--ip", default="127.0.0.1")
    p.add_argument("--community", default="public")
    p.add_argument("--no-bulk", action="store_true")
    p.add_argument("--max-repetitions", type=int, default=0)
    p.add_argument("--group", default="smsdistd tests")
    p.add_argument("--template", action="append", default=[])
    p.add_argument("--templates-of")
    p.add_argument("--macro", action="append", default=[])
    p = sub.add_parser("macros")
    p.add_argument("--host", required=True)
    p.add_argument("macro", nargs="+")
    p = sub.add_parser("template-macros")
    p.add_argument("--templates-of", required=True)
    p = sub.add_parser("internal-host")
    p.add_argument("--host", required=True)
    p.add_argument("--group", default="smsdistd tests")
    p.add_argument("--delay", default="10s")
    p.add_argument("--disable-default", action="store_true")
    p = sub.add_parser("internal-figures")
    p.add_argument("--host", required=True)
    p = sub.add_parser("check-now")
    p.add_argument("--host", required=True)
    p.add_argument("--what", choices=["items", "lld", "all"], default="all")
    p.add_argument("--key-re")
    for name in ("wait-count", "wait-discovered"):
        p = sub.add_parser(name)
        p.add_argument("--host", required=True)
        p.add_argument("--min", type=int, required=True)
        p.add_argument("--max", type=int)
        p.add_argument("--timeout", type=float, default=120)
        if name == "wait-count":
            p.add_argument("--key-re", required=True)
            p.add_argument("--discovered", action="store_true")
        else:
            p.add_argument("--rule", required=True)
            p.add_argument("--kick", type=float, default=0)
    p = sub.add_parser("wait-value")
    p.add_argument("--host", required=True)
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--key")
    g.add_argument("--key-re")
    g.add_argument("--rule")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--value")
    g.add_argument("--like")
    g.add_argument("--no-value", action="store_true")
    g.add_argument("--has-value", action="store_true")
    p.add_argument("--timeout", type=float, default=120)
    p.add_argument("--kick", type=float, default=0)
    p = sub.add_parser("wait-problems")
    p.add_argument("--host", required=True)
    p.add_argument("--tag", action="append", default=[])
    p.add_argument("--name-re")
    p.add_argument("--count", type=int, default=0)
    p.add_argument("--name", action="append")
    p.add_argument("--names-file")
    p.add_argument("--timeout", type=float, default=120)
    p = sub.add_parser("dump")
    p.add_argument("what", choices=["host", "items", "lld", "prototypes", "triggers", "problems", "events",
                                    "macros", "templates"])
    p.add_argument("--host", required=True)
    p.add_argument("--key-re")
    p = sub.add_parser("call")
    p.add_argument("method")
    p.add_argument("params", nargs="?")
    a = ap.parse_args(argv)

    if not a.url:
        ap.error("--url (or ZBX_URL) is required")
    api = Api(a.url)
    try:
        if a.command == "version":
            print(api.version())
            return 0
        if a.command == "login":
            token = api.login(a.user, a.password)
            if a.token_file:
                fd = os.open(a.token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "w") as f:
                    f.write(token + "\n")
            print(api.version())
            return 0
        if a.token_file and os.path.exists(a.token_file):
            api.token = open(a.token_file).read().strip()
        else:
            api.login(a.user, a.password)
        handler = globals()["cmd_" + a.command.replace("-", "_")]
        return handler(api, a)
    except ApiError as e:
        print("zbx.py %s: %s" % (a.command, e), file=sys.stderr)
        return 2
    except OSError as e:
        print("zbx.py %s: %s" % (a.command, e), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
