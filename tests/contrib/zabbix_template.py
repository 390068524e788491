#!/usr/bin/env python3
"""zabbix_template.py: checks of the Zabbix templates of contrib/zabbix/.

Each subcommand is one check: it prints what is wrong (one line per
problem) and exits 1, or prints nothing and exits 0. tests/contrib/zabbix.sh
runs them as TAP tests. The MIB is read through net-snmp's snmptranslate
(-M MIBDIRS -m SMS-DISTRIBUTION-STATUS-MIB), never from this script's own
idea of it; the JavaScript steps run in Duktape, the engine Zabbix embeds
(libduktape through ctypes), or in node when Duktape is not there.

The Zabbix 6.0 template (--template, smsdistd_template.yaml) is the source;
the 7.0 one (--template7, smsdistd_template_7.0.yaml) is generated from it by
contrib/zabbix/convert-7.0.py.

Usage: zabbix_template.py CHECK --template FILE [--template7 FILE] --mibdirs DIRS [options]

Static checks of the 6.0 template (against the MIB and the Zabbix 6.0 format):
  parse       YAML parses; version '6.0', top-level groups:, one template
  schema      only keys and enum names the 6.0 import format knows; every
              scalar a string (the importer wants strings, never YAML ints)
  uuids       every object that needs one has a UUID: v4, 32 hex digits, unique
  keys        item keys unique, well formed; prototype keys carry a macro
  oids        every OID (items, prototypes, discovery[]) names an object of
              the MIB, and round-trips through snmptranslate
  access      scalars end in .0, prototypes in .{#SNMPINDEX} on a column of
              the table their discovery rule walks (RULES); every readable
              object of the MIB is read: polled, walked by a discovery[], or
              carried by a notification that an snmptrap item receives; or
              else it is in LEFT_OUT, with the reason
  syntax      value_type fits the SYNTAX; INTEGER enums carry the value map
              of their TEXTUAL-CONVENTION with exactly its enumeration;
              DateAndTime has a JavaScript step; UNITS "seconds" -> s
  valuemaps   referenced maps exist, defined maps are used, values unique;
              an item with a value map (an enumeration) keeps no trends
  macros      every SNMP item, prototype and discovery rule polls at a user
              macro of the template; every user macro used is defined, every
              one defined is used
  discovery   the three rules of RULES: discovery[] macros/OIDs, the columns
              their prototypes poll; every LLD macro used is defined; the
              rows-in-error rule: rows only through a JSONPath step (before
              any JavaScript) and an LLD filter on {#TYPE} with one user
              macro whose default lets exactly Types 3 and 4 through,
              lifetime 0, no trigger prototype; the status and DP rules'
              prototypes discard a vanished row's "no such instance"; the DP
              rule's lifetime (a macro) outlasts its triggers' nodata()
              period, which outlasts its items' interval
  triggers    expressions parse, reference this template's items (prototypes:
              and its prototypes), known functions, defined user macros; no
              backslash in their strings; no {ITEM.VALUE}/{ITEM.LASTVALUE} in
              a trigger's name; dependencies name existing triggers
  trap-triggers  the per-row problems made from notifications (ROW_PROBLEMS):
              one trigger on the snmptrap item of each entered/left pair,
              type MULTIPLE, find(...,"regexp",...) on that item to open and
              to close, correlated on a tag made by {{ITEM.VALUE}.regsub()};
              the problem regex matches the entered notification only, the
              recovery regex the left one only; dependencies
  traps       the snmptrap items of TRAP_GROUPS plus the fallback: each
              notification matched by the one item that names it and no
              other, in the three forms snmptrapd prints
  graphs      graphs show numeric items of the template; the dashboard's
              widgets name existing graphs and items and fit the grid
  js-date     the DateAndTime step on hand-made values
  js-lld      each rule's discovery step on hand-made discovery[] output

The 7.0 template (--template7), and both:
  convert-7.0 convert-7.0.py makes of --template exactly --template7
  v7-format   version 7.0; each discovery rule DEPENDENT on a walk[] master
              item that walks every OID of its SNMP_WALK_TO_JSON step and of
              its prototypes' SNMP_WALK_VALUE steps (columns of its table;
              the 6.0 discovery[]'s macros); every prototype DEPENDENT on it,
              SNMP_WALK_VALUE first with error handler DISCARD_VALUE;
              lifetimes as in 6.0; UUIDs; graphs and dashboard
  v7-traps    the snmptrap items (their triggers) and every other trigger
              are the 6.0 ones
  lengths     (both templates) keys within 255 characters; the names of
              items, rules, prototypes and triggers, tags and (6.0) SNMP OIDs
              within Zabbix's sizes once the LLD macros take the longest
              values the discovery can give (LONGEST); the correlation tag of
              the longest row within 255

Checks against what snmptrapd printed (tests/contrib/zabbix.sh captures it):
  send-traps  (helper, not a check) sends every notification of the MIB to
              snmptrapd on --port and files what it wrote under --dir
  make-combined (helper) writes --out, a combined export of --input's rows
              and hand-made distribution points and content rows
  trap-match  in every form captured under --dir (the handler's input made
              into Zabbix's value by contrib/zabbix/smsdistd-zabbix-traphandle,
              and snmptrapd's log line): each snmptrap regex matches its own
              notifications and no other; the row triggers' problem and
              recovery regexes their entered and left notifications only, the
              correlation tag is the row's index, the event name (names) is
              filled in

Checks against a live smsdistd (--port; --input: the SMS_DistributionStatus
rows it serves, read by check_walk.py; --tables-input: the combined export it
serves, whose per-DP tables check_tables.py reads):
  live-scalars     every item OID answers, with a type fitting value_type
  live-prototypes  every prototype OID answers for the first and last rows
                   of its table (and the longest index)
  live-lld         discovery[] as Zabbix builds it, through the JSONPath step
                   (emulated), the discovery step and the LLD filter (the
                   macros' defaults): exactly the status rows in error, with
                   their ObjectID and MessageCategory; every DP with its
                   {#DPSERVER}, {#DPNAME}, yes/no and version; the sources of
                   the two DP tables
  live-dates       every row's LastUpdateDate (what the row notifications
                   carry) and every DP's LastStatusTime, as Zabbix receives
                   them, through the template's date step: the oracle's date
"""

import argparse
import ctypes
import ctypes.util
import datetime as dt
import difflib
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import warnings

MODULE = "SMS-DISTRIBUTION-STATUS-MIB"
TEMPLATE_NAME = "SCCM distribution status by SNMP (smsdistd)"
ENTRY = "smsDistStatusEntry"
PLAYPEN = ".1.3.6.1.4.1.8072.9999.9999"     # NET-SNMP-MIB::netSnmpPlaypen
DISCOVERY_MACROS = {"{#TYPE}": "smsDistStatusType", "{#PKGID}": "smsDistStatusPackageID",
                    "{#OBJTYPE}": "smsDistStatusObjectTypeID"}
STATUS_RULE = "smsdist.status.discovery"
LOAD_RULE = "smsdist.load.discovery"
DP_RULE = "smsdist.dp.discovery"
# smsdistd's default errorTypes: what the rows-in-error filter's default must
# let through, of these Type values (the MIB's, others smsdistd serves
# unchanged, and numbers an unanchored regex would let through too)
ERROR_TYPES = {"3", "4"}
TYPE_VALUES = {str(n) for n in range(0, 10)} | {"13", "34", "43", "2147483647"}
# The discovery rules, by key: the table (entry) each one walks, the
# discovery[] macros it reads (macro -> column), the macros its JavaScript
# step adds, and the columns its prototypes poll (when the design fixes
# them). smsDistStatusTable (20,000 rows on a site) gives items only to its
# rows in error ("filtered": a JSONPath step before the JavaScript one, and
# the LLD filter, on a user macro), no trigger (the per-row problems come
# from the notifications: ROW_PROBLEMS), and they go as soon as they leave
# error (lifetime 0). "discard_missing": the prototypes discard a vanished
# row's "no such instance" (CHECK_NOT_SUPPORTED first) instead of going
# unsupported until the next discovery; "lost_after_nodata": the rule's
# lifetime (a user macro) outlasts the nodata() period of its triggers, which
# outlasts its items' interval, so that a vanished DP's problem ends before
# its items and trigger are deleted. smsDistContentDPTable (a million rows on
# a large hierarchy) has no rule: notifications and summary scalars.
RULES = {
    STATUS_RULE: {"entry": ENTRY, "discovery": DISCOVERY_MACROS,
                  "js": {"{#OBJECTID}", "{#MSGCAT}", "{#CONTENT}"},
                  "columns": {"smsDistStatusAssets"}, "trigger_prototypes": 0, "lifetime": "0",
                  "discard_missing": True,
                  "filtered": ("{#TYPE}", "smsDistStatusType", ERROR_TYPES, TYPE_VALUES,
                               "smsdistd's default errorTypes")},
    LOAD_RULE: {"entry": "smsDistLoadEntry", "discovery": {"{#URI}": "smsDistLoadURI"},
                "js": {"{#TABLEID}", "{#TABLE}"}},
    DP_RULE: {"entry": "smsDistDPEntry",
              "discovery": {"{#DPNAME}": "smsDistDPName", "{#ISPULLDP}": "smsDistDPIsPullDP",
                            "{#ISPXE}": "smsDistDPIsPXE", "{#VERSION}": "smsDistDPVersion"},
              "js": {"{#DPSERVER}", "{#DPNAME}", "{#ISPULLDP}", "{#ISPXE}"},
              "columns": {"smsDistDPMessageState", "smsDistDPNumberErrors", "smsDistDPNumberInProgress",
                          "smsDistDPNumberInstalled", "smsDistDPNumberUnknown", "smsDistDPLastStatusTime"},
              "discard_missing": True, "lost_after_nodata": True},
}
ENTRIES = {r["entry"] for r in RULES.values()} | {"smsDistContentDPEntry"}
# Readable objects that the template reads nowhere (no item, no discovery[],
# no notification it receives carries them), and why. The access check
# fails on an object missing from here and on one listed but read after all.
LEFT_OUT = {
    # per table source, the template polls what calls for action: State (its
    # triggers), Last error, Load failures, Rows served and rejected, Data
    # age; the dates, the load count, the duplicates and staleAfter add
    # nothing to those (a walk of smsDistLoadTable or smsdistd's log has them)
    "smsDistLoadLastGood": "the table's Data age says it",
    "smsDistLoadLastAttempt": "the State and Load failures say whether loads fail",
    "smsDistLoadLastErrorTime": "the Last error item's own timestamp",
    "smsDistLoadCount": "Load failures and the State tell of failures; successes need no item",
    "smsDistLoadRowsDuplicate": "logged by smsdistd; no action follows from it",
    "smsDistLoadStaleAfter": "configuration, the stale State is what matters",
    # smsDistContentDPTable (a million rows on a large hierarchy) is never
    # walked: its rows reach Zabbix through smsDistContentDPEnteredFailed and
    # LeftFailed (State, SiteCode, SecureObjectID) and the smsDistDPSummary
    # scalars; these columns are in no notification
    "smsDistContentDPPackageType": "content-on-DP row detail: not walked (notifications and summaries)",
    "smsDistContentDPSourceVersion": "content-on-DP row detail: not walked (notifications and summaries)",
    "smsDistContentDPLastCopied": "content-on-DP row detail: not walked (notifications and summaries)",
    "smsDistContentDPSummaryDate": "content-on-DP row detail: not walked (notifications and summaries)",
}
# The snmptrap[] items: the notifications each one is for (its description
# names them first), plus snmptrap.fallback.
TRAP_GROUPS = [
    ("smsDistRowEnteredError", "smsDistRowLeftError"),
    ("smsDistContentDPEnteredFailed", "smsDistContentDPLeftFailed"),
    ("smsDistDPErrorsRaised", "smsDistDPErrorsCleared"),
    ("smsDistSourceFailed", "smsDistSourceStale", "smsDistSourceRecovered"),
    ("smsDistNotificationsSuppressed",),
]
# The per-row problems made from notifications: the item of each (entered,
# left) pair carries one trigger, opened by the first notification and closed
# by the second for the same row (event tag: the row's index, from the
# trap's text); the value: the item whose trigger the per-row one depends on
# (one alert for a failure of many rows), or None.
ROW_PROBLEMS = {
    ("smsDistRowEnteredError", "smsDistRowLeftError"): "smsdist.rows.error",
    ("smsDistContentDPEnteredFailed", "smsDistContentDPLeftFailed"): None,
}
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
TRIGGER_TYPES = {"SINGLE", "MULTIPLE"}
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


