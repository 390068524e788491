#!/usr/bin/env python3
"""Makes the Zabbix 7.0 template from the 6.0 one.

    contrib/zabbix/convert-7.0.py [6.0-TEMPLATE [7.0-TEMPLATE]]

The 6.0 template (smsdistd_template.yaml) is the source; the 7.0 one
(smsdistd_template_7.0.yaml) is written from it, so the two never drift
apart (tests/contrib/zabbix.sh checks that the file in the tree is what
this script makes). What changes besides the format version:

- Each discovery rule's discovery[] becomes one walk[] master item per
  table (Zabbix 7.0's bulk walk: one GetBulk sequence per poll, whatever
  the number of rows), with the discovery rule and every item prototype
  dependent on it: "SNMP walk to JSON" feeds the rule, "SNMP walk value"
  each item. A row's item costs no SNMP request of its own.
- The rows' "no such instance" handling moves from "Check for not
  supported value" (6.0, a polled item) to the error handler of the "SNMP
  walk value" step (a row missing from the walk): the value is discarded,
  the item never goes unsupported.
- 7.0's field names: template_groups, lifetime_type, enabled_lifetime_type,
  dashboard widget types and field names, the 72-column dashboard grid.
Needs python3-yaml.
"""
import copy
import os
import re
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, 'smsdistd_template.yaml')
DST = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, 'smsdistd_template_7.0.yaml')
DISCOVERY = re.compile(r'^discovery\[(.*)\]$')


# How often each table is walked. The rows-in-error rule: at its discovery
# interval (a walk of every row; the few per-row items follow at that pace,
# the problems come from notifications anyway). The small tables (DPs, the
# tables' sources): at their items' interval, the discovery following.
WALK_DELAY = {
    'smsdist.status.discovery': None,
    'smsdist.dp.discovery': '{$SMSDIST.INTERVAL.COUNTERS}',
    'smsdist.load.discovery': '{$SMSDIST.INTERVAL}',
}


def walk_item(rule, oids, uuid):
    """The master item of a discovery rule's table."""
    table = rule['name'].replace(' discovery', '')
    if rule['key'] not in WALK_DELAY:
        raise SystemExit('%s: discovery rule %s: no walk interval chosen (WALK_DELAY)' % (SRC, rule['key']))
    delay = WALK_DELAY[rule['key']] or rule['delay']
    return {
        'uuid': uuid,
        'name': 'smsdistd: walk of ' + table[0].lower() + table[1:],
        'type': 'SNMP_AGENT',
        'snmp_oid': 'walk[%s]' % ','.join(oids),
        'key': rule['key'].replace('.discovery', '.walk'),
        'delay': delay,
        'history': '0',
        'value_type': 'TEXT',
        'trends': '0',
        'description': 'One bulk walk of the columns that the discovery rule \'%s\' and its item prototypes '
                       'read, every %s: they depend on this item and make no SNMP request of their own. '
                       'Its value is not kept (history 0).' % (rule['name'], delay),
        'tags': [{'tag': 'component', 'value': 'raw'}],
    }


def uuid_for(seed):
    import hashlib
    h = bytearray(hashlib.md5(('smsdistd-zabbix-7.0:' + seed).encode()).digest())
    h[6] = (h[6] & 0x0F) | 0x40
    h[8] = (h[8] & 0x3F) | 0x80
    return h.hex()


def lifetime(rule):
    life = rule.pop('lifetime', None)
    if life == '0':
        rule['lifetime_type'] = 'DELETE_IMMEDIATELY'
    elif life is not None:
        rule['lifetime_type'] = 'DELETE_AFTER'
        rule['lifetime'] = life
    rule['enabled_lifetime_type'] = 'DISABLE_NEVER'


