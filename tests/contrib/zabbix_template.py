#!/usr/bin/env python3
"""zabbix_template.py: checks of contrib/zabbix/smsdistd_template.yaml.

Each subcommand is one check: it prints what is wrong (one line per
problem) and exits 1, or prints nothing and exits 0. tests/contrib/zabbix.sh
runs them as TAP tests. The MIB is read through net-snmp's snmptranslate
(-M MIBDIRS -m SMS-DISTRIBUTION-STATUS-MIB), never from this script's own
idea of it; the JavaScript steps run in Duktape, the engine Zabbix embeds
(libduktape through ctypes), or in node when Duktape is not there.

Usage: zabbix_template.py CHECK --template FILE --mibdirs DIRS [options]

Static checks (the template against the MIB and the Zabbix 6.0 format):
  parse       YAML parses; version '6.0', top-level groups:, one template
  schema      only keys and enum names the 6.0 import format knows; every
              scalar a string (the importer wants strings, never YAML ints)
  uuids       every object that needs one has a UUID: v4, 32 hex digits, unique
  keys        item keys unique, well formed; prototype keys carry a macro
  oids        every OID (items, prototypes, discovery[]) names an object of
              the MIB, and round-trips through snmptranslate
  access      scalars end in .0, prototypes in .{#SNMPINDEX} on a column of
              the table their discovery rule walks (RULES); every readable
              object of the MIB is polled (the content-on-DP columns through
              the filtered discovery: see discovery)
  syntax      value_type fits the SYNTAX; INTEGER enums carry the value map
              of their TEXTUAL-CONVENTION with exactly its enumeration;
              DateAndTime has a JavaScript step; UNITS "seconds" -> s
  valuemaps   referenced maps exist, defined maps are used, values unique
  discovery   the four rules of RULES: discovery[] macros/OIDs; every LLD
              macro used is defined; the DP and content rules' interval and
              lost-resource period are user macros; smsDistContentDPTable's
              rows become items only through a JSONPath step (before any
              JavaScript) and an LLD filter on {#STATE} with one user macro,
              whose default lets exactly States 3 and 6 through
  triggers    expressions reference this template's items (prototypes:
              and its prototypes), known functions, defined user macros;
              dependencies name existing triggers
  traps       one snmptrap item per NOTIFICATION-TYPE, plus the fallback
  js-date     the DateAndTime step on hand-made values
  js-lld      each rule's discovery step on hand-made discovery[] output

Checks against what snmptrapd printed (tests/contrib/zabbix.sh captures it):
  send-traps  (helper, not a check) sends every notification of the MIB to
              snmptrapd on --port and files what it wrote under --dir
  make-combined (helper) writes --out, a combined export of --input's rows
              and hand-made distribution points and content rows
  trap-match  each snmptrap regex matches its own notification, and only it,
              in every form captured under --dir

Checks against a live smsdistd (--port; --input: the SMS_DistributionStatus
rows it serves, read by check_walk.py; --tables-input: the combined export it
serves, whose per-DP tables check_tables.py reads):
  live-scalars     every item OID answers, with a type fitting value_type
  live-prototypes  every prototype OID answers for the first and last rows
                   of its table (and the longest index)
  live-lld         discovery[] as Zabbix builds it, through the discovery
                   step, gives every row's ObjectID and MessageCategory;
                   through the JSONPath step (emulated), the discovery steps
                   and the LLD filters (the macros' defaults): every DP, with
                   its {#DPSERVER} and {#DPNAME}, exactly the failed content
                   rows, and the sources of the two DP tables
  live-dates       every row's LastUpdateDate, as Zabbix receives it,
                   through the date step, is the oracle's date
"""

import argparse
import ctypes
import ctypes.util
import datetime as dt
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import time

MODULE = "SMS-DISTRIBUTION-STATUS-MIB"
TEMPLATE_NAME = "SCCM distribution status by SNMP (smsdistd)"
ENTRY = "smsDistStatusEntry"
LLD_MACROS_FROM_JS = {"{#OBJECTID}", "{#MSGCAT}", "{#CONTENT}"}
DISCOVERY_MACROS = {"{#TYPE}": "smsDistStatusType", "{#PKGID}": "smsDistStatusPackageID",
                    "{#OBJTYPE}": "smsDistStatusObjectTypeID"}
# The discovery rules, by key: the table (entry) each one walks, the
# discovery[] macros it reads (macro -> column), the macros its JavaScript
# step adds, and whether its interval and lost-resource period must be user
# macros. smsDistContentDPTable (a million rows on a large hierarchy) is
# polled only through "filtered": its rows become items only when their
# State matches a user macro (a JSONPath step before the JavaScript one, and
# the LLD filter), never one set of items per row.
STATUS_RULE = "smsdist.status.discovery"
RULES = {
    STATUS_RULE: {"entry": ENTRY, "discovery": DISCOVERY_MACROS, "js": LLD_MACROS_FROM_JS},
    "smsdist.load.discovery": {"entry": "smsDistLoadEntry", "discovery": {"{#URI}": "smsDistLoadURI"},
                               "js": {"{#TABLEID}", "{#TABLE}"}},
    "smsdist.dp.discovery": {"entry": "smsDistDPEntry", "discovery": {"{#DPNAME}": "smsDistDPName"},
                             "js": {"{#DPSERVER}", "{#DPNAME}"}, "macro_timing": True},
    "smsdist.contentdp.failed.discovery": {
        "entry": "smsDistContentDPEntry", "discovery": {"{#STATE}": "smsDistContentDPState"},
        "js": {"{#PACKAGEID}", "{#DPSERVER}"}, "macro_timing": True,
        "filtered": ("{#STATE}", "smsDistContentDPState")},
}
ENTRIES = {r["entry"] for r in RULES.values()}
RULE_OF_ENTRY = {r["entry"]: k for k, r in RULES.items()}
# smsdistd's default contentErrorStates: what the failed-content filter's
# default must let through, of the SmsDistContentState values
FAILED_STATES = {"3", "6"}
CONTENT_STATES = {str(n) for n in range(0, 10)}
# INTEGER textual conventions the MIB imports: their value maps are named
# after their own module
IMPORTED_TCS = {"TruthValue": "SNMPv2-TC"}

# --- the Zabbix 6.0 import format (ui/include/classes/import/validators/
# C60XmlValidator.php): keys each object may have, and enum names ---------
ITEM_TYPES = {"ZABBIX_PASSIVE", "TRAP", "SIMPLE", "INTERNAL", "ZABBIX_ACTIVE", "EXTERNAL", "ODBC",
              "IPMI", "SSH", "TELNET", "CALCULATED", "JMX", "SNMP_TRAP", "DEPENDENT", "HTTP_AGENT",
              "SNMP_AGENT", "SCRIPT"}
DRULE_TYPES = ITEM_TYPES - {"CALCULATED", "SNMP_TRAP"}
VALUE_TYPES = {"FLOAT", "CHAR", "LOG", "UNSIGNED", "TEXT"}
PRIORITIES = {"NOT_CLASSIFIED", "INFO", "WARNING", "AVERAGE", "HIGH", "DISASTER"}
PREPROC = {"MULTIPLIER", "RTRIM", "LTRIM", "TRIM", "REGEX", "BOOL_TO_DECIMAL", "OCTAL_TO_DECIMAL",
           "HEX_TO_DECIMAL", "SIMPLE_CHANGE", "CHANGE_PER_SECOND", "XMLPATH", "JSONPATH", "IN_RANGE",
           "MATCHES_REGEX", "NOT_MATCHES_REGEX", "CHECK_JSON_ERROR", "CHECK_XML_ERROR",
           "CHECK_REGEX_ERROR", "CHECK_NOT_SUPPORTED", "DISCARD_UNCHANGED",
           "DISCARD_UNCHANGED_HEARTBEAT", "JAVASCRIPT", "PROMETHEUS_PATTERN", "PROMETHEUS_TO_JSON",
           "CSV_TO_JSON", "STR_REPLACE", "XML_TO_JSON"}
DRULE_PREPROC = {"REGEX", "XMLPATH", "JSONPATH", "NOT_MATCHES_REGEX", "CHECK_JSON_ERROR",
                 "CHECK_XML_ERROR", "DISCARD_UNCHANGED_HEARTBEAT", "JAVASCRIPT",
                 "PROMETHEUS_TO_JSON", "CSV_TO_JSON", "STR_REPLACE", "XML_TO_JSON"}
ENUMS = {
    "status": {"ENABLED", "DISABLED"},
    "manual_close": {"YES", "NO"},
    "discover": {"DISCOVER", "NO_DISCOVER"},
    "recovery_mode": {"EXPRESSION", "RECOVERY_EXPRESSION", "NONE"},
    "correlation_mode": {"DISABLED", "TAG_VALUE"},
    "priority": PRIORITIES,
    "value_type": VALUE_TYPES,
    "evaltype": {"AND_OR", "AND", "OR", "FORMULA"},
    "operator": {"MATCHES_REGEX", "NOT_MATCHES_REGEX", "EXISTS", "NOT_EXISTS"},
    "error_handler": {"ORIGINAL_ERROR", "DISCARD_VALUE", "CUSTOM_VALUE", "CUSTOM_ERROR"},
}
ITEM_COMMON = {"uuid", "name", "type", "snmp_oid", "key", "delay", "history", "trends", "status",
               "value_type", "allowed_hosts", "units", "params", "ipmi_sensor", "authtype",
               "username", "password", "publickey", "privatekey", "description", "inventory_link",
               "valuemap", "logtimefmt", "preprocessing", "jmx_endpoint", "master_item", "timeout",
               "url", "query_fields", "parameters", "posts", "status_codes", "follow_redirects",
               "post_type", "http_proxy", "headers", "retrieve_mode", "request_method",
               "output_format", "allow_traps", "ssl_cert_file", "ssl_key_file", "ssl_key_password",
               "verify_peer", "verify_host", "tags"}
TRIGGER_KEYS = {"uuid", "expression", "recovery_mode", "recovery_expression", "correlation_mode",
                "correlation_tag", "name", "event_name", "opdata", "url", "status", "priority",
                "description", "type", "manual_close", "dependencies", "tags"}