def rule_triggers(d):
    """The trigger prototypes of a discovery rule (on its prototypes or on it)."""
    return [tr for p in d.get("item_prototypes") or [] for tr in p.get("trigger_prototypes") or []] + \
        list(d.get("trigger_prototypes") or [])


def js_steps(obj):
    return [s["parameters"][0] for s in obj.get("preprocessing") or []
            if s.get("type") == "JAVASCRIPT" and s.get("parameters")]


def snmp_items(t):
    return [i for i in items(t) if i.get("type") == "SNMP_AGENT"]


def trap_items(t):
    return [i for i in items(t) if i.get("type") == "SNMP_TRAP"]


def user_macros(t):
    return {m.get("macro"): m.get("value") for m in t.get("macros") or []}


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


def parse_walk(snmp_oid):
    """[oid] from walk[oid,oid,...] (Zabbix 7.0), or None."""
    m = re.fullmatch(r"walk\[(.*)\]", snmp_oid or "")
    if not m:
        return None
    parts = [p.strip() for p in m.group(1).split(",")]
    return parts if all(parts) else None


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


KEY_NAME_RE = re.compile(r"[0-9A-Za-z_.-]+")


def key_end(s, k):
    """Where the item key that starts at s[k] ends (past its ']'), or -1:
    quoted parameters ("..." with \\" inside) may hold anything."""
    m = KEY_NAME_RE.match(s, k)
    if not m:
        return -1
    k = m.end()
    if k >= len(s) or s[k] != "[":
        return k
    depth, start = 0, True
    while k < len(s):
        c = s[k]
        if start and c == " ":
            k += 1
            continue
        if start and c == '"':
            k += 1
            while k < len(s) and s[k] != '"':
                k += 2 if s[k] == "\\" and s[k + 1:k + 2] == '"' else 1
            if k >= len(s):
                return -1
            k += 1
            start = False
            continue
        start = False
        if c == "[":
            depth += 1
            start = True
        elif c == "]":
            depth -= 1
            if depth == 0:
                return k + 1
        elif c == ",":
            start = True
        k += 1
    return -1


QUERY_RE = re.compile(r"([a-z]+)\(\s*/([^/]*)/")


def read_quoted(s, k):
    """(the text between the quotes, as written; where it ends) of the
    expression string constant at s[k] ('"'), or (None, -1)."""
    j = k + 1
    while j < len(s) and s[j] != '"':
        j += 2 if s[j] == "\\" else 1
    return (s[k + 1:j], j + 1) if j < len(s) else (None, -1)


def expr_parse(expr):
    """([(function, host, key, [other parameters])], [string constants as
    written]) of a 6.0 trigger expression, or None when it does not parse.
    The item queries (/host/key) are not string constants: their keys have
    their own quoting."""
    calls, strings, k = [], [], 0
    while k < len(expr):
        m = QUERY_RE.match(expr, k)
        if m and (k == 0 or not re.match(r"[a-z]", expr[k - 1])):
            end = key_end(expr, m.end())
            if end < 0:
                return None
            key, params, k = expr[m.end():end], [], end
            while k < len(expr) and expr[k] == ",":
                k += 1
                while k < len(expr) and expr[k] == " ":
                    k += 1
                if k < len(expr) and expr[k] == '"':
                    raw, k = read_quoted(expr, k)
                    if raw is None:
                        return None
                    strings.append(raw)
                    params.append(raw.replace('\\"', '"').replace("\\\\", "\\"))
                else:
                    j = k
                    while j < len(expr) and expr[j] not in ",)":
                        j += 1
                    params.append(expr[k:j].strip())
                    k = j
            if k >= len(expr) or expr[k] != ")":
                return None
            calls.append((m.group(1), m.group(2), key, params))
            k += 1
        elif expr[k] == '"':
            raw, k = read_quoted(expr, k)
            if raw is None:
                return None
            strings.append(raw)
        else:
            k += 1
    return calls, strings


POSIX_CLASSES = {"space": r"\s", "digit": r"\d", "alpha": "A-Za-z", "alnum": "A-Za-z0-9",
                 "upper": "A-Z", "lower": "a-z", "xdigit": "0-9A-Fa-f", "blank": " \\t"}


def zabbix_re(rx):
    """A Zabbix (PCRE) regular expression for Python's re: the POSIX classes
    ([[:space:]]) that PCRE knows inside brackets and re does not."""
    for name, cls in POSIX_CLASSES.items():
        rx = rx.replace("[:%s:]" % name, cls)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return re.compile(rx)


# The correlation tags' values start with the host's name: the global event
# correlation rule of README.md (one problem per row) compares tag values,
# and must never join the rows of two hosts.
HOST_PREFIX = "{HOST.HOST}:"


def regsub_macros(text):
    """[(start, end, pattern, output)] of each {{ITEM.VALUE}.regsub("pattern",
    output)} in text, the parameters unquoted as Zabbix does (in a quoted
    one, \\" is ")."""
    out = []
    for m in re.finditer(r"\{\{ITEM\.VALUE\d*\}\.regsub\(", text):
        k, params = m.end(), []
        while True:
            while k < len(text) and text[k] == " ":
                k += 1
            if text[k:k + 1] == '"':
                j, buf = k + 1, ""
                while j < len(text) and text[j] != '"':
                    if text[j] == "\\" and text[j + 1:j + 2] == '"':
                        j += 1
                    buf += text[j]
                    j += 1
                if j >= len(text):
                    break
                k = j + 1
            else:
                j = k
                while j < len(text) and text[j] not in ",)":
                    j += 1
                buf, k = text[k:j].rstrip(), j
            params.append(buf)
            if text[k:k + 1] != ",":
                break
            k += 1
        if text[k:k + 2] == ")}" and len(params) == 2:
            out.append((m.start(), k + 2, params[0], params[1]))
    return out


def regsub(value, pattern, output):
    """What Zabbix's regsub() gives: output with \\N the groups of the first
    match, the empty string when nothing matches."""
    m = zabbix_re(pattern).search(value)
    if not m:
        return ""
    return re.sub(r"\\(\d)", lambda g: (m.group(int(g.group(1))) or "")
                  if int(g.group(1)) <= m.re.groups else "", output)


def expand_regsubs(text, value):
    """text with each {{ITEM.VALUE}.regsub()} replaced by its value on value."""
    out, k = "", 0
    for start, end, pattern, output in regsub_macros(text):
        out += text[k:start] + regsub(value, pattern, output)
        k = end
    return out + text[k:]


DURATION_RE = re.compile(r"(\d+)([smhdw]?)")
DURATION_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def duration(value, macros):
    """Seconds of a Zabbix duration ('15m') or of a user macro's default, or None."""
    value = str(value or "")
    m = re.fullmatch(r"(\{\$[A-Z0-9_.]+)(?::[^}]*)?\}", value)
    if m:
        value = str(macros.get(m.group(1) + "}", ""))
    m = DURATION_RE.fullmatch(value)
    return int(m.group(1)) * DURATION_UNITS[m.group(2)] if m else None
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
    if kind in ("trigger", "trigger_prototype") and obj.get("type", "SINGLE") not in TRIGGER_TYPES:
        problems("%s.type: %r is not one of %s", where, obj.get("type"), ", ".join(sorted(TRIGGER_TYPES)))

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