def convert_rule(template, rule):
    m = DISCOVERY.match(rule.get('snmp_oid', ''))
    if not m:
        raise SystemExit('%s: discovery rule %s: not a discovery[] key' % (SRC, rule['key']))
    parts = m.group(1).split(',')
    pairs = list(zip(parts[0::2], parts[1::2]))
    oids = [oid for _, oid in pairs]
    walk_json = []
    for macro, oid in pairs:
        walk_json += [macro, oid, '0']
    for proto in rule['item_prototypes']:
        column = proto.pop('snmp_oid')
        if not column.endswith('.{#SNMPINDEX}'):
            raise SystemExit('%s: %s: snmp_oid %s is not a column' % (SRC, proto['key'], column))
        column = column[:-len('.{#SNMPINDEX}')]
        if column not in oids:
            oids.append(column)
        steps = [s for s in proto.get('preprocessing', []) if s['type'] != 'CHECK_NOT_SUPPORTED']
        proto['preprocessing'] = [{
            'type': 'SNMP_WALK_VALUE',
            'parameters': [column + '.{#SNMPINDEX}', '0'],
            'error_handler': 'DISCARD_VALUE',
        }] + steps
        proto['type'] = 'DEPENDENT'
        proto['delay'] = '0'
        proto['master_item'] = {'key': rule['key'].replace('.discovery', '.walk')}
    master = walk_item(rule, oids, uuid_for('walk:' + rule['key']))
    template['items'].append(master)
    rule.pop('snmp_oid')
    rule['type'] = 'DEPENDENT'
    rule['delay'] = '0'
    rule['master_item'] = {'key': master['key']}
    rule['preprocessing'] = ([{'type': 'SNMP_WALK_TO_JSON', 'parameters': walk_json}] +
                             rule.get('preprocessing', []))
    lifetime(rule)


WIDGET_TYPES = {'GRAPH_CLASSIC': 'graph', 'PLAIN_TEXT': 'plaintext', 'ITEM': 'item', 'CLOCK': 'clock',
                'URL': 'url', 'GRAPH_PROTOTYPE': 'graphprototype'}
# fields that 7.0 numbers: graphid -> graphid.0, itemids -> itemids.0, itemids.1, ...
NUMBERED = {'graphid', 'itemid', 'itemids', 'graphids'}


def convert_widget(widget):
    widget['type'] = WIDGET_TYPES[widget['type']]
    for dim in ('x', 'width'):
        if dim in widget:
            widget[dim] = str(int(widget[dim]) * 3)
    counts = {}
    for field in widget.get('fields', []):
        name = field['name']
        if name in NUMBERED:
            n = counts.get(name, 0)
            counts[name] = n + 1
            field['name'] = '%s.%d' % (name, n)


def convert(doc):
    out = copy.deepcopy(doc)
    export = out['zabbix_export']
    if export.get('version') != '6.0':
        raise SystemExit('%s: not a Zabbix 6.0 export (version %r)' % (SRC, export.get('version')))
    export['version'] = '7.0'
    export.pop('date', None)  # 7.0 exports carry none
    export['template_groups'] = export.pop('groups')
    for template in export['templates']:
        template['name'] = template['name'].replace('(smsdistd)', '(smsdistd, Zabbix 7.0)')
        template['description'] = template['description'].replace(
            'MIBs used:', 'Zabbix 7.0 form: one walk[] item per table, the discovery rules and their items '
            'dependent on it (one bulk walk per poll instead of one request per item).\n\nMIBs used:')
        for rule in template.get('discovery_rules', []):
            convert_rule(template, rule)
        for dash in template.get('dashboards', []):
            for page in dash.get('pages', []):
                for widget in page.get('widgets', []):
                    convert_widget(widget)
    return out


class Dumper(yaml.SafeDumper):
    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _str(dumper, s):
    return dumper.represent_scalar('tag:yaml.org,2002:str', s, style='|' if '\n' in s else None)


Dumper.add_representer(str, _str)


def main():
    with open(SRC, encoding='utf-8') as f:
        doc = yaml.safe_load(f)
    text = yaml.dump(convert(doc), Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100000,
                     default_flow_style=False)
    if DST == '-':
        sys.stdout.write(text)
    else:
        with open(DST + '.tmp', 'w', encoding='utf-8') as f:
            f.write(text)
        os.replace(DST + '.tmp', DST)


if __name__ == '__main__':
    main()