SCHEMA = {
    "export": ({"version", "date", "groups", "templates", "hosts", "triggers", "graphs", "maps",
                "media_types"}, {"version"}),
    "group": ({"uuid", "name"}, {"uuid", "name"}),
    "template": ({"uuid", "template", "name", "description", "templates", "groups", "items",
                  "discovery_rules", "httptests", "macros", "dashboards", "valuemaps", "tags"},
                 {"uuid", "template", "groups"}),
    "template_group": ({"name"}, {"name"}),
    "item": (ITEM_COMMON | {"triggers"}, {"uuid", "name", "key"}),
    "trigger": (TRIGGER_KEYS, {"uuid", "expression", "name"}),
    "drule": ({"uuid", "name", "type", "snmp_oid", "key", "delay", "status", "allowed_hosts",
               "params", "ipmi_sensor", "authtype", "username", "password", "publickey",
               "privatekey", "filter", "lifetime", "description", "item_prototypes",
               "trigger_prototypes", "graph_prototypes", "host_prototypes", "jmx_endpoint",
               "master_item", "timeout", "url", "query_fields", "parameters", "posts",
               "status_codes", "follow_redirects", "post_type", "http_proxy", "headers",
               "retrieve_mode", "request_method", "allow_traps", "ssl_cert_file", "ssl_key_file",
               "ssl_key_password", "verify_peer", "verify_host", "lld_macro_paths",
               "preprocessing", "overrides"}, {"uuid", "name", "key"}),
    "prototype": (ITEM_COMMON | {"discover", "trigger_prototypes"}, {"uuid", "name", "key"}),
    "trigger_prototype": (TRIGGER_KEYS | {"discover"}, {"uuid", "expression", "name"}),
    "step": ({"type", "parameters", "error_handler", "error_handler_params"}, {"type", "parameters"}),
    "tag": ({"tag", "value"}, {"tag"}),
    "dependency": ({"name", "expression", "recovery_expression"}, {"name", "expression"}),
    "macro": ({"macro", "type", "value", "description"}, {"macro"}),
    "valuemap": ({"uuid", "name", "mappings"}, {"uuid", "name", "mappings"}),
    "mapping": ({"type", "value", "newvalue"}, {"newvalue"}),
    "filter": ({"evaltype", "formula", "conditions"}, set()),
    "condition": ({"macro", "value", "operator", "formulaid"}, {"macro", "formulaid"}),
    "valuemap_ref": ({"name"}, {"name"}),
}
TRIGGER_FUNCTIONS = {"last", "prev", "min", "max", "avg", "sum", "count", "change", "nodata", "find",
                     "length", "abs", "diff" , "percentile", "timeleft", "forecast", "trendavg",
                     "trendmax", "trendmin", "trendcount", "trendsum", "logeventid", "logseverity",
                     "logsource", "fuzzytime", "first", "kurtosis", "mad", "skewness", "stddevpop",
                     "stddevsamp", "sumofsquares", "varpop", "varsamp", "changecount", "monodec",
                     "monoinc", "rate", "bitand", "date", "time", "now", "dayofweek", "dayofmonth"}

# 32 lower-case hex digits of a version-4 UUID: the 6.0 API refuses other forms
UUID_RE = re.compile(r"[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}")
TECH_NAME_RE = re.compile(r"[0-9A-Za-z_. -]+")


class Problems:
    def __init__(self):
        self.lines = []

    def __call__(self, fmt, *args):
        self.lines.append(fmt % args if args else fmt)

    def finish(self):
        for line in self.lines[:200]:
            print(line)
        if len(self.lines) > 200:
            print("... and %d more" % (len(self.lines) - 200))
        return 1 if self.lines else 0


# ---------------------------------------------------------------------------
# The template

def load(path):
    import yaml   # python3-yaml; zabbix.sh checks it is there before calling
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def the_template(doc):
    return doc["zabbix_export"]["templates"][0]


def items(t):
    return list(t.get("items") or [])


def drules(t):
    return list(t.get("discovery_rules") or [])


def prototypes(t):
    return [p for d in drules(t) for p in (d.get("item_prototypes") or [])]


def triggers(t):
    """(trigger, is_prototype, where)"""
    out = []
    for i in items(t):
        for tr in i.get("triggers") or []:
            out.append((tr, False, "item %s" % i.get("key")))
    for d in drules(t):
        for p in d.get("item_prototypes") or []:
            for tr in p.get("trigger_prototypes") or []:
                out.append((tr, True, "prototype %s" % p.get("key")))
        for tr in d.get("trigger_prototypes") or []:
            out.append((tr, True, "discovery rule %s" % d.get("key")))
    return out


def js_steps(obj):
    return [s["parameters"][0] for s in obj.get("preprocessing") or []
            if s.get("type") == "JAVASCRIPT" and s.get("parameters")]


def snmp_items(t):
    return [i for i in items(t) if i.get("type") == "SNMP_AGENT"]


def trap_items(t):
    return [i for i in items(t) if i.get("type") == "SNMP_TRAP"]


def norm_oid(s):
    return "." + s.lstrip(".")


def parse_discovery(snmp_oid):
    """[(macro, oid)] from discovery[{#A},oid,{#B},oid,...], or None."""
    m = re.fullmatch(r"discovery\[(.*)\]", snmp_oid or "")
    if not m:
        return None
    parts = [p.strip() for p in m.group(1).split(",")]
    if len(parts) % 2 or not parts:
        return None
    return [(parts[k], parts[k + 1]) for k in range(0, len(parts), 2)]


def key_params(key):
    """('name', [params]) of an item key, or None when it does not parse."""
    m = re.fullmatch(r"([0-9A-Za-z_.-]+)(?:\[(.*)\])?", key, re.S)
    if not m:
        return None
    if m.group(2) is None:
        return m.group(1), []
    params, s, k = [], m.group(2), 0
    while True:
        if k < len(s) and s[k] == '"':
            k += 1
            buf = ""
            while k < len(s) and s[k] != '"':
                if s[k] == "\\" and k + 1 < len(s) and s[k + 1] == '"':
                    k += 1
                buf += s[k]
                k += 1
            if k >= len(s):
                return None
            k += 1
        else:
            j = k
            while j < len(s) and s[j] != ",":
                if s[j] in "[]":
                    return None
                j += 1
            buf = s[k:j]
            k = j
        params.append(buf)
        if k >= len(s):
            return m.group(1), params
        if s[k] != ",":
            return None
        k += 1


def trap_regex(item):
    kp = key_params(item["key"])
    if not kp or kp[0] != "snmptrap" or len(kp[1]) != 1:
        return None
    return kp[1][0]


# ---------------------------------------------------------------------------
# The MIB, through snmptranslate

class Mib:
    def __init__(self, mibdirs):
        self.mibdirs = mibdirs
        self.cache = {}

    def run(self, *args):
        env = dict(os.environ, MIBS="", MIBDIRS=self.mibdirs)
        p = subprocess.run(["snmptranslate", "-M", self.mibdirs, "-m", MODULE] + list(args),
                           capture_output=True, text=True, env=env)
        return p.returncode, p.stdout, p.stderr

    def name_of(self, numeric):
        """'name' and the sub-identifiers left over ('' or '.0' ...) of a numeric OID."""
        rc, out, err = self.run("-OS", norm_oid(numeric))
        out = out.strip()
        if rc != 0 or not out.startswith(MODULE + "::"):
            return None, None
        rest = out[len(MODULE) + 2:]
        m = re.fullmatch(r"([A-Za-z][A-Za-z0-9-]*)((?:\.\d+)*)", rest)
        if not m:
            return None, None
        return m.group(1), m.group(2)

    def numeric(self, name):
        rc, out, err = self.run("-On", "%s::%s" % (MODULE, name))
        return out.strip() if rc == 0 else None

    def describe(self, name):
        """{'syntax', 'tc', 'access', 'units', 'parent', 'objects', 'kind'} from -Td."""
        if name in self.cache:
            return self.cache[name]
        rc, out, err = self.run("-Td", "%s::%s" % (MODULE, name))
        d = {"syntax": None, "tc": None, "access": None, "units": None, "parent": None,
             "objects": [], "kind": None}
        for line in out.splitlines():
            s = line.strip()
            m = re.match(r"--\s*TEXTUAL CONVENTION\s+(\S+)", s)
            if m:
                d["tc"] = m.group(1)
            elif s.startswith("SYNTAX"):
                d["syntax"] = s[len("SYNTAX"):].strip()
            elif s.startswith("MAX-ACCESS"):
                d["access"] = s[len("MAX-ACCESS"):].strip()
            elif s.startswith("UNITS"):
                d["units"] = s[len("UNITS"):].strip().strip('"')
            elif s.startswith("OBJECTS"):
                d["objects"] = [o.strip() for o in s[len("OBJECTS"):].strip().strip("{}").split(",")]
            m = re.match(r"^(\S+)\s+(OBJECT-TYPE|NOTIFICATION-TYPE|OBJECT IDENTIFIER|MODULE-IDENTITY)", line)
            if m and m.group(1) == name:
                d["kind"] = m.group(2)
            m = re.search(r"::= \{ .* (\w+)\(\d+\) \d+ \}\s*$", s)
            if m:
                d["parent"] = m.group(1)
        self.cache[name] = d if rc == 0 else None
        return self.cache[name]

    def tree(self):
        """Every name under smsDistMIB, from -Tz."""
        rc, out, err = self.run("-Tz")
        names = []
        for line in out.splitlines():
            m = re.match(r'"(\w+)"\s+"([\d.]+)"', line)
            if m:
                names.append((m.group(1), m.group(2)))
        mib = dict(names).get("smsDistMIB")
        return [(n, o) for n, o in names if mib and o.startswith(mib + ".")]

    def enumeration(self, syntax):
        m = re.fullmatch(r"INTEGER\s*\{(.*)\}", syntax or "")
        if not m:
            return None
        out = {}
        for part in m.group(1).split(","):
            mm = re.fullmatch(r"\s*([A-Za-z][A-Za-z0-9-]*)\((-?\d+)\)\s*", part)
            if not mm:
                return None
            out[mm.group(2)] = mm.group(1)
        return out

    def readable(self):
        """[(name, numeric, is_column)] of every read-only object."""
        out = []
        for name, num in self.tree():
            d = self.describe(name)
            if d and d["access"] in ("read-only", "read-write", "read-create"):
                out.append((name, num, d["parent"] in ENTRIES))
        return out

    def notifications(self):
        return [(n, "." + o) for n, o in self.tree()
                if (self.describe(n) or {}).get("kind") == "NOTIFICATION-TYPE"]


def base_syntax(d):
    """'int-enum', 'unsigned', 'date', 'string' or None."""
    syn, tc = d["syntax"] or "", d["tc"]
    if tc == "DateAndTime":
        return "date"
    if syn.startswith("INTEGER") and "{" in syn:
        return "int-enum"
    if syn.split(" ")[0] in ("Gauge32", "Counter32", "Unsigned32", "Counter64", "TimeTicks"):
        return "unsigned"
    if syn.startswith("INTEGER") or syn.startswith("Integer32"):
        return "integer"
    if syn.startswith("OCTET STRING"):
        return "string"
    return None