def uuid_problems(ex, problems, label=""):
    """Every object of an export that needs a UUID has a UUIDv4, unique."""
    t = ex["templates"][0]
    groups = ex.get("groups") or ex.get("template_groups") or []
    objs = [("group %s" % g.get("name"), g) for g in groups]
    objs.append(("template", t))
    objs += [("item %s" % i.get("key"), i) for i in items(t)]
    objs += [("discovery rule %s" % d.get("key"), d) for d in drules(t)]
    objs += [("prototype %s" % p.get("key"), p) for p in prototypes(t)]
    objs += [("trigger %s" % tr.get("name"), tr) for tr, _, _ in triggers(t)]
    objs += [("value map %s" % v.get("name"), v) for v in t.get("valuemaps") or []]
    objs += [("dashboard %s" % v.get("name"), v) for v in t.get("dashboards") or []]
    objs += [("graph %s" % g.get("name"), g) for g in ex.get("graphs") or []]
    seen = {}
    for what, o in objs:
        u = o.get("uuid")
        what = label + what
        if u is None:
            problems("%s: no uuid", what)
        elif not UUID_RE.fullmatch(str(u)):
            problems("%s: uuid %r is not a UUIDv4 as 32 lower-case hex digits", what, u)
        elif u in seen:
            problems("%s: uuid %s already used by %s", what, u, seen[u])
        else:
            seen[u] = what


def check_uuids(doc, mib, a, problems):
    uuid_problems(doc["zabbix_export"], problems)


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
    # the columns that discovery[] walks, and what the notifications carry
    walked = {mib.name_of(o)[0] for d in drules(t) for _, o in parse_discovery(d.get("snmp_oid")) or []}
    names = {n for n, _ in mib.notifications()}
    received = {n for i in trap_items(t) for n in trap_intent(i, names)}
    carried = {o for n in received for o in (mib.describe(n) or {}).get("objects") or []}
    readable = mib.readable()
    if not readable:
        problems("snmptranslate listed no readable object of %s", MODULE)
    read = polled | walked | carried
    for name, num, is_col in readable:
        if name not in read and name not in LEFT_OUT:
            problems("%s (%s, a %s) is readable but the template reads it nowhere (no item, no "
                     "discovery[], no notification it receives) and LEFT_OUT does not say why",
                     name, num, "column" if is_col else "scalar")
    for name in sorted(LEFT_OUT):
        if name in read:
            problems("%s is in LEFT_OUT (%s) but the template reads it (%s): take it out of the list",
                     name, LEFT_OUT[name], ", ".join(w for w, s in (("polled", polled), ("discovery[]", walked),
                                                                   ("notifications", carried)) if name in s))
        elif name not in {n for n, _, _ in readable}:
            problems("%s is in LEFT_OUT but is no readable object of the MIB", name)


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
    for what, i in [("item", i) for i in items(t)] + [("prototype", p) for p in prototypes(t)]:
        vm = (i.get("valuemap") or {}).get("name")
        if vm:
            used.add(vm)
            if vm not in defined:
                problems("%s uses value map %r, which the template does not define", i.get("key"), vm)
            # an enumeration's average means nothing, and the 6.0 default
            # (trends kept 365d when the key is absent) costs trend rows
            if str(i.get("trends")) != "0":
                problems("%s %s: value map %s (an enumeration) but trends %r, want '0'", what, i.get("key"),
                         vm, i.get("trends", "absent: 365d"))
    for name in defined:
        if name not in used:
            problems("value map %r is defined but no item uses it", name)


USER_MACRO_RE = re.compile(r"\{\$[A-Z0-9_.]+\}")
USER_MACRO_USE_RE = re.compile(r"\{\$[A-Z0-9_.]+(?::[^}]*)?\}")


def macros_used(obj, skip=("description",)):
    """The user macros (without context) that obj uses, its skip fields left out."""
    if isinstance(obj, dict):
        return set().union(*[macros_used(v, skip) for k, v in obj.items() if k not in skip] or [set()])
    if isinstance(obj, list):
        return set().union(*[macros_used(v, skip) for v in obj] or [set()])
    if isinstance(obj, str):
        return {re.match(r"\{\$[A-Z0-9_.]+", m).group(0) + "}" for m in USER_MACRO_USE_RE.findall(obj)}
    return set()


def check_macros(doc, mib, a, problems):
    t = the_template(doc)
    macros = user_macros(t)
    for what, o in [("item", i) for i in snmp_items(t)] + \
            [("prototype", p) for p in prototypes(t) if p.get("type") == "SNMP_AGENT"] + \
            [("discovery rule", d) for d in drules(t) if d.get("type") == "SNMP_AGENT"]:
        v = str(o.get("delay", ""))
        if not USER_MACRO_RE.fullmatch(v):
            problems("%s %s: delay %r is not a user macro (every interval is the host's to set)",
                     what, o.get("key"), v)
        elif v not in macros:
            problems("%s %s: delay %s is not a macro of the template", what, o.get("key"), v)
        elif duration(v, macros) is None:
            problems("%s %s: delay %s's default %r is not an interval", what, o.get("key"), v, macros[v])
    ex = dict(doc["zabbix_export"], templates=[dict(t, macros=[])])
    for m in sorted(macros_used(ex, skip=()) - set(macros)):
        problems("%s is used (or named in a description) but the template does not define it", m)
    for m in sorted(set(macros) - macros_used(ex)):
        problems("%s is defined but nothing uses it (descriptions aside)", m)


def lld_macros(text):
    return set(re.findall(r"\{#[A-Z0-9_.]+\}", text or ""))


JSONPATH_FILTER_RE = re.compile(r"\$\[\?\(@\['(\{#[A-Z0-9_.]+\})'\] =~ \"(\{\$[A-Z0-9_.]+\})\"\)\]")


def proto_column(mib, p):
    """The MIB name of the column a 6.0 prototype polls, or None."""
    o = p.get("snmp_oid", "")
    if not o.endswith(".{#SNMPINDEX}"):
        return None
    name, rest = mib.name_of(o[:-len(".{#SNMPINDEX}")])
    return name if rest == "" else None


def check_discovery(doc, mib, a, problems):
    t = the_template(doc)
    keys = [d.get("key") for d in drules(t)]
    if sorted(keys) != sorted(RULES):
        problems("discovery rules %s, want %s", ", ".join(sorted(map(str, keys))), ", ".join(sorted(RULES)))
    macros = user_macros(t)
    for d in drules(t):
        spec = RULES.get(d.get("key"))
        if spec is None:
            continue
        entry = spec["entry"]
        w = "discovery rule %s" % d.get("key")
        if d.get("type") != "SNMP_AGENT":
            problems("%s: type %s, want SNMP_AGENT", w, d.get("type"))
        pairs = parse_discovery(d.get("snmp_oid")) or []
        got = {}
        for macro, o in pairs:
            name, rest = mib.name_of(o)
            got[macro] = name if rest == "" else "%s%s" % (name, rest)
            dd = mib.describe(name) if name else None
            if not dd or dd["parent"] != entry:
                problems("discovery %s %s: %s is not a column of %s", d.get("key"), macro, o, entry)
        if got != spec["discovery"]:
            problems("%s: discovery[] is %s, want %s", w, got, spec["discovery"])
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
        protos = d.get("item_prototypes") or []
        for p in protos:
            if not lld_macros(p.get("name")):
                problems("prototype %s: its name has no LLD macro (every row's item would look alike)", p.get("key"))
        if spec.get("columns") is not None:
            cols = sorted(str(proto_column(mib, p)) for p in protos)
            if cols != sorted(spec["columns"]):
                problems("%s: its %d prototypes poll %s, want %s", w, len(protos), ", ".join(cols),
                         ", ".join(sorted(spec["columns"])))
        if spec.get("trigger_prototypes") is not None and len(rule_triggers(d)) != spec["trigger_prototypes"]:
            problems("%s: %d trigger prototypes, want %d%s", w, len(rule_triggers(d)), spec["trigger_prototypes"],
                     " (its problems come from the notifications)" if d.get("key") == STATUS_RULE else "")
        if spec.get("lifetime") is not None and str(d.get("lifetime")) != spec["lifetime"]:
            problems("%s: lifetime %r, want %r (the items of a row that left error go at once)", w,
                     d.get("lifetime"), spec["lifetime"])
        if spec.get("discard_missing"):
            for p in protos:
                st = (p.get("preprocessing") or [{}])[0]
                if st.get("type") != "CHECK_NOT_SUPPORTED" or st.get("error_handler") != "DISCARD_VALUE":
                    problems("prototype %s: its first step is %s (error handler %s), want CHECK_NOT_SUPPORTED "
                             "with DISCARD_VALUE: a vanished row's 'no such instance' would make the item "
                             "unsupported until it is deleted", p.get("key"), st.get("type"),
                             st.get("error_handler"))
        if spec.get("lost_after_nodata"):
            check_lost_after_nodata(t, d, macros, problems)
        if spec.get("filtered"):
            check_filtered(d, spec["filtered"], macros, problems)