# ---------------------------------------------------------------------------
# JavaScript: Duktape (what Zabbix runs) or node

class Duktape:
    # duktape.h (2.x): DUK_COMPILE_EVAL | DUK_COMPILE_SAFE | DUK_COMPILE_NOSOURCE |
    # DUK_COMPILE_NOFILENAME, i.e. duk_peval_lstring()
    FLAGS = (1 << 3) | (1 << 7) | (1 << 9) | (1 << 11)

    def __init__(self, lib):
        self.lib = lib
        lib.duk_create_heap.restype = ctypes.c_void_p
        lib.duk_create_heap.argtypes = [ctypes.c_void_p] * 5
        lib.duk_eval_raw.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint]
        lib.duk_eval_raw.restype = ctypes.c_int
        lib.duk_safe_to_lstring.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
        lib.duk_safe_to_lstring.restype = ctypes.c_char_p
        lib.duk_destroy_heap.argtypes = [ctypes.c_void_p]
        self.name = "Duktape"

    def run(self, script, value):
        """(True, result) or (False, error text). Zabbix compiles the step as
        the body of function (value) {...} and calls it with the value."""
        ctx = self.lib.duk_create_heap(None, None, None, None, None)
        src = ("(function (value) {\n" + script + "\n})(" + json.dumps(value) + ")").encode()
        rc = self.lib.duk_eval_raw(ctx, src, len(src), self.FLAGS)
        out = self.lib.duk_safe_to_lstring(ctx, -1, None)
        self.lib.duk_destroy_heap(ctx)
        return rc == 0, (out or b"").decode("utf-8", "replace")


class Node:
    def __init__(self, node):
        self.node = node
        self.name = "node (Duktape not found)"

    def run(self, script, value):
        prog = ("const vm = require('vm'); let out;"
                "try { out = [true, String(vm.runInNewContext('(function (value) {\\n' + "
                "process.argv[1] + '\\n})(' + JSON.stringify(process.argv[2]) + ')'))]; }"
                "catch (e) { out = [false, String(e)]; }"
                "process.stdout.write(JSON.stringify(out));")
        p = subprocess.run([self.node, "-e", prog, script, value], capture_output=True, text=True)
        ok, out = json.loads(p.stdout)
        return ok, out


def js_engine():
    for name in ("libduktape.so.207", ctypes.util.find_library("duktape")):
        if not name:
            continue
        try:
            return Duktape(ctypes.CDLL(name))
        except OSError:
            pass
    node = shutil.which("node") or shutil.which("nodejs")
    return Node(node) if node else None


ES6_RE = re.compile(r"\b(let|const|class)\s|=>|`|\.(padStart|padEnd|includes|startsWith|endsWith)\(")


def es5_problems(script, where, problems):
    """Duktape is ES5.1: constructs it rejects or lacks, checked even when it runs elsewhere."""
    for m in ES6_RE.finditer(script):
        problems("%s: '%s' is not ES5.1 (Zabbix runs its JavaScript in Duktape)", where, m.group(0).strip())


def octets_to_zabbix_hex(octets):
    """What Zabbix receives for an unprintable OCTET STRING without the MIB:
    net-snmp's 'Hex-STRING: ' text after the prefix."""
    return " ".join("%02X" % b for b in octets) + " "


def iso_of_octets(octets):
    """The oracle: DateAndTime octets -> ISO 8601 UTC, or 'unknown'."""
    if octets == bytes(8):
        return "unknown"
    y = octets[0] << 8 | octets[1]
    t = dt.datetime(y, octets[2], octets[3], octets[4], octets[5], octets[6])
    if len(octets) == 11:
        off = dt.timedelta(minutes=octets[9] * 60 + octets[10])
        t = t - off if octets[8] == ord("+") else t + off
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------
# Static checks

def check_parse(doc, mib, a, problems):
    if not isinstance(doc, dict) or "zabbix_export" not in doc:
        problems("no zabbix_export at the top")
        return
    ex = doc["zabbix_export"]
    if ex.get("version") != "6.0":
        problems("zabbix_export.version is %r, not '6.0'", ex.get("version"))
    if "template_groups" in ex or "host_groups" in ex:
        problems("template_groups/host_groups are the 6.2+ format; 6.0 has groups:")
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", str(ex.get("date", ""))):
        problems("date %r is not YYYY-MM-DDTHH:MM:SSZ", ex.get("date"))
    groups = {g.get("name") for g in ex.get("groups") or []}
    if not groups:
        problems("no top-level groups:")
    ts = ex.get("templates") or []
    if len(ts) != 1:
        problems("%d templates, want 1", len(ts))
        return
    t = ts[0]
    if t.get("name") != TEMPLATE_NAME:
        problems("template name %r, want %r", t.get("name"), TEMPLATE_NAME)
    if not TECH_NAME_RE.fullmatch(t.get("template", "")):
        problems("technical name %r: only letters, digits, space, '.', '_', '-' are allowed "
                 "(it is the host part of trigger expressions)", t.get("template"))
    for g in t.get("groups") or []:
        if g.get("name") not in groups:
            problems("template group %r is not among the top-level groups", g.get("name"))


def walk_schema(obj, kind, where, problems, context=None):
    allowed, required = SCHEMA[kind]
    if not isinstance(obj, dict):
        problems("%s: a mapping expected, got %r", where, obj)
        return
    for k in obj:
        if k not in allowed:
            problems("%s: key %r is not in the 6.0 format for a %s", where, k, kind)
    for k in required:
        if k not in obj:
            problems("%s: required key %r missing", where, k)
    for k, v in obj.items():
        w = "%s.%s" % (where, k)
        if isinstance(v, (dict, list)):
            continue
        if not isinstance(v, str):
            problems("%s: %r is a YAML %s, the importer wants a string (quote it)", w, v, type(v).__name__)
            continue
        enum = ENUMS.get(k) if kind not in ("tag", "macro", "mapping") else None
        if k == "operator" and kind != "condition":
            enum = None
        if enum is not None and v not in enum:
            problems("%s: %r is not one of %s", w, v, ", ".join(sorted(enum)))
    if kind in ("item", "prototype"):
        if obj.get("type", "ZABBIX_PASSIVE") not in ITEM_TYPES:
            problems("%s.type: %r is not a 6.0 item type", where, obj.get("type"))
    if kind == "drule" and obj.get("type", "ZABBIX_PASSIVE") not in DRULE_TYPES:
        problems("%s.type: %r is not a 6.0 discovery rule type", where, obj.get("type"))

    def each(key, sub, name_of=lambda x, n: str(n)):
        val = obj.get(key)
        if val is None:
            return
        if not isinstance(val, list):
            problems("%s.%s: a list expected", where, key)
            return
        for n, x in enumerate(val):
            walk_schema(x, sub, "%s.%s[%s]" % (where, key, name_of(x, n)), problems, kind)

    by_key = lambda x, n: x.get("key", n) if isinstance(x, dict) else n
    by_name = lambda x, n: x.get("name", n) if isinstance(x, dict) else n
    if kind == "export":
        each("groups", "group", by_name)
        each("templates", "template", lambda x, n: x.get("template", n))
    elif kind == "template":
        each("groups", "template_group", by_name)
        each("items", "item", by_key)
        each("discovery_rules", "drule", by_key)
        each("macros", "macro", lambda x, n: x.get("macro", n))
        each("valuemaps", "valuemap", by_name)
        each("tags", "tag")
    elif kind in ("item", "prototype", "drule"):
        each("tags", "tag")
        each("preprocessing", "step", lambda x, n: "%d:%s" % (n, x.get("type")))
        for s in obj.get("preprocessing") or []:
            allowed_steps = DRULE_PREPROC if kind == "drule" else PREPROC
            if isinstance(s, dict) and s.get("type") not in allowed_steps:
                problems("%s: preprocessing type %r is not allowed here in 6.0", where, s.get("type"))
            if isinstance(s, dict) and not all(isinstance(p, str) for p in s.get("parameters") or []):
                problems("%s: preprocessing parameters must be strings", where)
        if "valuemap" in obj:
            walk_schema(obj["valuemap"], "valuemap_ref", where + ".valuemap", problems)
        if kind == "item":
            each("triggers", "trigger", by_name)
        if kind == "prototype":
            each("trigger_prototypes", "trigger_prototype", by_name)
        if kind == "drule":
            each("item_prototypes", "prototype", by_key)
            each("trigger_prototypes", "trigger_prototype", by_name)
            if "filter" in obj:
                walk_schema(obj["filter"], "filter", where + ".filter", problems)
    elif kind in ("trigger", "trigger_prototype"):
        each("tags", "tag")
        each("dependencies", "dependency", by_name)
    elif kind == "valuemap":
        each("mappings", "mapping", lambda x, n: x.get("value", n))
    elif kind == "filter":
        each("conditions", "condition", lambda x, n: x.get("formulaid", n))


def check_schema(doc, mib, a, problems):
    walk_schema(doc.get("zabbix_export"), "export", "zabbix_export", problems)


def check_uuids(doc, mib, a, problems):
    ex = doc["zabbix_export"]
    t = the_template(doc)
    objs = [("group %s" % g.get("name"), g) for g in ex.get("groups") or []]
    objs.append(("template", t))
    objs += [("item %s" % i.get("key"), i) for i in items(t)]
    objs += [("discovery rule %s" % d.get("key"), d) for d in drules(t)]
    objs += [("prototype %s" % p.get("key"), p) for p in prototypes(t)]
    objs += [("trigger %s" % tr.get("name"), tr) for tr, _, _ in triggers(t)]
    objs += [("value map %s" % v.get("name"), v) for v in t.get("valuemaps") or []]
    seen = {}
    for what, o in objs:
        u = o.get("uuid")
        if u is None:
            problems("%s: no uuid", what)
        elif not UUID_RE.fullmatch(str(u)):
            problems("%s: uuid %r is not a UUIDv4 as 32 lower-case hex digits", what, u)
        elif u in seen:
            problems("%s: uuid %s already used by %s", what, u, seen[u])
        else:
            seen[u] = what


def check_keys(doc, mib, a, problems):
    t = the_template(doc)
    seen = set()
    for what, i in [("item", i) for i in items(t)] + [("prototype", p) for p in prototypes(t)] + \
            [("discovery rule", d) for d in drules(t)]:
        k = i.get("key", "")
        if k in seen:
            problems("%s key %r is used twice", what, k)
        seen.add(k)
        if key_params(k) is None:
            problems("%s key %r does not parse as an item key", what, k)
        if what == "prototype" and not re.search(r"\{#[A-Z0-9_.]+\}", k):
            problems("prototype key %r has no LLD macro: every discovered row would get the same key", k)
        if len(k) > 2048:
            problems("%s key %r is longer than 2048 characters", what, k)


def oid_entries(t):
    """(what, numeric OID without instance part, instance part or None)"""
    out = []
    for i in snmp_items(t):
        o = i.get("snmp_oid", "")
        out.append(("item %s" % i["key"], o, None))
    for p in prototypes(t):
        o = p.get("snmp_oid", "")
        out.append(("prototype %s" % p["key"], o, None))
    for d in drules(t):
        pairs = parse_discovery(d.get("snmp_oid"))
        for macro, o in pairs or []:
            out.append(("discovery %s %s" % (d["key"], macro), o, None))
    return out


def check_oids(doc, mib, a, problems):
    t = the_template(doc)
    for d in drules(t):
        if d.get("type") == "SNMP_AGENT" and parse_discovery(d.get("snmp_oid")) is None:
            problems("discovery rule %s: snmp_oid %r is not discovery[{#MACRO},OID,...]",
                     d.get("key"), d.get("snmp_oid"))
    for what, o, _ in oid_entries(t):
        base = o[:-len(".{#SNMPINDEX}")] if o.endswith(".{#SNMPINDEX}") else o
        if not re.fullmatch(r"\.?\d+(\.\d+)+", base):
            problems("%s: %r is not a numeric OID (Zabbix without the MIB needs numbers)", what, o)
            continue
        name, rest = mib.name_of(base)
        if name is None:
            problems("%s: %s is not under %s", what, o, MODULE)
            continue
        if what.startswith("item") and rest != ".0" or not what.startswith("item") and rest != "":
            problems("%s: %s is %s::%s%s: %s", what, o, MODULE, name, rest,
                     "no scalar instance (NAME.0) of the MIB" if what.startswith("item")
                     else "no object of the MIB")
            continue
        if mib.describe(name) is None or mib.describe(name)["kind"] != "OBJECT-TYPE":
            problems("%s: %s::%s is not an OBJECT-TYPE", what, MODULE, name)
            continue
        back = mib.numeric(name)
        if back != norm_oid(base[:-2] if rest == ".0" else base):
            problems("%s: %s::%s translates back to %s, not %s", what, MODULE, name, back, o)


def check_access(doc, mib, a, problems):
    t = the_template(doc)
    polled = set()
    for i in snmp_items(t):
        o = i.get("snmp_oid", "")
        if not o.endswith(".0"):
            problems("item %s: %s does not end in .0 (a scalar's instance)", i["key"], o)
            continue
        name, rest = mib.name_of(o)
        d = mib.describe(name) if name and rest == ".0" else None
        if not d or d["kind"] != "OBJECT-TYPE":
            problems("item %s: %s names no scalar of the MIB", i["key"], o)
            continue
        polled.add(name)
        if d["parent"] in ENTRIES:
            problems("item %s: %s is a column of %s, not a scalar", i["key"], name, d["parent"])
        if d["access"] != "read-only":
            problems("item %s: %s is %s, an agent never answers a GET of it", i["key"], name, d["access"])
    # each prototype polls a column of the table its discovery rule walks
    # (smsDistContentDPEntry's only through the filtered rule: see RULES and
    # the discovery check)
    for rule, p in [(dr, p) for dr in drules(t) for p in dr.get("item_prototypes") or []]:
        entry = RULES.get(rule.get("key"), {}).get("entry")
        o = p.get("snmp_oid", "")
        if not o.endswith(".{#SNMPINDEX}"):
            problems("prototype %s: %s does not end in .{#SNMPINDEX}", p["key"], o)
            continue
        name, rest = mib.name_of(o[:-len(".{#SNMPINDEX}")])
        d = mib.describe(name) if name and rest == "" else None
        if not d or d["kind"] != "OBJECT-TYPE":
            problems("prototype %s: %s names nothing in the MIB", p["key"], o)
            continue
        polled.add(name)
        if entry is None:
            problems("prototype %s: its discovery rule %s is none of %s", p["key"], rule.get("key"),
                     ", ".join(sorted(RULES)))
        elif d["parent"] != entry:
            problems("prototype %s: %s is not a column of %s, the table of discovery rule %s",
                     p["key"], name, entry, rule.get("key"))
        if d["access"] != "read-only":
            problems("prototype %s: %s is %s, not readable", p["key"], name, d["access"])
    readable = mib.readable()
    if not readable:
        problems("snmptranslate listed no readable object of %s", MODULE)
    for name, num, is_col in readable:
        if name not in polled:
            problems("%s (%s, a %s) is readable but the template polls it nowhere",
                     name, num, "column" if is_col else "scalar")


def check_syntax(doc, mib, a, problems):
    t = the_template(doc)
    vms = {v.get("name"): v for v in t.get("valuemaps") or []}
    for what, i in [("item", i) for i in snmp_items(t)] + [("prototype", p) for p in prototypes(t)]:
        o = i.get("snmp_oid", "").replace(".{#SNMPINDEX}", "")
        name, rest = mib.name_of(o)
        d = mib.describe(name) if name and rest in ("", ".0") else None
        if not d or d["kind"] != "OBJECT-TYPE":
            continue        # the business of 'oids'
        where = "%s %s (%s, SYNTAX %s%s)" % (what, i["key"], name, d["syntax"],
                                            ", TC %s" % d["tc"] if d["tc"] else "")
        vt = i.get("value_type", "UNSIGNED")
        kind = base_syntax(d)
        vm = (i.get("valuemap") or {}).get("name")
        if kind in ("unsigned", "int-enum"):
            if vt != "UNSIGNED":
                problems("%s: value_type %s, want UNSIGNED", where, vt)
        elif kind in ("date", "string"):
            if vt not in ("CHAR", "TEXT"):
                problems("%s: value_type %s, want CHAR or TEXT", where, vt)
        else:
            problems("%s: a SYNTAX this check does not know", where)
        if kind == "int-enum":
            want_name = "%s::%s" % (IMPORTED_TCS.get(d["tc"], MODULE), d["tc"] or name)
            if vm != want_name:
                problems("%s: value map %r, want %r", where, vm, want_name)
            elif vm in vms:
                enum = mib.enumeration(d["syntax"])
                got = {}
                for m in vms[vm].get("mappings") or []:
                    if m.get("type", "EQUAL") != "EQUAL":
                        problems("%s: value map %s has a mapping of type %s; values the MIB does not "
                                 "list must show as numbers", where, vm, m.get("type"))
                    got[str(m.get("value"))] = m.get("newvalue")
                if got != enum:
                    problems("%s: value map %s is %s, the MIB's enumeration is %s", where, vm,
                             ", ".join("%s(%s)" % (v, k) for k, v in sorted(got.items(), key=lambda x: int(x[0]))),
                             ", ".join("%s(%s)" % (v, k) for k, v in sorted(enum.items(), key=lambda x: int(x[0]))))
        elif vm:
            problems("%s: a value map (%s) on an object that is not an enumeration", where, vm)
        if kind == "date" and not js_steps(i):
            problems("%s: a DateAndTime without a JavaScript step: Zabbix would show hex octets", where)
        if d["units"] == "seconds" and i.get("units") != "s":
            problems("%s: UNITS \"seconds\" in the MIB, units %r in the template", where, i.get("units"))


def check_valuemaps(doc, mib, a, problems):
    t = the_template(doc)
    defined = {}
    for v in t.get("valuemaps") or []:
        if v.get("name") in defined:
            problems("value map %r defined twice", v.get("name"))
        defined[v.get("name")] = v
        vals = [str(m.get("value")) for m in v.get("mappings") or []]
        if len(vals) != len(set(vals)):
            problems("value map %r maps a value twice", v.get("name"))
    used = set()
    for i in items(t) + prototypes(t):
        vm = (i.get("valuemap") or {}).get("name")
        if vm:
            used.add(vm)
            if vm not in defined:
                problems("%s uses value map %r, which the template does not define", i.get("key"), vm)
    for name in defined:
        if name not in used:
            problems("value map %r is defined but no item uses it", name)


def lld_macros(text):
    return set(re.findall(r"\{#[A-Z0-9_.]+\}", text or ""))


USER_MACRO_RE = re.compile(r"\{\$[A-Z0-9_.]+\}")
JSONPATH_FILTER_RE = re.compile(r"\$\[\?\(@\['(\{#[A-Z0-9_.]+\})'\] =~ \"(\{\$[A-Z0-9_.]+\})\"\)\]")


def check_discovery(doc, mib, a, problems):
    t = the_template(doc)
    keys = [d.get("key") for d in drules(t)]
    if sorted(keys) != sorted(RULES):
        problems("discovery rules %s, want %s", ", ".join(sorted(map(str, keys))), ", ".join(sorted(RULES)))
    macros = {m.get("macro"): m.get("value") for m in t.get("macros") or []}
    for d in drules(t):
        spec = RULES.get(d.get("key"))
        if spec is None:
            continue
        entry = spec["entry"]
        if d.get("type") != "SNMP_AGENT":
            problems("discovery rule %s: type %s, want SNMP_AGENT", d.get("key"), d.get("type"))
        pairs = parse_discovery(d.get("snmp_oid")) or []
        got = {}
        for macro, o in pairs:
            name, rest = mib.name_of(o)
            got[macro] = name if rest == "" else "%s%s" % (name, rest)
            dd = mib.describe(name) if name else None
            if not dd or dd["parent"] != entry:
                problems("discovery %s %s: %s is not a column of %s", d.get("key"), macro, o, entry)
        if got != spec["discovery"]:
            problems("discovery rule %s: discovery[] is %s, want %s", d.get("key"), got, spec["discovery"])
        defined = set(got) | {"{#SNMPINDEX}"}
        if js_steps(d):
            defined |= spec["js"]
        texts = [("filter", json.dumps(d.get("filter") or {}))]
        for p in d.get("item_prototypes") or []:
            texts.append(("prototype %s" % p.get("key"), json.dumps(p)))
        for tr in d.get("trigger_prototypes") or []:
            texts.append(("trigger prototype %s" % tr.get("name"), json.dumps(tr)))
        for where, text in texts:
            for m in sorted(lld_macros(text) - defined):
                problems("%s uses %s, which neither discovery[] nor the discovery step defines", where, m)
        for p in d.get("item_prototypes") or []:
            if not lld_macros(p.get("name")):
                problems("prototype %s: its name has no LLD macro (every row's item would look alike)", p.get("key"))
        if spec.get("macro_timing"):
            for field in ("delay", "lifetime"):
                v = str(d.get(field, ""))
                if not USER_MACRO_RE.fullmatch(v):
                    problems("discovery rule %s: %s %r is not a user macro", d.get("key"), field, v)
                elif v not in macros:
                    problems("discovery rule %s: %s %s is not a macro of the template", d.get("key"), field, v)
        if spec.get("filtered"):
            check_filtered(d, spec["filtered"], macros, problems)