def check_lost_after_nodata(t, d, macros, problems):
    """The rule's lifetime, a user macro, outlasts the nodata() period of its
    trigger prototypes (a vanished row's items keep their last value, since
    'no such instance' is discarded: its problem ends by nodata()), which
    outlasts the interval of its items."""
    w = "discovery rule %s" % d.get("key")
    life = str(d.get("lifetime", ""))
    if not USER_MACRO_RE.fullmatch(life):
        problems("%s: lifetime %r is not a user macro", w, life)
        return
    if life not in macros:
        problems("%s: lifetime %s is not a macro of the template", w, life)
        return
    periods = []
    for tr in rule_triggers(d):
        for fn, host, key, params in (expr_parse(tr.get("expression", "")) or ([], []))[0]:
            if fn == "nodata":
                periods.append((params[0] if params else "", duration(params[0] if params else "", macros)))
    if not periods:
        problems("%s: no trigger prototype uses nodata(): the problem of a vanished row would stay open "
                 "until its trigger is deleted", w)
        return
    delays = [(p.get("delay", ""), duration(p.get("delay", ""), macros)) for p in d.get("item_prototypes") or []]
    lifetime = duration(life, macros)
    for text, secs in periods + delays + [(life, lifetime)]:
        if secs is None:
            problems("%s: %r is not a duration (nor a macro whose default is one)", w, text)
    if any(s is None for _, s in periods + delays) or lifetime is None:
        return
    for text, secs in periods:
        if not lifetime > secs:
            problems("%s: lifetime %s (%r) is not longer than the nodata() period %s (%ds): the items and "
                     "trigger of a vanished row would go before its problem ends", w, life, macros[life],
                     text, secs)
        for dtext, dsecs in delays:
            if not secs > dsecs:
                problems("%s: the nodata() period %s (%ds) is not longer than the items' interval %s (%ds)",
                         w, text, secs, dtext, dsecs)


def check_filtered(d, filtered, macros, problems):
    """A discovery rule over a table too large for one item per row: only the
    rows whose column (the LLD macro) matches a user macro become items. The
    JSONPath step keeps them before any JavaScript runs (the JavaScript
    engine's memory is limited, the full discovery value is not), and the LLD
    filter says the same; the macro's default lets through smsdistd's
    default set of values and nothing else."""
    macro, column, wanted, universe, what = filtered
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
                     "params []), else the rule goes unsupported while nothing is in error", w)
    if user in macros:
        if re.search(r'["\\]', str(macros[user])):
            problems("%s: %s's default %r has a double quote or backslash: it is inside the JSONPath "
                     "step's string", w, user, macros[user])
        try:
            rx = re.compile(macros[user])
        except re.error as e:
            problems("%s: %s's default %r does not compile: %s", w, user, macros[user], e)
            return
        passed = {v for v in universe if rx.search(v)}
        if passed != wanted:
            problems("%s: %s's default %r lets %s %s through, want exactly %s (%s)", w, user, macros[user],
                     column, sorted(passed, key=int), sorted(wanted, key=int), what)


ITEM_VALUE_RE = re.compile(r"\{ITEM\.(?:LAST)?VALUE\d*\}")


def check_triggers(doc, mib, a, problems):
    t = the_template(doc)
    host = t.get("template")
    item_keys = {i.get("key") for i in items(t)}
    proto_keys = {p.get("key") for p in prototypes(t)}
    macros = user_macros(t)
    all_trig = triggers(t)
    by_name = {}
    for tr, proto, where in all_trig:
        if (tr.get("name"), proto) in by_name:
            problems("%s: trigger name %r used twice", where, tr.get("name"))
        by_name[(tr.get("name"), proto)] = tr
    for tr, proto, where in all_trig:
        w = "%s: trigger %r" % (where, tr.get("name"))
        # the name is fixed when the problem opens (and shown in the list of
        # triggers with the macro unexpanded): values belong in event_name
        # and opdata
        if ITEM_VALUE_RE.search(tr.get("name", "")):
            problems("%s: the name has %s: a problem's name keeps the value of its start; put it in "
                     "event_name or opdata", w, ITEM_VALUE_RE.search(tr.get("name", "")).group(0))
        refs = []
        for field in ("expression", "recovery_expression"):
            if not tr.get(field):
                continue
            parsed = expr_parse(tr[field])
            if parsed is None:
                problems("%s: the %s does not parse: %s", w, field, tr[field])
                continue
            refs += parsed[0]
            for s in parsed[1]:
                if "\\" in s:
                    problems("%s: the %s's string \"%s\" has a backslash (write [.] and [[:space:]] "
                             "in regular expressions)", w, field, s)
        if not refs:
            problems("%s: the expression references no item", w)
        hit_proto = False
        for fn, h, key, _ in refs:
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
        for m in sorted(macros_used(tr, skip=()) - set(macros)):
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
    if not any(proto and "/%s/smsdist.dp.errors[{#SNMPINDEX}])>{$SMSDIST.DP.ERRORS.MAX" % host
               in tr.get("expression", "") for tr, proto, _ in all_trig):
        problems("no trigger prototype for a distribution point with errors "
                 "(smsdist.dp.errors[{#SNMPINDEX}] > {$SMSDIST.DP.ERRORS.MAX})")


# ---------------------------------------------------------------------------
# Notifications: the snmptrap items and the triggers on them

TRAP_INTENT_RE = re.compile(r"((?:%s::\w+, )*%s::\w+)" % (re.escape(MODULE), re.escape(MODULE)))


def trap_intent(item, names):
    """The notifications an snmptrap item says it is for: the NAME of each
    MODULE::NAME, its description's first words."""
    m = TRAP_INTENT_RE.match(item.get("description") or "")
    got = [x.split("::")[1] for x in m.group(1).split(", ")] if m else []
    return got if got and all(g in names for g in got) else []


def printed_forms(name, num):
    """What snmptrapd prints of a notification's snmpTrapOID, as the trap
    receiver hands it to Zabbix: numeric (-On, no MIB), names (the MIB
    loaded), playpen (only NET-SNMP-MIB loaded)."""
    return [("numeric", ".1.3.6.1.6.3.1.1.4.1.0 %s\n" % num),
            ("names", "SNMPv2-MIB::snmpTrapOID.0 %s::%s\n" % (MODULE, name)),
            ("playpen", "SNMPv2-MIB::snmpTrapOID.0 NET-SNMP-MIB::netSnmpPlaypen%s\n" % num[len(PLAYPEN):])]


def find_regexp(expr, host, key):
    """P of the expression find(/host/key,,"regexp","P")=1, or None."""
    parsed = expr_parse(expr or "")
    if not parsed or len(parsed[0]) != 1:
        return None
    fn, h, k, params = parsed[0][0]
    if fn != "find" or h != host or k != key or len(params) != 3 or params[:2] != ["", "regexp"] or \
            len(parsed[1]) != 2:
        return None
    return params[2] if expr == 'find(/%s/%s,,"regexp","%s")=1' % (host, key, parsed[1][1]) else None


def row_trigger(t, item, problems):
    """The trigger on the snmptrap item of an entered/left pair, checked:
    (problem regex, recovery regex, correlation tag (pattern, output)), or
    None (the problems say why)."""
    host = t.get("template")
    w = "trap item %s" % item.get("key")
    trs = item.get("triggers") or []
    if len(trs) != 1:
        problems("%s: %d triggers, want 1 (one problem per row, opened and closed by its notifications)",
                 w, len(trs))
        return None
    tr = trs[0]
    w = "%s: trigger %r" % (w, tr.get("name"))
    ok = True
    for field, want in (("type", "MULTIPLE"), ("recovery_mode", "RECOVERY_EXPRESSION"),
                        ("correlation_mode", "TAG_VALUE")):
        if tr.get(field) != want:
            problems("%s: %s %s, want %s", w, field, tr.get(field), want)
            ok = False
    rx = {}
    for field in ("expression", "recovery_expression"):
        rx[field] = find_regexp(tr.get(field), host, item.get("key"))
        if rx[field] is None:
            problems("%s: the %s is not find(/%s/<this item's key>,,\"regexp\",\"<regex>\")=1: %s", w,
                     field, host, tr.get(field))
            ok = False
            continue
        try:
            zabbix_re(rx[field])
        except re.error as e:
            problems("%s: the %s's regex does not compile: %s", w, field, e)
            ok = False
    tag = tr.get("correlation_tag")
    tags = [x for x in tr.get("tags") or [] if x.get("tag") == tag]
    subs = regsub_macros(tags[0].get("value", "")) if len(tags) == 1 else []
    if not tag or len(tags) != 1:
        problems("%s: correlation_tag %r is not exactly one of its tags", w, tag)
        ok = False
    elif len(subs) != 1 or subs[0][:2] != (len(HOST_PREFIX), len(tags[0].get("value", ""))) or \
            not tags[0].get("value", "").startswith(HOST_PREFIX):
        problems("%s: the value of its tag %s, %r, is not %s{{ITEM.VALUE}.regsub(\"<regex>\", <output>)}: "
                 "the host (so that global event correlation never joins two hosts' rows) and the row's "
                 "index from the trap's text", w, tag, tags[0].get("value"), HOST_PREFIX)
        ok = False
    return (rx["expression"], rx["recovery_expression"], subs[0][2:]) if ok else None


def check_trap_triggers(doc, mib, a, problems):
    t = the_template(doc)
    names = {n for n, _ in mib.notifications()}
    forms = [(n, form, text) for n, num in mib.notifications() for form, text in printed_forms(n, num)]
    by_intent = {tuple(trap_intent(i, names)): i for i in trap_items(t)}
    trig = {(tr.get("name"), tr.get("expression")): (tr, where) for tr, proto, where in triggers(t) if not proto}
    for pair, depends in ROW_PROBLEMS.items():
        item = by_intent.get(pair)
        if item is None:
            problems("no snmptrap item for %s (its description naming them): see traps", " and ".join(pair))
            continue
        got = row_trigger(t, item, problems)
        if got is None:
            continue
        w = "trap item %s: trigger %r" % (item.get("key"), item["triggers"][0].get("name"))
        for field, rx, mine in (("problem", got[0], pair[0]), ("recovery", got[1], pair[1])):
            for n, form, text in forms:
                if bool(zabbix_re(rx).search(text)) != (n == mine):
                    problems("%s: the %s regex %s %s (%s form: %r)", w, field, rx,
                             "misses" if n == mine else "also matches", n, text.strip())
        deps = item["triggers"][0].get("dependencies") or []
        if depends is not None:
            on = [trig.get((dep.get("name"), dep.get("expression"))) for dep in deps]
            if not any(x and x[1] == "item %s" % depends for x in on):
                problems("%s: depends on %s, want the trigger of %s (one alert for a failure of many rows)",
                         w, [dep.get("name") for dep in deps] or "nothing", depends)