def check_filtered(d, filtered, macros, problems):
    """A discovery rule over a table too large for one item per row: only the
    rows whose column (the LLD macro) matches a user macro become items. The
    JSONPath step keeps them before any JavaScript runs (the JavaScript
    engine's memory is limited, the full discovery value is not), and the LLD
    filter says the same; the macro's default lets through smsdistd's default
    failed States and nothing else."""
    macro, column = filtered
    w = "discovery rule %s" % d.get("key")
    flt = d.get("filter") or {}
    if flt.get("evaltype", "AND_OR") not in ("AND", "AND_OR"):
        problems("%s: filter evaltype %s, want AND or AND_OR (the %s condition must hold)", w,
                 flt.get("evaltype"), macro)
    conds = [c for c in flt.get("conditions") or [] if c.get("macro") == macro]
    user = None
    if len(conds) != 1:
        problems("%s: %d filter conditions on %s (%s), want 1", w, len(conds), macro, column)
    else:
        c = conds[0]
        user = c.get("value")
        if c.get("operator", "MATCHES_REGEX") != "MATCHES_REGEX":
            problems("%s: the %s condition's operator is %s, want MATCHES_REGEX", w, macro, c.get("operator"))
        if not USER_MACRO_RE.fullmatch(str(user)):
            problems("%s: the %s condition's value %r is not a user macro", w, macro, user)
            user = None
        elif user not in macros:
            problems("%s: %s is not a macro of the template", w, user)
            user = None
    steps = d.get("preprocessing") or []
    first_js = next((n for n, st in enumerate(steps) if st.get("type") == "JAVASCRIPT"), len(steps))
    jp = [(n, st) for n, st in enumerate(steps) if st.get("type") == "JSONPATH"]
    if not jp or jp[0][0] > first_js:
        problems("%s: no JSONPath step before the JavaScript one: the JavaScript would parse the whole table", w)
    else:
        st = jp[0][1]
        m = JSONPATH_FILTER_RE.fullmatch((st.get("parameters") or [""])[0])
        if not m or m.group(1) != macro or m.group(2) != user:
            problems("%s: JSONPath step %r is not $[?(@['%s'] =~ \"%s\")]", w,
                     (st.get("parameters") or [""])[0], macro, user)
        if st.get("error_handler") != "CUSTOM_VALUE" or st.get("error_handler_params") != "[]":
            problems("%s: the JSONPath step must give [] when no row matches (error_handler CUSTOM_VALUE, "
                     "params []), else the rule goes unsupported while nothing is failed", w)
    if user in macros:
        try:
            rx = re.compile(macros[user])
        except re.error as e:
            problems("%s: %s's default %r does not compile: %s", w, user, macros[user], e)
            return
        passed = {v for v in CONTENT_STATES if rx.search(v)}
        if passed != FAILED_STATES:
            problems("%s: %s's default %r lets States %s through, want exactly %s (smsdistd's default "
                     "contentErrorStates)", w, user, macros[user], sorted(passed), sorted(FAILED_STATES))


EXPR_REF = re.compile(r"(\w+)\(/([^/]*)/((?:\"(?:[^\"\\]|\\.)*\"|\[[^\]]*\]|[^,()\[\]])+)")


def check_triggers(doc, mib, a, problems):
    t = the_template(doc)
    host = t.get("template")
    item_keys = {i.get("key") for i in items(t)}
    proto_keys = {p.get("key") for p in prototypes(t)}
    macros = {m.get("macro") for m in t.get("macros") or []}
    all_trig = triggers(t)
    by_name = {}
    for tr, proto, where in all_trig:
        if (tr.get("name"), proto) in by_name:
            problems("%s: trigger name %r used twice", where, tr.get("name"))
        by_name[(tr.get("name"), proto)] = tr
    for tr, proto, where in all_trig:
        w = "%s: trigger %r" % (where, tr.get("name"))
        refs = EXPR_REF.findall(tr.get("expression", "")) + \
            EXPR_REF.findall(tr.get("recovery_expression", ""))
        if not refs:
            problems("%s: the expression references no item", w)
        hit_proto = False
        for fn, h, key in refs:
            if fn not in TRIGGER_FUNCTIONS:
                problems("%s: unknown function %s()", w, fn)
            if h != host:
                problems("%s: /%s/%s is not this template (%s)", w, h, key, host)
            if key in proto_keys:
                hit_proto = True
                if not proto:
                    problems("%s: a plain trigger cannot reference the prototype %s", w, key)
            elif key not in item_keys:
                problems("%s: no item with key %s in the template", w, key)
        if proto and not hit_proto:
            problems("%s: a trigger prototype must reference an item prototype", w)
        text = json.dumps(tr)
        for m in sorted(set(re.findall(r"\{\$[A-Z0-9_.]+(?::[^}]*)?\}", text))):
            if m.split(":")[0].rstrip("}") + "}" not in macros:
                problems("%s: uses %s, which the template does not define", w, m)
        if tr.get("priority", "NOT_CLASSIFIED") not in PRIORITIES:
            problems("%s: priority %r", w, tr.get("priority"))
        for dep in tr.get("dependencies") or []:
            target = by_name.get((dep.get("name"), proto)) or by_name.get((dep.get("name"), False))
            if not target:
                problems("%s: depends on %r, which is not a trigger of the template", w, dep.get("name"))
            elif target.get("expression") != dep.get("expression"):
                problems("%s: dependency %r: expression differs from that trigger's", w, dep.get("name"))
    names = {"smsdist.source.state": {"=3", "=2"}, "smsdist.source.data.age": {">"},
             "smsdist.rows.error": {">"}}
    for key, ops in names.items():
        exprs = [tr.get("expression", "") for tr, proto, _ in all_trig if not proto]
        for op in ops:
            if not any("/%s/%s)%s" % (host, key, op) in e for e in exprs):
                problems("no trigger on %s with %s...", key, op)
    if not any(proto and re.search(r"=3\b", tr.get("expression", "")) and
               re.search(r"=4\b", tr.get("expression", "")) for tr, proto, _ in all_trig):
        problems("no trigger prototype for a row in error (Type 3 or 4)")
    if not any(proto and "/%s/smsdist.dp.errors[{#SNMPINDEX}])>{$SMSDIST.DP.ERRORS.MAX" % host
               in tr.get("expression", "") for tr, proto, _ in all_trig):
        problems("no trigger prototype for a distribution point with errors "
                 "(smsdist.dp.errors[{#SNMPINDEX}] > {$SMSDIST.DP.ERRORS.MAX})")


def trap_intent(item, names):
    """The notifications an snmptrap item says it is for (its description's first words)."""
    m = re.match(r"%s::(\w+)" % MODULE, item.get("description") or "")
    return [m.group(1)] if m and m.group(1) in names else []


def check_traps(doc, mib, a, problems):
    t = the_template(doc)
    notifs = mib.notifications()
    if len(notifs) != 10:
        problems("snmptranslate lists %d NOTIFICATION-TYPEs, expected the MIB's 10", len(notifs))
    traps = trap_items(t)
    keys = [i.get("key") for i in traps]
    if "snmptrap.fallback" not in keys:
        problems("no snmptrap.fallback item")
    regexes = {}
    names = {n for n, _ in notifs}
    for i in traps:
        if i.get("key") != "snmptrap.fallback" and len(trap_intent(i, names)) != 1:
            problems("trap item %s: its description must start with %s::<the one notification it is for>",
                     i.get("key"), MODULE)
        if i.get("value_type") not in ("LOG", "TEXT", "CHAR"):
            problems("trap item %s: value_type %s cannot hold a trap's text", i.get("key"), i.get("value_type"))
        if i.get("key") == "snmptrap.fallback":
            continue
        rx = trap_regex(i)
        if rx is None:
            problems("trap item key %r is not snmptrap[\"regexp\"]", i.get("key"))
            continue
        try:
            re.compile(rx)
        except re.error as e:
            problems("trap item %s: regex does not compile: %s", i.get("key"), e)
            continue
        regexes[i.get("key")] = rx
    for name, num in notifs:
        # which item is this notification's: the one whose regex names it
        mine = [k for k, rx in regexes.items() if re.search(rx, "value=OID: %s\n" % num)]
        if len(mine) != 1:
            problems("%s (%s): %d snmptrap items match its numeric OID, want 1", name, num, len(mine))
    if len(regexes) != len(notifs):
        problems("%d snmptrap[regexp] items for %d notifications", len(regexes), len(notifs))


DATE_CASES = [
    # (what Zabbix gets, what the step must return; None = it must fail)
    ("07 EA 0B 14 08 0F 00 00 2B 00 00 ", "2026-11-20T08:15:00Z"),     # Hex-STRING, UTC
    ("07 EA 0B 14 08 0F 00 00 2B 00 00", "2026-11-20T08:15:00Z"),
    ("07 EA 0B 14 08 0F 00 05 2B 00 00\n", "2026-11-20T08:15:00Z"),    # deci-seconds dropped
    ("07 EA 0B 14 08 0F 00 00 2D 02 00 ", "2026-11-20T10:15:00Z"),     # -02:00
    ("07 EA 0B 14 01 0F 00 00 2B 05 1E ", "2026-11-19T19:45:00Z"),     # +05:30, day before
    ("07 E3 0B 13 16 20 32 00", "2019-11-19T22:32:50Z"),               # 8 octets: no offset
    ("00 00 00 00 00 00 00 00 ", "unknown"),                          # the unknown date
    ("2026-11-20,8:15:0.0,+0:0", "2026-11-20T08:15:00Z"),             # the MIB loaded
    ("2026-11-20,8:15:0.0,-2:0", "2026-11-20T10:15:00Z"),
    ("2019-11-19,22:32:50.0", "2019-11-19T22:32:50Z"),
    ("0-0-0,0:0:0.0", "unknown"),
    ("07 EA 0B", None),
    ("07 EA 0D 14 08 0F 00 00 2B 00 00", None),                       # month 13
    ("07 EA 0B 14 08 0F 00 00 3F 00 00", None),                       # not + or -
    ("not a date", None),
    ("", None),
]