def check_traps(doc, mib, a, problems):
    t = the_template(doc)
    notifs = mib.notifications()
    if len(notifs) != 10:
        problems("snmptranslate lists %d NOTIFICATION-TYPEs, expected the MIB's 10", len(notifs))
    traps = trap_items(t)
    keys = [i.get("key") for i in traps]
    if "snmptrap.fallback" not in keys:
        problems("no snmptrap.fallback item")
    regexes, intents = {}, {}
    names = {n for n, _ in notifs}
    for i in traps:
        if i.get("value_type") not in ("LOG", "TEXT", "CHAR"):
            problems("trap item %s: value_type %s cannot hold a trap's text", i.get("key"), i.get("value_type"))
        if i.get("key") == "snmptrap.fallback":
            continue
        intent = trap_intent(i, names)
        if not intent:
            problems("trap item %s: its description must start with %s::<notification>[, %s::<notification>...]: "
                     "the notifications it is for", i.get("key"), MODULE, MODULE)
        rx = trap_regex(i)
        if rx is None:
            problems("trap item key %r is not snmptrap[\"regexp\"]", i.get("key"))
            continue
        try:
            zabbix_re(rx)
        except re.error as e:
            problems("trap item %s: regex does not compile: %s", i.get("key"), e)
            continue
        regexes[i.get("key")] = rx
        intents[i.get("key")] = intent
    got = sorted(tuple(sorted(v)) for v in intents.values())
    want = sorted(tuple(sorted(g)) for g in TRAP_GROUPS)
    if got != want:
        problems("the snmptrap items are for %s, want one item each for %s", got, want)
    for name, num in notifs:
        # this notification's item: the one whose description names it
        mine = [k for k, v in intents.items() if name in v]
        if len(mine) != 1:
            problems("%s (%s): %d snmptrap items name it, want 1", name, num, len(mine))
        for form, text in printed_forms(name, num):
            matched = [k for k, rx in regexes.items() if zabbix_re(rx).search(text)]
            if matched != mine:
                problems("%s (%s form: %r) matches %s, want exactly %s", name, form, text.strip(),
                         matched or "no item", mine or "its item")


def graph_problems(ex, cols, problems, label=""):
    """The export's graphs show numeric items of the template; its
    dashboards' widgets name existing graphs and items and fit the grid
    (cols columns)."""
    t = ex["templates"][0]
    host = t.get("template")
    keys = {i.get("key"): i for i in items(t)}
    graphs = {}
    for g in ex.get("graphs") or []:
        w = "%sgraph %r" % (label, g.get("name"))
        if g.get("name") in graphs:
            problems("%s: defined twice", w)
        graphs[g.get("name")] = g
        if not g.get("graph_items"):
            problems("%s: no graph_items", w)
        for gi in g.get("graph_items") or []:
            ref = gi.get("item") or {}
            if ref.get("host") != host:
                problems("%s: item of host %r, not this template (%s)", w, ref.get("host"), host)
            elif ref.get("key") not in keys:
                problems("%s: no item %s in the template (prototypes are not graphed here)", w, ref.get("key"))
            elif keys[ref["key"]].get("value_type", "UNSIGNED") not in ("UNSIGNED", "FLOAT"):
                problems("%s: item %s is not numeric", w, ref.get("key"))
    for dash in t.get("dashboards") or []:
        for n, page in enumerate(dash.get("pages") or []):
            boxes = []
            for wd in page.get("widgets") or []:
                w = "%sdashboard %r page %d widget %r" % (label, dash.get("name"), n + 1, wd.get("name"))
                x, y = int(wd.get("x", "0")), int(wd.get("y", "0"))
                width, height = int(wd.get("width", "1")), int(wd.get("height", "2"))
                if x + width > cols:
                    problems("%s: x %d + width %d is past the %d columns", w, x, width, cols)
                for other, (ox, oy, ow, oh) in boxes:
                    if x < ox + ow and ox < x + width and y < oy + oh and oy < y + height:
                        problems("%s: overlaps widget %r", w, other)
                boxes.append((wd.get("name"), (x, y, width, height)))
                for f in wd.get("fields") or []:
                    v = f.get("value")
                    if f.get("type") == "GRAPH":
                        if not isinstance(v, dict) or v.get("host") != host or v.get("name") not in graphs:
                            problems("%s: field %s names graph %r, not a graph of the template", w,
                                     f.get("name"), v)
                    elif f.get("type") == "ITEM":
                        if not isinstance(v, dict) or v.get("host") != host or v.get("key") not in keys:
                            problems("%s: field %s names item %r, not an item of the template", w,
                                     f.get("name"), v)
                    elif f.get("type") in ("GRAPH_PROTOTYPE", "ITEM_PROTOTYPE", "HOST", "MAP", "SERVICE", "SLA"):
                        problems("%s: field %s of type %s: not checked here", w, f.get("name"), f.get("type"))