def check_js_date(doc, mib, a, problems):
    t = the_template(doc)
    eng = js_engine()
    steps = []
    for i in items(t) + prototypes(t):
        for s in js_steps(i):
            steps.append((i.get("key"), s))
    if not steps:
        problems("no JavaScript step on any item")
        return
    for key, script in steps:
        es5_problems(script, key, problems)
    if eng is None:
        print("# neither Duktape nor node here: the steps were only read, not run")
        return
    for key, script in steps:
        for value, want in DATE_CASES:
            ok, got = eng.run(script, value)
            if want is None and ok:
                problems("%s [%s]: %r gave %r, want an error", key, eng.name, value, got)
            elif want is not None and (not ok or got != want):
                problems("%s [%s]: %r gave %s%r, want %r", key, eng.name, value,
                         "" if ok else "error ", got, want)


def discovery_step(t, key=STATUS_RULE):
    for d in drules(t):
        if d.get("key") == key:
            for s in js_steps(d):
                return s
    return None


def str_index(*texts):
    """The index sub-identifiers of length-prefixed strings."""
    out = []
    for x in texts:
        out += [str(len(x))] + [str(ord(c)) for c in x]
    return ".".join(out)


SERVER100 = ("dp-" + "x" * 84 + ".corp.example")[:100]
# The other rules' discovery steps: (discovery[] row, what the step must add
# or set), and indexes it must refuse.
LLD_CASES = {
    "smsdist.load.discovery": (
        [({"{#SNMPINDEX}": "1", "{#URI}": "file:/var/lib/smsdistd/all.json"},
          {"{#TABLEID}": "1", "{#TABLE}": "distributionStatus"}),
         ({"{#SNMPINDEX}": "2", "{#URI}": "file:/var/lib/smsdistd/dp.json"},
          {"{#TABLEID}": "2", "{#TABLE}": "dpStatus"}),
         ({"{#SNMPINDEX}": "3", "{#URI}": "https://cm01.corp.example/AdminService/wmi/x"},
          {"{#TABLEID}": "3", "{#TABLE}": "contentOnDp"}),
         ({"{#SNMPINDEX}": "7", "{#URI}": ""}, {"{#TABLEID}": "7", "{#TABLE}": "table 7"})],
        ["2.1", "x", ""]),
    "smsdist.dp.discovery": (
        [({"{#SNMPINDEX}": str_index("DP01.corp.example"), "{#DPNAME}": "DP01.corp.example"},
          {"{#DPSERVER}": "DP01.corp.example", "{#DPNAME}": "DP01.corp.example"}),
         ({"{#SNMPINDEX}": str_index("dp02"), "{#DPNAME}": ""},
          {"{#DPSERVER}": "dp02", "{#DPNAME}": "dp02"}),
         ({"{#SNMPINDEX}": str_index(SERVER100), "{#DPNAME}": "Branch 7 (pull)"},
          {"{#DPSERVER}": SERVER100, "{#DPNAME}": "Branch 7 (pull)"})],
        ["5.68.80", str_index("DP01") + ".1", "0", "3.68.10.80", ""]),
    "smsdist.contentdp.failed.discovery": (
        [({"{#SNMPINDEX}": str_index("PS100095", "DP01.corp.example"), "{#STATE}": "3"},
          {"{#PACKAGEID}": "PS100095", "{#DPSERVER}": "DP01.corp.example", "{#STATE}": "3"}),
         ({"{#SNMPINDEX}": str_index("P1", "d"), "{#STATE}": "6"},
          {"{#PACKAGEID}": "P1", "{#DPSERVER}": "d", "{#STATE}": "6"}),
         ({"{#SNMPINDEX}": str_index("PS1000A2", SERVER100), "{#STATE}": "3"},
          {"{#PACKAGEID}": "PS1000A2", "{#DPSERVER}": SERVER100, "{#STATE}": "3"})],
        ["8.80.83.49", str_index("PS1"), str_index("PS1", "d") + ".7", str_index("PS1") + ".0", ""]),
}


def check_js_lld(doc, mib, a, problems):
    t = the_template(doc)
    eng = js_engine()
    for key, (cases, bad) in sorted(LLD_CASES.items()):
        script = discovery_step(t, key)
        if script is None:
            problems("discovery rule %s has no JavaScript step to decode {#SNMPINDEX}", key)
            continue
        es5_problems(script, "discovery step of %s" % key, problems)
        if eng is None:
            continue
        disc = [c[0] for c in cases]
        for shape, value in (("array", disc), ("{data:[...]}", {"data": disc})):
            ok, out = eng.run(script, json.dumps(value))
            if not ok:
                problems("discovery step of %s [%s] on the %s form failed: %s", key, eng.name, shape, out)
                continue
            got = json.loads(out)
            got = got if isinstance(got, list) else got.get("data")
            if not isinstance(got, list) or len(got) != len(cases):
                problems("discovery step of %s [%s], %s form: %d rows out of %d", key, eng.name, shape,
                         len(got or []), len(cases))
                continue
            for (row, want), g in zip(cases, got):
                for k, v in list(want.items()) + [(k, v) for k, v in row.items() if k not in want]:
                    if g.get(k) != v:
                        problems("discovery step of %s [%s], %s form, index %s: %s is %r, want %r",
                                 key, eng.name, shape, row["{#SNMPINDEX}"], k, g.get(k), v)
        for b in bad:
            ok, out = eng.run(script, json.dumps([{"{#SNMPINDEX}": b}]))
            if ok:
                problems("discovery step of %s [%s]: a malformed index %r gave %r, want an error",
                         key, eng.name, b, out)
    script = discovery_step(t)
    if script is None:
        problems("the discovery rule has no JavaScript step to decode {#SNMPINDEX}")
        return
    es5_problems(script, "discovery step", problems)
    eng = js_engine()
    if eng is None:
        print("# neither Duktape nor node here: the step was only read, not run")
        return
    app = "ScopeId_B3FF3CC4-0319-4434-9D24-77689C53C615/Application_197d8de7-022d-4c0b-aec4-c339ccc17ba4"
    rows = [("PS100095", 10, "PS100095"), (app, 4294967295, "PS1000A2"), ("P0100102", 0, "")]

    def index(oid, cat):
        return ".".join([str(len(oid))] + [str(ord(c)) for c in oid] + [str(cat)])

    disc = [{"{#SNMPINDEX}": index(o, c), "{#TYPE}": "1", "{#PKGID}": p, "{#OBJTYPE}": "2"}
            for o, c, p in rows]
    for shape, value in (("array", disc), ("{data:[...]}", {"data": disc})):
        ok, out = eng.run(script, json.dumps(value))
        if not ok:
            problems("discovery step [%s] on the %s form failed: %s", eng.name, shape, out)
            continue
        got = json.loads(out)
        got = got if isinstance(got, list) else got.get("data")
        for (o, c, p), g in zip(rows, got or []):
            want = {"{#OBJECTID}": o, "{#MSGCAT}": str(c), "{#CONTENT}": p or o}
            for k, v in want.items():
                if g.get(k) != v:
                    problems("discovery step [%s], %s form, row %s@%s: %s is %r, want %r",
                             eng.name, shape, o, c, k, g.get(k), v)
        if not isinstance(got, list) or len(got) != len(rows):
            problems("discovery step [%s], %s form: %d rows out of %d", eng.name, shape,
                     len(got or []), len(rows))
    ok, out = eng.run(script, json.dumps([{"{#SNMPINDEX}": "9.80.83"}]))
    if ok:
        problems("discovery step [%s]: a malformed index (9.80.83) gave %r, want an error", eng.name, out)


# ---------------------------------------------------------------------------
# Traps: send every notification to snmptrapd, file what it printed

SAMPLE_ROW = "PS100095", 10
SAMPLE_APP = ("ScopeId_B3FF3CC4-0319-4434-9D24-77689C53C615/"
              "Application_5a2e8f0c-8b1d-4f7e-9a43-2d6c1b0e7f91"), 30


SAMPLE_DP = "DP01.corp.example"
SAMPLE_NAL = '["Display=\\\\%s\\"]MSWNET:["SMS_SITE=PS1"]\\\\%s\\' % (SAMPLE_DP, SAMPLE_DP)


def varbind_args(mib, notif):
    """snmptrap arguments (OID TYPE VALUE ...) for a notification's OBJECTS,
    with row objects instanced on a sample row of their table and plausible
    values."""
    d = mib.describe(notif)
    obj_id, cat = SAMPLE_APP if notif.endswith("LeftError") else SAMPLE_ROW
    index = {ENTRY: ".".join([str(len(obj_id))] + [str(ord(c)) for c in obj_id] + [str(cat)]),
             "smsDistDPEntry": str_index(SAMPLE_DP),
             "smsDistContentDPEntry": str_index(SAMPLE_ROW[0], SAMPLE_DP)}
    # row notifications: the columns and the reason carry the row's index
    row_entry = next((mib.describe(o)["parent"] for o in d["objects"]
                      if (mib.describe(o) or {}).get("parent") in index), None)
    args = []
    for name in d["objects"]:
        od = mib.describe(name)
        num = mib.numeric(name)
        row_object = od["parent"] == row_entry or (name == "smsDistNotifyReason" and row_entry)
        inst = num + ("." + index[row_entry] if row_object else ".0")
        syn = od["syntax"] or ""
        if od["tc"] == "DateAndTime":
            args += [inst, "x", "07EA0B14080F00002B0000"]
        elif syn.startswith("INTEGER"):
            enum = mib.enumeration(syn)
            args += [inst, "i", sorted(enum, key=int)[-2] if enum and len(enum) > 1 else "3"]
        elif syn.startswith("Gauge32") or syn.startswith("Unsigned32"):
            args += [inst, "u", "3"]
        elif syn.startswith("Counter32"):
            args += [inst, "c", "7"]
        elif syn.startswith("OCTET STRING"):
            text = {"smsDistSourceURI": "file:/var/lib/smsdistd/distribution.json",
                    "smsDistSourceLastError": "distribution.json: line 3: invalid token",
                    "smsDistDPNALPath": SAMPLE_NAL, "smsDistContentDPSiteCode": "PS1",
                    "smsDistContentDPSecureObjectID": SAMPLE_ROW[0]}.get(name, obj_id)
            args += [inst, "s", text]
        else:
            raise SystemExit("varbind_args: no sample value for %s (%s)" % (name, syn))
    return args