def check_graphs(doc, mib, a, problems):
    graph_problems(doc["zabbix_export"], 24, problems)
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
# a TruthValue the step must not call yes or no (any other non-empty word)
NOT_YESNO = object()
# The other rules' discovery steps: (discovery[] row, what the step must add
# or set), and indexes it must refuse.
LLD_CASES = {
    LOAD_RULE: (
        [({"{#SNMPINDEX}": "1", "{#URI}": "file:/var/lib/smsdistd/all.json"},
          {"{#TABLEID}": "1", "{#TABLE}": "distributionStatus"}),
         ({"{#SNMPINDEX}": "2", "{#URI}": "file:/var/lib/smsdistd/dp.json"},
          {"{#TABLEID}": "2", "{#TABLE}": "dpStatus"}),
         ({"{#SNMPINDEX}": "3", "{#URI}": "https://cm01.corp.example/AdminService/wmi/x"},
          {"{#TABLEID}": "3", "{#TABLE}": "contentOnDp"}),
         ({"{#SNMPINDEX}": "7", "{#URI}": ""}, {"{#TABLEID}": "7", "{#TABLE}": "table 7"})],
        ["2.1", "x", ""]),
    # {#ISPULLDP} {#ISPXE}: TruthValue true(1)/false(2) -> yes/no, as
    # discovery[] (text) or a JSON number
    DP_RULE: (
        [({"{#SNMPINDEX}": str_index("DP01.corp.example"), "{#DPNAME}": "DP01.corp.example",
           "{#ISPULLDP}": "2", "{#ISPXE}": "1", "{#VERSION}": "5.00.9122.1000"},
          {"{#DPSERVER}": "DP01.corp.example", "{#DPNAME}": "DP01.corp.example",
           "{#ISPULLDP}": "no", "{#ISPXE}": "yes"}),
         ({"{#SNMPINDEX}": str_index("dp02"), "{#DPNAME}": "", "{#ISPULLDP}": "1", "{#ISPXE}": "2",
           "{#VERSION}": ""},
          {"{#DPSERVER}": "dp02", "{#DPNAME}": "dp02", "{#ISPULLDP}": "yes", "{#ISPXE}": "no"}),
         ({"{#SNMPINDEX}": str_index(SERVER100), "{#DPNAME}": "Branch 7 (pull)", "{#ISPULLDP}": 1,
           "{#ISPXE}": 2, "{#VERSION}": ""},
          {"{#DPSERVER}": SERVER100, "{#DPNAME}": "Branch 7 (pull)", "{#ISPULLDP}": "yes", "{#ISPXE}": "no"}),
         ({"{#SNMPINDEX}": str_index("DP03"), "{#DPNAME}": "Lab DP 3", "{#ISPULLDP}": "0", "{#ISPXE}": "",
           "{#VERSION}": "5.00.9068.1000"},
          {"{#DPSERVER}": "DP03", "{#DPNAME}": "Lab DP 3", "{#ISPULLDP}": NOT_YESNO, "{#ISPXE}": NOT_YESNO})],
        ["5.68.80", str_index("DP01") + ".1", "0", "3.68.10.80", ""]),
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
                    if v is NOT_YESNO:
                        if not isinstance(g.get(k), str) or g.get(k) in ("yes", "no", ""):
                            problems("discovery step of %s [%s], %s form, index %s: %s is %r for %r, want a "
                                     "word other than yes and no", key, eng.name, shape, row["{#SNMPINDEX}"], k,
                                     g.get(k), row.get(k))
                    elif g.get(k) != v:
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

    disc = [{"{#SNMPINDEX}": index(o, c), "{#TYPE}": "3", "{#PKGID}": p, "{#OBJTYPE}": "2"}
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
# Both templates: what fits in Zabbix's columns once discovered

# The longest value the discovery can give each LLD macro (the MIB's and
# smsdistd's limits; "~" is an octet of 3 digits in an index). Zabbix's
# discovery refuses to create an item or trigger whose name (255), key
# (2048), tag (255) or SNMP OID (6.0: 512) is too long: that row simply has
# no items. User macros and {ITEM.*} stay unexpanded in what is stored.
OBJECTID_LONGEST = "~" * 112        # smsDistStatusObjectID SIZE (1..112)
SERVER_LONGEST = "~" * 100          # smsDistDPServer SIZE (1..100)
LONGEST = {
    "{#OBJECTID}": OBJECTID_LONGEST,
    "{#MSGCAT}": "4294967295",       # Unsigned32
    # the PackageID when there is one (8 characters in ConfigMgr, as
    # smsDistContentDPPackageID's SIZE (1..8) says), else the ObjectID
    "{#PKGID}": "~" * 8,
    "{#CONTENT}": OBJECTID_LONGEST,
    "{#TYPE}": "2147483647", "{#OBJTYPE}": "2147483647",
    "{#DPSERVER}": SERVER_LONGEST,
    # the Name is the distribution point's server FQDN in ConfigMgr (and
    # the server name when empty); smsdistd would serve 255 characters
    "{#DPNAME}": SERVER_LONGEST,
    "{#ISPULLDP}": "unknown", "{#ISPXE}": "unknown",
    "{#VERSION}": "~" * 255,         # DisplayString
    "{#URI}": "~" * 255,
    "{#TABLEID}": "2147483647",
    "{#TABLE}": "table 2147483647",
}
SNMPINDEX_LONGEST = {
    STATUS_RULE: str_index(OBJECTID_LONGEST) + ".4294967295",
    DP_RULE: str_index(SERVER_LONGEST),
    LOAD_RULE: "2147483647",
}
# the longest row of the tables whose rows make problems (ROW_PROBLEMS): its
# index parts
ROW_LONGEST = {ENTRY: [OBJECTID_LONGEST, 4294967295], "smsDistContentDPEntry": ["~" * 8, SERVER_LONGEST]}


def longest(text, rule, w, problems):
    """text with each LLD macro replaced by its longest value."""
    def one(m):
        if m.group(0) == "{#SNMPINDEX}" and rule in SNMPINDEX_LONGEST:
            return SNMPINDEX_LONGEST[rule]
        if m.group(0) in LONGEST:
            return LONGEST[m.group(0)]
        problems("%s: no longest value known for %s (LONGEST)", w, m.group(0))
        return m.group(0)
    return re.sub(r"\{#[A-Z0-9_.]+\}", one, text or "")


def length_problems(t, label, problems):
    objs = [("item", None, i) for i in items(t)]
    for d in drules(t):
        objs.append(("discovery rule", None, d))
        objs += [("prototype", d.get("key"), p) for p in d.get("item_prototypes") or []]
    for what, rule, o in objs:
        w = "%s %s %s" % (label, what, o.get("key"))
        k = o.get("key", "")
        if len(k) > 255:
            problems("%s: the key is %d characters, more than 255", w, len(k))
        sizes = [("key", longest(k, rule, w, problems), 2048),
                 ("name", longest(o.get("name"), rule, w, problems), 255)]
        if o.get("type") == "SNMP_AGENT" and rule:
            sizes.append(("SNMP OID", longest(o.get("snmp_oid"), rule, w, problems), 512))
        for tag in o.get("tags") or []:
            sizes.append(("tag %s" % tag.get("tag"), longest(tag.get("value"), rule, w, problems), 255))
        for size_what, text, size in sizes:
            if len(text) > size:
                problems("%s: the %s is %d characters for the longest values, more than %d: %s", w, size_what,
                         len(text), size, text[:120] + "...")
        for tr in (o.get("triggers") or []) + (o.get("trigger_prototypes") or []):
            tw = "%s trigger %r" % (w, tr.get("name"))
            for field in ("name", "opdata"):
                text = longest(tr.get(field), rule, tw, problems)
                if len(text) > 255:
                    problems("%s: the %s is %d characters for the longest values, more than 255", tw, field,
                             len(text))
            for tag in tr.get("tags") or []:
                if regsub_macros(tag.get("value", "")):
                    continue    # the trap's text: below
                text = longest(tag.get("value"), rule, tw, problems)
                if len(text) > 255:
                    problems("%s: tag %s is %d characters for the longest values, more than 255", tw,
                             tag.get("tag"), len(text))


def check_lengths(doc, mib, a, problems):
    length_problems(the_template(doc), "6.0", problems)
    length_problems(the_template(a.doc7), "7.0", problems)
    # the row problems' correlation tag, for the longest row, in the form
    # the event names are made for (snmptrapd with the MIB loaded, names):
    # Zabbix cuts an event tag's value at 255 characters, and two rows cut to
    # the same value would close each other's problems
    t = the_template(doc)
    names = {n for n, _ in mib.notifications()}
    for i in trap_items(t):
        pair = tuple(trap_intent(i, names))
        if pair not in ROW_PROBLEMS:
            continue
        got = row_trigger(t, i, Problems())
        if got is None:
            continue        # the business of trap-triggers
        objects = (mib.describe(pair[0]) or {}).get("objects") or []
        entry = next((mib.describe(o)["parent"] for o in objects
                      if (mib.describe(o) or {}).get("parent") in ROW_LONGEST), None)
        if entry is None:
            problems("%s: no row object among its varbinds %s", pair[0], objects)
            continue
        printed = printed_index(ROW_LONGEST[entry], "names")
        text = "".join("%s::%s%s 3\n" % (MODULE, o, printed) for o in objects)
        tag = regsub(text, *got[2])
        if tag != printed or len(tag) > 255:
            problems("trap item %s: for the longest row its correlation tag is %r (%d characters), want the "
                     "index %r within 255", i.get("key"), tag[:80] + "...", len(tag), printed[:80] + "...")


# ---------------------------------------------------------------------------
# The 7.0 template: generated by convert-7.0.py, one walk[] per table

def check_convert(doc, mib, a, problems):
    script = os.path.join(a.top_srcdir, "contrib", "zabbix", "convert-7.0.py")
    p = subprocess.run([sys.executable, script, a.template, "-"], capture_output=True)
    if p.returncode != 0:
        problems("%s failed (exit %d): %s", script, p.returncode, p.stderr.decode("utf-8", "replace").strip())
        return
    with open(a.template7, "rb") as f:
        have = f.read()
    if p.stdout == have:
        return
    import yaml
    same = yaml.safe_load(p.stdout) == yaml.safe_load(have)
    problems("%s is not what convert-7.0.py makes of %s%s: regenerate it (python3 contrib/zabbix/convert-7.0.py), "
             "never edit it by hand", a.template7, a.template,
             " (the same YAML written differently: PyYAML %s here)" % yaml.__version__ if same else "")
    diff = difflib.unified_diff(have.decode("utf-8", "replace").splitlines(),
                                p.stdout.decode("utf-8", "replace").splitlines(),
                                "committed", "convert-7.0.py", n=1, lineterm="")
    for line in list(diff)[:30]:
        problems("    %s", line[:200])


def oid_covered(oid, walk):
    oid = norm_oid(oid)
    return any(oid == norm_oid(w) or oid.startswith(norm_oid(w) + ".") for w in walk)


def check_v7_format(doc, mib, a, problems):
    ex = a.doc7.get("zabbix_export") or {}
    if ex.get("version") != "7.0":
        problems("zabbix_export.version is %r, not '7.0'", ex.get("version"))
    if "groups" in ex or not ex.get("template_groups"):
        problems("7.0 has template_groups:, not groups:")
    t, t6 = the_template(a.doc7), the_template(doc)
    macros = user_macros(t)
    uuid_problems(ex, problems, "7.0 ")
    by_key = {i.get("key"): i for i in items(t)}
    rules6 = {d.get("key"): d for d in drules(t6)}
    if sorted(rules6) != sorted(d.get("key") for d in drules(t)):
        problems("7.0 discovery rules %s, 6.0 %s", sorted(d.get("key") for d in drules(t)), sorted(rules6))
    for d in drules(t):
        w = "7.0 discovery rule %s" % d.get("key")
        if d.get("type") != "DEPENDENT":
            problems("%s: type %s, want DEPENDENT (on the walk[] of its table)", w, d.get("type"))
        mkey = (d.get("master_item") or {}).get("key")
        master = by_key.get(mkey)
        walk = parse_walk((master or {}).get("snmp_oid"))
        if master is None or master.get("type") != "SNMP_AGENT" or walk is None:
            problems("%s: its master item %r is not an SNMP item of the template with walk[OID,...]", w, mkey)
            continue
        mw = "7.0 item %s" % mkey
        delay = str(master.get("delay", ""))
        if not USER_MACRO_RE.fullmatch(delay) or delay not in macros:
            problems("%s: delay %r is not a user macro of the template", mw, delay)
        entry = RULES.get(d.get("key"), {}).get("entry")
        for o in walk:
            name, rest = mib.name_of(o)
            dd = mib.describe(name) if name and rest == "" else None
            if not dd or dd["parent"] != entry:
                problems("%s: walk[] OID %s is not a column of %s, the table of %s", mw, o, entry, d.get("key"))
        steps = d.get("preprocessing") or []
        params = steps[0].get("parameters") or [] if steps else []
        if not steps or steps[0].get("type") != "SNMP_WALK_TO_JSON" or len(params) % 3 or not params:
            problems("%s: its first step is not SNMP_WALK_TO_JSON with (macro, OID, format) triples", w)
        else:
            triples = [params[k:k + 3] for k in range(0, len(params), 3)]
            for macro, o, fmt in triples:
                if not oid_covered(o, walk):
                    problems("%s: SNMP_WALK_TO_JSON reads %s (%s), which %s does not walk", w, o, macro, mkey)
            pairs6 = parse_discovery(rules6.get(d.get("key"), {}).get("snmp_oid")) or []
            if [(m, norm_oid(o)) for m, o, _ in triples] != [(m, norm_oid(o)) for m, o in pairs6]:
                problems("%s: SNMP_WALK_TO_JSON gives %s, the 6.0 discovery[] %s", w,
                         [(m, o) for m, o, _ in triples], pairs6)
        life6 = rules6.get(d.get("key"), {}).get("lifetime")
        want = {"lifetime_type": "DELETE_IMMEDIATELY"} if str(life6) == "0" else \
            {"lifetime_type": "DELETE_AFTER", "lifetime": life6}
        if {k: d.get(k) for k in want} != want:
            problems("%s: %s, want %s (6.0's lifetime %r)", w, {k: d.get(k) for k in want}, want, life6)
        for p in d.get("item_prototypes") or []:
            pw = "7.0 prototype %s" % p.get("key")
            if p.get("type") != "DEPENDENT" or (p.get("master_item") or {}).get("key") != mkey:
                problems("%s: type %s on %r, want DEPENDENT on %s", pw, p.get("type"),
                         (p.get("master_item") or {}).get("key"), mkey)
            st = (p.get("preprocessing") or [{}])[0]
            sp = st.get("parameters") or [""]
            if st.get("type") != "SNMP_WALK_VALUE" or st.get("error_handler") != "DISCARD_VALUE":
                problems("%s: its first step is %s (error handler %s), want SNMP_WALK_VALUE with DISCARD_VALUE "
                         "(a row missing from the walk: no value, not an unsupported item)", pw, st.get("type"),
                         st.get("error_handler"))
            elif not sp[0].endswith(".{#SNMPINDEX}") or not oid_covered(sp[0][:-len(".{#SNMPINDEX}")], walk):
                problems("%s: SNMP_WALK_VALUE reads %s, not a column of %s's walk[] followed by .{#SNMPINDEX}",
                         pw, sp[0], mkey)
    graph_problems(ex, 72, problems, "7.0 ")


def check_v7_traps(doc, mib, a, problems):
    t6, t7 = the_template(doc), the_template(a.doc7)
    traps6 = {i.get("key"): i for i in trap_items(t6)}
    traps7 = {i.get("key"): i for i in trap_items(t7)}
    for k in sorted(set(traps6) | set(traps7)):
        if k not in traps7 or k not in traps6:
            problems("snmptrap item %s is only in the %s template", k, "6.0" if k in traps6 else "7.0")
        elif traps6[k] != traps7[k]:
            problems("snmptrap item %s differs between 6.0 and 7.0 in %s", k,
                     sorted(f for f in set(traps6[k]) | set(traps7[k]) if traps6[k].get(f) != traps7[k].get(f)))
    trig6 = {tr.get("uuid"): tr for tr, _, _ in triggers(t6)}
    trig7 = {tr.get("uuid"): tr for tr, _, _ in triggers(t7)}
    for u in sorted(set(trig6) | set(trig7), key=str):
        tr = trig6.get(u) or trig7.get(u)
        if u not in trig6 or u not in trig7:
            problems("trigger %r (uuid %s) is only in the %s template", tr.get("name"), u,
                     "6.0" if u in trig6 else "7.0")
        elif trig6[u] != trig7[u]:
            problems("trigger %r differs between 6.0 and 7.0 in %s", tr.get("name"),
                     sorted(f for f in set(trig6[u]) | set(trig7[u]) if trig6[u].get(f) != trig7[u].get(f)))


# ---------------------------------------------------------------------------
# Traps: send every notification to snmptrapd, file what it printed

SAMPLE_ROW = "PS100095", 10
SAMPLE_APP = ("ScopeId_B3FF3CC4-0319-4434-9D24-77689C53C615/"
              "Application_5a2e8f0c-8b1d-4f7e-9a43-2d6c1b0e7f91"), 30


SAMPLE_DP = "DP01.corp.example"
SAMPLE_NAL = '["Display=\\\\%s\\"]MSWNET:["SMS_SITE=PS1"]\\\\%s\\' % (SAMPLE_DP, SAMPLE_DP)


def sample_row(mib, notif):
    """(entry, index parts) of the sample row a row notification is sent
    about (the long application ObjectID for the ...LeftError ones), or
    (None, None) for the others."""
    d = mib.describe(notif)
    obj_id, cat = SAMPLE_APP if notif.endswith("LeftError") else SAMPLE_ROW
    parts = {ENTRY: [obj_id, cat], "smsDistDPEntry": [SAMPLE_DP],
             "smsDistContentDPEntry": [SAMPLE_ROW[0], SAMPLE_DP]}
    # row notifications: the columns and the reason carry the row's index
    entry = next((mib.describe(o)["parent"] for o in d["objects"]
                  if (mib.describe(o) or {}).get("parent") in parts), None)
    return entry, parts.get(entry)


def numeric_index(parts):
    """The sub-identifiers of an index: strings length-prefixed, numbers as they are."""
    return ".".join(str_index(p) if isinstance(p, str) else str(p) for p in parts)


def printed_index(parts, form):
    """An instance's index as snmptrapd prints it after the column: quoted
    strings with the MIB loaded (names), sub-identifiers otherwise."""
    if form == "names":
        return "." + ".".join('"%s"' % p if isinstance(p, str) else str(p) for p in parts)
    return "." + numeric_index(parts)


def varbind_args(mib, notif):
    """snmptrap arguments (OID TYPE VALUE ...) for a notification's OBJECTS,
    with row objects instanced on a sample row of their table and plausible
    values."""
    d = mib.describe(notif)
    row_entry, parts = sample_row(mib, notif)
    obj_id = SAMPLE_APP[0] if notif.endswith("LeftError") else SAMPLE_ROW[0]
    args = []
    for name in d["objects"]:
        od = mib.describe(name)
        num = mib.numeric(name)
        row_object = od["parent"] == row_entry or (name == "smsDistNotifyReason" and row_entry)
        inst = num + ("." + numeric_index(parts) if row_object else ".0")
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


def zabbix_trap_value(a, handler_text):
    """The value Zabbix stores for a notification that snmptrapd handed to
    contrib/zabbix/smsdistd-zabbix-traphandle with handler_text: the record
    it appends to the SNMPTrapperFile ("hh:mm:ss yyyy/MM/dd ZBXTRAP addr",
    PDU INFO, VARBINDS), as Zabbix's trapper cuts it: the date part, then
    what follows the address's line."""
    handle = os.path.join(a.top_srcdir, "contrib", "zabbix", "smsdistd-zabbix-traphandle")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "snmptraps.log")
        p = subprocess.run(["sh", handle, out], input=handler_text.encode("latin-1"), capture_output=True)
        if p.returncode != 0 or not os.path.exists(out):
            raise SystemExit("%s failed: %s" % (handle, p.stderr.decode("utf-8", "replace").strip()))
        with open(out, encoding="latin-1") as f:
            record = f.read()
    head, _, rest = record.partition("\n")
    m = re.match(r"(.*?)ZBXTRAP\s+\S+", head)
    if not m or "ZBXTRAP" in rest:
        raise SystemExit("%s wrote no single ZBXTRAP record: %r" % (handle, record[:300]))
    return m.group(1) + rest.rstrip("\n")


def check_trap_match(doc, mib, a, problems):
    t = the_template(doc)
    regexes = {i["key"]: trap_regex(i) for i in trap_items(t) if trap_regex(i)}
    items_by_key = {i["key"]: i for i in trap_items(t) if trap_regex(i)}
    notifs = [n for n, _ in mib.notifications()]
    # the row triggers: (item key, problem regex, recovery regex, tag regsub, event name)
    rows = []
    for i in trap_items(t):
        pair = tuple(trap_intent(i, set(notifs)))
        if pair in ROW_PROBLEMS:
            got = row_trigger(t, i, Problems())
            if got is None:
                problems("trap item %s: its row trigger is not as trap-triggers wants: not tried", i["key"])
                continue
            rows.append((pair, got, i["triggers"][0].get("event_name") or ""))
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
                if how == "handler":
                    text = zabbix_trap_value(a, text)
                where = "%s/%s: %s" % (form, how, n)
                shown = text.strip().replace("\n", "\n    ")[:700]
                matched = [k for k, rx in regexes.items() if zabbix_re(rx).search(text)]
                mine = [k for k, i in items_by_key.items() if n in trap_intent(i, set(notifs))]
                if len(mine) != 1 or matched != mine:
                    problems("%s matched %s; want exactly %s\n    the text: %s", where,
                             matched or "no item", mine or "the item for it", shown)
                for pair, (prob, rec, (pattern, output)), event_name in rows:
                    for what, rx, own in (("problem", prob, pair[0]), ("recovery", rec, pair[1])):
                        if bool(zabbix_re(rx).search(text)) != (n == own):
                            problems("%s: the %s regex of %s's trigger, %s, %s\n    the text: %s", where, what,
                                     pair[0], rx, "does not match" if n == own else "matches", shown)
                    if n not in pair:
                        continue
                    # the correlation tag: the same row's index for its
                    # entered and its left notification, as Zabbix stores
                    # it (an event tag's value cut at 255 characters: the
                    # lengths check sees that the names form fits)
                    entry, parts = sample_row(mib, n)
                    tag = regsub(text, pattern, output)[:255]
                    if tag != printed_index(parts, form)[:255]:
                        problems("%s: the correlation tag is %r, want the row's index %r\n    the text: %s",
                                 where, tag, printed_index(parts, form)[:255], shown)
                    if form == "names" and n == pair[0]:
                        for start, end, p, o in regsub_macros(event_name):
                            if not regsub(text, p, o):
                                problems("%s: the event name's %s is empty: %r", where, event_name[start:end],
                                         expand_regsubs(event_name, text))


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
    rows = tabs["dp"].rows
    if not rows:
        problems("--tables-input has no dp rows")
    else:
        # the longest index too: the OID's length
        longest_row = max(rows, key=lambda r: len(r["index"]))
        check_prototype_rows(a, rule_prototypes(t, DP_RULE),
                             [("dp row %s" % ".".join(str(x) for x in r["index"]),
                               ".".join(str(x) for x in r["index"])) for r in (rows[0], rows[-1], longest_row)],
                             problems)
    check_prototype_rows(a, rule_prototypes(t, LOAD_RULE),
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
    """The rows-in-error rule: discovery[] as Zabbix builds it, the JSONPath
    step (emulated), the discovery step and the LLD filter (the macros'
    defaults) give exactly the rows the oracle has in error (smsdistd's
    default errorTypes), each with the right macros."""
    t = the_template(doc)
    table = oracle(a)
    macros = user_macros(t)
    d = [d for d in drules(t) if d.get("key") == STATUS_RULE][0]
    disc = live_discovery(a, d, problems)
    want_all = {".".join(str(x) for x in r["index"]): r for r in table.rows}
    if {row["{#SNMPINDEX}"] for row in disc} != set(want_all):
        problems("discovery[] sees %d rows, the oracle %d", len(disc), len(want_all))
    want = {ix: r for ix, r in want_all.items() if str(r["Type"]) in ERROR_TYPES}
    if not want or len(want) == len(want_all):
        problems("--input has %d rows in error out of %d: the filter was not tried", len(want), len(want_all))
    eng = js_engine()
    if eng is None:
        print("# neither Duktape nor node here: the discovery step was not run")
        return
    got = run_step(eng, d, jsonpath_keep(d, disc, macros, problems), problems) or []
    got = [g for g in got if lld_filter_passes(g, d.get("filter"), macros)]
    have = {g.get("{#SNMPINDEX}"): g for g in got}
    if set(have) != set(want):
        problems("the rows-in-error discovery gives %s, the oracle's rows in error (Type %s) are %s",
                 sorted(have), "/".join(sorted(ERROR_TYPES)), sorted(want))
    for ix, g in sorted(have.items()):
        r = want.get(ix)
        if r is None:
            continue
        if g.get("{#OBJECTID}") != r["ObjectID"] or g.get("{#MSGCAT}") != str(r["MessageCategory"]):
            problems("index %s: the step says %r@%r, the oracle %s@%s", ix,
                     g.get("{#OBJECTID}"), g.get("{#MSGCAT}"), r["ObjectID"], r["MessageCategory"])
        if g.get("{#PKGID}") != r["PackageID"] or g.get("{#TYPE}") != str(r["Type"]) or \
                g.get("{#OBJTYPE}") != str(r["ObjectTypeID"]):
            problems("index %s: discovery[] macros %s, the oracle PackageID %r Type %s ObjectTypeID %s",
                     ix, {k: g.get(k) for k in DISCOVERY_MACROS}, r["PackageID"], r["Type"], r["ObjectTypeID"])
        if g.get("{#CONTENT}") != (r["PackageID"] or r["ObjectID"]):
            problems("index %s: {#CONTENT} %r", ix, g.get("{#CONTENT}"))
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


def jsonpath_keep(d, rows, macros, problems):
    """The rule's JSONPath step $[?(@['{#MACRO}'] =~ "{$MACRO}")], emulated
    with the user macro's default (the rows whose value it finds)."""
    steps = [st for st in d.get("preprocessing") or [] if st.get("type") == "JSONPATH"]
    m = JSONPATH_FILTER_RE.fullmatch((steps[0].get("parameters") or [""])[0]) if steps else None
    if not m or m.group(2) not in macros:
        problems("discovery rule %s: no JSONPath step $[?(@['{#MACRO}'] =~ \"{$MACRO}\")]: see discovery", d["key"])
        return rows
    rx = zabbix_re(macros[m.group(2)])
    return [r for r in rows if rx.search(str(r.get(m.group(1), "")))]


def check_live_lld_dp(t, a, eng, problems):
    """The rules of the DP tables, from discovery[] through the JavaScript
    step and the LLD filter (with the macros' defaults), against
    check_tables.py."""
    tabs = tables_oracle(a)
    macros = user_macros(t)
    rules = {d.get("key"): d for d in drules(t)}
    # distribution points: every one, {#DPSERVER} the index, {#DPNAME} its
    # Name or the server, IsPullDP and IsPXE as yes/no, the Version
    d = rules[DP_RULE]
    got = run_step(eng, d, live_discovery(a, d, problems), problems) or []
    got = [g for g in got if lld_filter_passes(g, d.get("filter"), macros)]
    yesno = {1: "yes", 2: "no"}
    want = {r["server"].decode(): (r["Name"].decode() or r["server"].decode(), yesno.get(r["IsPullDP"]),
                                   yesno.get(r["IsPXE"]), r["Version"].decode()) for r in tabs["dp"].rows}
    have = {g.get("{#DPSERVER}"): (g.get("{#DPNAME}"), g.get("{#ISPULLDP}"), g.get("{#ISPXE}"), g.get("{#VERSION}"))
            for g in got}
    if have != want:
        problems("distribution point discovery gives %s (server: name, pull, PXE, version), the oracle %s",
                 sorted(have.items()), sorted(want.items()))
    if {w[1] for w in want.values()} != {"yes", "no"} or {w[2] for w in want.values()} != {"yes", "no"}:
        problems("--tables-input's distribution points do not have both yes and no for IsPullDP and IsPXE")
    # table sources: the rows but the main source's, named
    d = rules[LOAD_RULE]
    got = run_step(eng, d, live_discovery(a, d, problems), problems) or []
    have = sorted((g.get("{#TABLEID}"), g.get("{#TABLE}")) for g in got
                  if lld_filter_passes(g, d.get("filter"), macros))
    if have != [("2", "dpStatus"), ("3", "contentOnDp")]:
        problems("table source discovery gives %s, want dpStatus (2) and contentOnDp (3)", have)


def date_rows(a, eng, scripts, what, column_oid, rows, problems):
    """Each row's DateAndTime (rows: [(name, index string, octets)]), walked
    as Zabbix receives it, through each date step: the oracle's date."""
    rc, col, err = walk_column(a, column_oid)
    if rc != 0:
        problems("walk of %s failed: %s", what, err.strip())
    n = 0
    for name, ix, octets in rows:
        typ, val = col.get(ix, (None, None))
        if val is None:
            problems("%s: no %s in the walk", name, what)
            continue
        if typ == "Hex-STRING" and re.sub(r"\s", "", val) != octets.hex().upper():
            problems("%s: served %s, the oracle has %s", name, val, octets_to_zabbix_hex(octets))
        want = iso_of_octets(octets)
        for where, script in scripts:
            ok, out = eng.run(script, val)
            if not ok or out != want:
                problems("%s: %s %r through the date step of %s [%s] gave %s%r, want %r", name, what, val,
                         where, eng.name, "" if ok else "error ", out, want)
        n += 1
    return n


def check_live_dates(doc, mib, a, problems):
    t = the_template(doc)
    table = oracle(a)
    # the template's date steps (every JavaScript step of an item or
    # prototype is one), each distinct text once
    scripts = {}
    for i in items(t) + prototypes(t):
        for s in js_steps(i):
            scripts.setdefault(s, i.get("key"))
    scripts = [(k, s) for s, k in scripts.items()]
    if not scripts:
        problems("no date step in the template")
        return
    eng = js_engine()
    if eng is None:
        print("# neither Duktape nor node here: the date step was not run")
        return
    # every status row's LastUpdateDate: what the row notifications carry
    n = date_rows(a, eng, scripts, "LastUpdateDate", mib.numeric("smsDistStatusLastUpdateDate"),
                  [("%s@%s" % (r["ObjectID"], r["MessageCategory"]), ".".join(str(x) for x in r["index"]),
                    r["LastUpdateDate"]) for r in table.rows], problems)
    if n == 0:
        problems("no status row checked")
    if not a.tables_input:
        problems("no --tables-input: the DP dates were not checked")
        return
    # every DP's LastStatusTime, through its prototype's own step
    protos = [p for p in rule_prototypes(t, DP_RULE) if js_steps(p)]
    if len(protos) != 1:
        problems("%d prototypes of %s with a date step, want 1 (LastStatusTime)", len(protos), DP_RULE)
        return
    p = protos[0]
    rows = tables_oracle(a)["dp"].rows
    n = date_rows(a, eng, [(p["key"], js_steps(p)[0])], "LastStatusTime",
                  p["snmp_oid"].replace(".{#SNMPINDEX}", ""),
                  [("DP %s" % r["server"].decode(), ".".join(str(x) for x in r["index"]), r["LastStatusTime"])
                   for r in rows], problems)
    if n == 0:
        problems("no DP row checked")


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
    "valuemaps": check_valuemaps, "macros": check_macros, "discovery": check_discovery,
    "triggers": check_triggers, "trap-triggers": check_trap_triggers, "traps": check_traps,
    "graphs": check_graphs, "js-date": check_js_date, "js-lld": check_js_lld,
    "convert-7.0": check_convert, "v7-format": check_v7_format, "v7-traps": check_v7_traps,
    "lengths": check_lengths,
    "trap-match": check_trap_match, "live-scalars": check_live_scalars,
    "live-prototypes": check_live_prototypes, "live-lld": check_live_lld,
    "live-dates": check_live_dates,
}
# the checks that read the 7.0 template too
NEEDS_7 = {"convert-7.0", "v7-format", "v7-traps", "lengths"}


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("check", choices=sorted(CHECKS) + ["send-traps", "js-engine", "make-combined"])
    ap.add_argument("--template")
    ap.add_argument("--template7", help="the Zabbix 7.0 template (convert-7.0.py's output)")
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
    for attr, path, label in (("doc", a.template, "template"), ("doc7", a.template7, "7.0 template")):
        if attr == "doc7" and a.check not in NEEDS_7:
            continue
        try:
            d = load(path)
        except Exception as e:    # the YAML itself: every check reports it
            print("%s: does not parse: %s" % (path, e))
            return 1
        if a.check != "parse":
            try:
                the_template(d)
            except (KeyError, IndexError, TypeError) as e:
                print("%s: no %s to check (%s): see the parse check" % (path, label, e))
                return 1
        setattr(a, attr, d)
    CHECKS[a.check](a.doc, mib, a, problems)
    return problems.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