def send_traps(mib, a):
    """Sends each notification, waits (bounded) until snmptrapd's handler
    filed it and its log has it, and names both after the notification."""
    env = dict(os.environ, MIBS="", MIBDIRS=a.nomibs)
    deadline_each = float(os.environ.get("SD_WAIT", "15"))
    for name, num in mib.notifications():
        before_log = open(a.log).read().count("\n") if os.path.exists(a.log) else 0
        cmd = ["snmptrap", "-v2c", "-c", "public", "-t", "2", "-r", "1",
               "127.0.0.1:%s" % a.port, "", num] + varbind_args(mib, name)
        p = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if p.returncode != 0:
            raise SystemExit("snmptrap %s failed: %s" % (name, p.stderr.strip()))
        deadline = time.time() + deadline_each
        while True:
            new = sorted(glob.glob(os.path.join(a.dir, "handled.*.trap")))
            lines = open(a.log).read().splitlines() if os.path.exists(a.log) else []
            if new and len(lines) > before_log:
                break
            if time.time() > deadline:
                raise SystemExit("snmptrapd did not record %s within %ss (handler files: %d, "
                                 "log lines: %d -> %d)" % (name, deadline_each, len(new), before_log, len(lines)))
            time.sleep(0.05)
        if len(new) != 1:
            raise SystemExit("%d handler files after sending %s, want 1" % (len(new), name))
        os.rename(new[0], os.path.join(a.dir, "%s.%s.handler" % (a.form, name)))
        with open(os.path.join(a.dir, "%s.%s.log" % (a.form, name)), "w") as f:
            f.write("\n".join(lines[before_log:]) + "\n")
    return 0


def check_trap_match(doc, mib, a, problems):
    t = the_template(doc)
    regexes = {i["key"]: trap_regex(i) for i in trap_items(t) if trap_regex(i)}
    items_by_key = {i["key"]: i for i in trap_items(t) if trap_regex(i)}
    notifs = [n for n, _ in mib.notifications()]
    captured = sorted(glob.glob(os.path.join(a.dir, "*.*.handler")) + glob.glob(os.path.join(a.dir, "*.*.log")))
    forms = sorted({os.path.basename(c).split(".")[0] for c in captured})
    if not forms:
        problems("nothing captured under %s", a.dir)
    for form in forms:
        for how in ("handler", "log"):
            for n in notifs:
                path = os.path.join(a.dir, "%s.%s.%s" % (form, n, how))
                if not os.path.exists(path):
                    problems("%s: no %s capture of %s", form, how, n)
                    continue
                text = open(path, encoding="latin-1").read()
                # Zabbix matches the trap's text without the ZBXTRAP header line
                if how == "handler":
                    text = "\n".join(text.splitlines()[2:]) + "\n"
                matched = [k for k, rx in regexes.items() if re.search(rx, text)]
                mine = [k for k, i in items_by_key.items() if trap_intent(i, set(notifs)) == [n]]
                if len(mine) != 1 or matched != mine:
                    problems("%s/%s: %s matched %s; want exactly %s\n    the text: %s", form, how, n,
                             matched or "no item", mine or "the item for it",
                             text.strip().replace("\n", "\n    ")[:700])


# ---------------------------------------------------------------------------
# Live checks: smsdistd behind snmpd on 127.0.0.1:PORT

def snmp(a, cmd, *oids):
    env = dict(os.environ, MIBS="", MIBDIRS=a.nomibs)
    p = subprocess.run([cmd, "-v2c", "-c", "public", "-t", "2", "-r", "1", "-On",
                        "127.0.0.1:%s" % a.port] + list(oids), capture_output=True, text=True, env=env)
    return p.returncode, p.stdout, p.stderr


def zabbix_value(typed):
    """(type word, what Zabbix stores) for snmpget's 'TYPE: value' text."""
    if typed == '""':
        return "STRING", ""
    if ": " not in typed:
        return typed, None
    typ, val = typed.split(": ", 1)
    if typ == "STRING":
        m = re.fullmatch(r'"(.*)"', val, re.S)
        return typ, m.group(1) if m else val
    return typ, val


def fits(value_type, typ, val):
    if val is None:
        return False
    if value_type == "UNSIGNED":
        return typ in ("INTEGER", "Gauge32", "Counter32", "Unsigned32") and \
            re.fullmatch(r"\d+", val) is not None and int(val) < 2 ** 64
    if value_type in ("CHAR", "TEXT"):
        return typ in ("STRING", "Hex-STRING")
    return False


def get_typed(a, oid):
    rc, out, err = snmp(a, "snmpget", oid)
    if rc != 0 or " = " not in out:
        return None, (out + err).strip()
    return zabbix_value(out.strip().split(" = ", 1)[1])


def check_live_scalars(doc, mib, a, problems):
    t = the_template(doc)
    eng = js_engine()
    for i in snmp_items(t):
        oid = norm_oid(i["snmp_oid"])
        typ, val = get_typed(a, oid)
        vt = i.get("value_type", "UNSIGNED")
        if not fits(vt, typ, val):
            problems("item %s: GET %s answered %s %r, which does not fit %s", i["key"], oid, typ, val, vt)
            continue
        for script in js_steps(i):
            if eng is None:
                continue
            ok, out = eng.run(script, val)
            if not ok or not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ|unknown", out):
                problems("item %s: its step turned %r into %s%r", i["key"], val, "" if ok else "error ", out)


def oracle(a):
    sys.path.insert(0, os.path.join(a.top_srcdir, "tests", "integration"))
    sys.dont_write_bytecode = True      # the source tree may be read-only (distcheck)
    import check_walk
    return check_walk.Table(a.input)


def tables_oracle(a):
    """check_tables.py's reading of --tables-input: {"dp": Table, "content": Table}."""
    sys.path.insert(0, os.path.join(a.top_srcdir, "tests", "integration"))
    sys.dont_write_bytecode = True
    import check_tables
    return check_tables.load(a.tables_input)


def rule_prototypes(t, key):
    return [p for d in drules(t) if d.get("key") == key for p in d.get("item_prototypes") or []]


def check_prototype_rows(a, protos, rows, problems):
    """rows: [(what, index string)]"""
    for what, index in rows:
        for p in protos:
            oid = norm_oid(p["snmp_oid"].replace("{#SNMPINDEX}", index))
            typ, val = get_typed(a, oid)
            vt = p.get("value_type", "UNSIGNED")
            if not fits(vt, typ, val):
                problems("prototype %s for %s: GET %s answered %s %r, which does not fit %s",
                         p["key"], what, oid, typ, val, vt)
            if len(oid) - 1 > 512:
                problems("prototype %s for %s: the OID is %d characters, Zabbix 6.0 stores 512",
                         p["key"], what, len(oid) - 1)


def check_live_prototypes(doc, mib, a, problems):
    t = the_template(doc)
    table = oracle(a)
    check_prototype_rows(a, rule_prototypes(t, STATUS_RULE),
                         [("%s@%s" % (r["ObjectID"], r["MessageCategory"]), ".".join(str(x) for x in r["index"]))
                          for r in (table.rows[0], table.rows[-1])], problems)
    if not a.tables_input:
        problems("no --tables-input: the prototypes of the per-DP tables were not checked")
        return
    tabs = tables_oracle(a)
    for key, name in (("smsdist.dp.discovery", "dp"), ("smsdist.contentdp.failed.discovery", "content")):
        rows = tabs[name].rows
        if not rows:
            problems("--tables-input has no %s rows" % name)
            continue
        # the longest index too: the OID's length
        longest = max(rows, key=lambda r: len(r["index"]))
        check_prototype_rows(a, rule_prototypes(t, key),
                             [("%s row %s" % (name, ".".join(str(x) for x in r["index"])),
                               ".".join(str(x) for x in r["index"])) for r in (rows[0], rows[-1], longest)],
                             problems)
    check_prototype_rows(a, rule_prototypes(t, "smsdist.load.discovery"),
                         [("smsDistLoadTable row %d" % n, str(n)) for n in (1, 2, 3)], problems)


def walk_column(a, oid):
    """{index string: (type, value)} of a column, as Zabbix's discovery[] walks it."""
    rc, out, err = snmp(a, "snmpbulkwalk", "-Cr50", oid)
    got = {}
    pending = None
    for line in out.splitlines():
        if line.startswith("." + oid.lstrip(".") + ".") and " = " in line:
            left, right = line.split(" = ", 1)
            pending = left[len(oid.lstrip(".")) + 2:]
            got[pending] = right
        elif pending is not None:
            got[pending] += "\n" + line      # a wrapped Hex-STRING
    return rc, {k: zabbix_value(v) for k, v in got.items()}, err


def check_live_lld(doc, mib, a, problems):
    t = the_template(doc)
    table = oracle(a)
    d = [d for d in drules(t) if d.get("key") == STATUS_RULE][0]
    pairs = parse_discovery(d["snmp_oid"])
    columns = {}
    for macro, oid in pairs:
        rc, col, err = walk_column(a, oid)
        if rc != 0:
            problems("walk of %s (%s) failed: %s", oid, macro, err.strip())
        columns[macro] = col
    indexes = sorted(set().union(*[set(c) for c in columns.values()]))
    disc = []
    for ix in indexes:
        row = {"{#SNMPINDEX}": ix}
        for macro in columns:
            row[macro] = columns[macro].get(ix, ("", ""))[1]
        disc.append(row)
    want = {".".join(str(x) for x in r["index"]): r for r in table.rows}
    if set(indexes) != set(want):
        problems("discovery[] sees %d rows, the oracle %d", len(indexes), len(want))
    eng = js_engine()
    if eng is None:
        print("# neither Duktape nor node here: the discovery step was not run")
        return
    ok, out = eng.run(discovery_step(t), json.dumps(disc))
    if not ok:
        problems("the discovery step [%s] failed on the live discovery: %s", eng.name, out)
        return
    got = json.loads(out)
    got = got if isinstance(got, list) else got["data"]
    for g in got:
        r = want.get(g["{#SNMPINDEX}"])
        if r is None:
            continue
        if g.get("{#OBJECTID}") != r["ObjectID"] or g.get("{#MSGCAT}") != str(r["MessageCategory"]):
            problems("index %s: the step says %r@%r, the oracle %s@%s", g["{#SNMPINDEX}"],
                     g.get("{#OBJECTID}"), g.get("{#MSGCAT}"), r["ObjectID"], r["MessageCategory"])
        if g.get("{#PKGID}") != r["PackageID"] or g.get("{#TYPE}") != str(r["Type"]) or \
                g.get("{#OBJTYPE}") != str(r["ObjectTypeID"]):
            problems("index %s: discovery[] macros %s, the oracle PackageID %r Type %s ObjectTypeID %s",
                     g["{#SNMPINDEX}"], {k: g.get(k) for k in DISCOVERY_MACROS}, r["PackageID"],
                     r["Type"], r["ObjectTypeID"])
        if g.get("{#CONTENT}") != (r["PackageID"] or r["ObjectID"]):
            problems("index %s: {#CONTENT} %r", g["{#SNMPINDEX}"], g.get("{#CONTENT}"))
    if not a.tables_input:
        problems("no --tables-input: the discoveries of the per-DP tables were not checked")
        return
    check_live_lld_dp(t, a, eng, problems)


def live_discovery(a, d, problems):
    """discovery[] of rule d as Zabbix builds it: [{#SNMPINDEX}, macros...]."""
    columns = {}
    for macro, oid in parse_discovery(d["snmp_oid"]):
        rc, col, err = walk_column(a, oid)
        if rc != 0:
            problems("walk of %s (%s) failed: %s", oid, macro, err.strip())
        columns[macro] = col
    indexes = sorted(set().union(*[set(c) for c in columns.values()]))
    return [dict({"{#SNMPINDEX}": ix}, **{m: columns[m].get(ix, ("", ""))[1] for m in columns})
            for ix in indexes]


def lld_filter_passes(row, flt, macros):
    """The LLD filter (evaltype AND / AND_OR of MATCHES_REGEX and
    NOT_MATCHES_REGEX conditions), with the macros' defaults."""
    for c in (flt or {}).get("conditions") or []:
        rx = c.get("value", "")
        rx = macros.get(rx, rx)
        hit = re.search(rx, row.get(c["macro"], "")) is not None
        if rx == "CHANGE_IF_NEEDED":
            hit = False
        if hit != (c.get("operator", "MATCHES_REGEX") == "MATCHES_REGEX"):
            return False
    return True


def run_step(eng, d, rows, problems):
    ok, out = eng.run(js_steps(d)[0], json.dumps(rows))
    if not ok:
        problems("the discovery step of %s [%s] failed on the live discovery: %s", d["key"], eng.name, out)
        return None
    out = json.loads(out)
    return out if isinstance(out, list) else out["data"]


def check_live_lld_dp(t, a, eng, problems):
    """The three rules of the per-DP tables, from discovery[] through the
    JSONPath emulation (failed content), the JavaScript step and the LLD
    filter (with the macros' defaults), against check_tables.py."""
    tabs = tables_oracle(a)
    macros = {m.get("macro"): m.get("value") for m in t.get("macros") or []}
    rules = {d.get("key"): d for d in drules(t)}
    # distribution points: every one, {#DPSERVER} the index, {#DPNAME} its Name or the server
    d = rules["smsdist.dp.discovery"]
    got = run_step(eng, d, live_discovery(a, d, problems), problems) or []
    got = [g for g in got if lld_filter_passes(g, d.get("filter"), macros)]
    want = {r["server"].decode(): (r["Name"].decode() or r["server"].decode()) for r in tabs["dp"].rows}
    have = {g.get("{#DPSERVER}"): g.get("{#DPNAME}") for g in got}
    if have != want:
        problems("distribution point discovery gives %s, the oracle %s", sorted(have.items()), sorted(want.items()))
    # failed content: only the rows in a failed State (the macro's default), decoded
    d = rules["smsdist.contentdp.failed.discovery"]
    disc = live_discovery(a, d, problems)
    if len(disc) != len(tabs["content"].rows):
        problems("discovery[] of smsDistContentDPState sees %d rows, the oracle %d", len(disc),
                 len(tabs["content"].rows))
    m = JSONPATH_FILTER_RE.fullmatch(d["preprocessing"][0]["parameters"][0])
    rx = macros[m.group(2)]
    kept = [r for r in disc if re.search(rx, r.get(m.group(1), ""))]
    got = run_step(eng, d, kept, problems) or []
    got = [g for g in got if lld_filter_passes(g, d.get("filter"), macros)]
    have = sorted((g.get("{#PACKAGEID}"), g.get("{#DPSERVER}"), g.get("{#STATE}")) for g in got)
    want = sorted((r["PackageID"].decode(), r["server"].decode(), str(r["State"]))
                  for r in tabs["content"].rows if str(r["State"]) in FAILED_STATES)
    if have != want:
        problems("failed content discovery gives %s, the oracle's failed rows are %s", have, want)
    if not want:
        problems("--tables-input has no failed content row: the filter was not tried")
    # table sources: the rows but the main source's, named
    d = rules["smsdist.load.discovery"]
    got = run_step(eng, d, live_discovery(a, d, problems), problems) or []
    have = sorted((g.get("{#TABLEID}"), g.get("{#TABLE}")) for g in got
                  if lld_filter_passes(g, d.get("filter"), macros))
    if have != [("2", "dpStatus"), ("3", "contentOnDp")]:
        problems("table source discovery gives %s, want dpStatus (2) and contentOnDp (3)", have)


def check_live_dates(doc, mib, a, problems):
    t = the_template(doc)
    table = oracle(a)
    p = [p for p in rule_prototypes(t, STATUS_RULE) if js_steps(p)]
    if len(p) != 1:
        problems("%d prototypes of %s with a date step, want 1 (LastUpdateDate)", len(p), STATUS_RULE)
        return
    p = p[0]
    rc, col, err = walk_column(a, p["snmp_oid"].replace(".{#SNMPINDEX}", ""))
    if rc != 0:
        problems("walk failed: %s", err.strip())
    eng = js_engine()
    if eng is None:
        print("# neither Duktape nor node here: the date step was not run")
        return
    script = js_steps(p)[0]
    n = 0
    for r in table.rows:
        ix = ".".join(str(x) for x in r["index"])
        typ, val = col.get(ix, (None, None))
        if val is None:
            problems("%s@%s: no LastUpdateDate in the walk", r["ObjectID"], r["MessageCategory"])
            continue
        if typ == "Hex-STRING" and re.sub(r"\s", "", val) != r["LastUpdateDate"].hex().upper():
            problems("%s@%s: served %s, the oracle has %s", r["ObjectID"], r["MessageCategory"],
                     val, octets_to_zabbix_hex(r["LastUpdateDate"]))
        ok, out = eng.run(script, val)
        want = iso_of_octets(r["LastUpdateDate"])
        if not ok or out != want:
            problems("%s@%s: %r through the date step [%s] gave %s%r, want %r", r["ObjectID"],
                     r["MessageCategory"], val, eng.name, "" if ok else "error ", out, want)
        n += 1
    if n == 0:
        problems("no row checked")


def make_combined(a):
    """Writes --out: a combined export (doc/per-dp-tables.md) of --input's
    SMS_DistributionStatus rows, four distribution points (one without a
    Name, one with the longest server name an index takes, 100 characters)
    and content rows in every State class: failed (3, 6), pending, installed,
    monitoring, and one the MIB does not list (9)."""
    status = json.load(open(a.input, encoding="utf-8"))["value"]

    def nal(server):
        return '["Display=\\\\%s\\"]MSWNET:["SMS_SITE=PS1"]\\\\%s\\' % (server, server)

    def dp(server, name, state, errors, progress, installed, unknown, **more):
        row = {"NALPath": nal(server), "MessageState": state, "NumberErrors": errors,
               "NumberInProgress": progress, "NumberInstalled": installed, "NumberUnknown": unknown}
        if name is not None:
            row["Name"] = name
        row.update(more)
        return row

    dps = [dp("DP01.corp.example", "DP01.corp.example", 3, 2, 1, 3, 0,
              LastStatusTime="2026-11-26T05:40:12Z", IsPullDP=False, IsPXE=True, Version="5.00.9122.1000"),
           dp("dp02.branch.corp.example", None, 1, 0, 0, 2, 0, IsPullDP="True"),
           dp("DP03", "Lab DP 3", 7, 1, 1, 0, 1, LastStatusTime="2026-11-26T07:40:12+02:00",
              IsPXE="false", Version=""),
           dp(SERVER100, "Branch 7 (pull)", 1, 0, 0, 1, 0, IsPullDP=True)]
    app = SAMPLE_APP[0]

    def content(pkg, server, state, ptype=0, secure=None, summary="2026-11-26T05:00:00Z"):
        return {"PackageID": pkg, "ServerNALPath": nal(server), "SiteCode": "PS1", "State": state,
                "PackageType": ptype, "SourceVersion": 3, "LastCopied": "2026-11-25T22:10:00Z",
                "SummaryDate": summary, "SecureObjectID": secure or pkg}
    rows = [content("PS100095", "DP01.corp.example", 3), content("PS100095", "dp02.branch.corp.example", 0),
            content("PS100095", "DP03", 6), content("PS100095", SERVER100, 0),
            content("PS1000C1", "DP01.corp.example", 2, 3), content("PS1000C1", "DP03", 9, 3, summary=None),
            content("PS1", "DP01.corp.example", 8, 257), content("PS1000F2", "DP01.corp.example", 7, 8, app),
            content("PS1000F2", "DP03", 0, 8, app), content("PS1000F3", SERVER100, 3, 8, app)]
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump({"SMS_DistributionStatus": status, "SMS_DPStatusInfo": dps,
                   "SMS_PackageStatusDistPointsSummarizer": rows}, f, indent=1)
    return 0


CHECKS = {
    "parse": check_parse, "schema": check_schema, "uuids": check_uuids, "keys": check_keys,
    "oids": check_oids, "access": check_access, "syntax": check_syntax,
    "valuemaps": check_valuemaps, "discovery": check_discovery, "triggers": check_triggers,
    "traps": check_traps, "js-date": check_js_date, "js-lld": check_js_lld,
    "trap-match": check_trap_match, "live-scalars": check_live_scalars,
    "live-prototypes": check_live_prototypes, "live-lld": check_live_lld,
    "live-dates": check_live_dates,
}


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("check", choices=sorted(CHECKS) + ["send-traps", "js-engine", "make-combined"])
    ap.add_argument("--template")
    ap.add_argument("--mibdirs", default="")
    ap.add_argument("--nomibs", default="/nonexistent")
    ap.add_argument("--port")
    ap.add_argument("--dir")
    ap.add_argument("--log")
    ap.add_argument("--form")
    ap.add_argument("--out")
    ap.add_argument("--input")
    ap.add_argument("--tables-input", help="live checks: the combined export smsdistd serves "
                    "(its per-DP tables, read by check_tables.py; --input is its status rows)")
    ap.add_argument("--top-srcdir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    a = ap.parse_args(argv)
    if a.check == "js-engine":
        eng = js_engine()
        print(eng.name if eng else "none")
        return 0
    mib = Mib(a.mibdirs)
    if a.check == "send-traps":
        return send_traps(mib, a)
    if a.check == "make-combined":
        return make_combined(a)
    problems = Problems()
    try:
        doc = load(a.template)
    except Exception as e:    # the YAML itself: every check reports it
        print("%s: does not parse: %s" % (a.template, e))
        return 1
    if a.check != "parse":
        try:
            the_template(doc)
        except (KeyError, IndexError, TypeError) as e:
            print("no template to check (%s): see the parse check" % e)
            return 1
    CHECKS[a.check](doc, mib, a, problems)
    return problems.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
