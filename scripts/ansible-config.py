# Prints ansible-core's configuration definitions as JSON, for lookup('config') (src/lookup/config.ts):
# every setting of lib/ansible/config/base.yml and every option of the builtin plugins that have
# configuration (connection, shell, become, ...), each with its default, type, choices and where it is
# read from (vars, env, ini); plus the other names of ansible.constants (values that are data, and the
# names of its callables, which the lookup refuses). Run with Debian's python3 (the one ansible-core is
# installed for): `npm run ansible-config`.
import json
from ansible import constants as C
import ansible.plugins.loader as plugin_loader

KEEP = ('default', 'type', 'choices')
PLUGIN_TYPES = ('become', 'cache', 'callback', 'cliconf', 'connection', 'httpapi', 'inventory', 'lookup', 'netconf', 'shell', 'strategy', 'vars')

def slim(d):
    o = {k: d[k] for k in KEEP if d.get(k) is not None}
    for k in ('env', 'vars'):
        if d.get(k):
            o[k] = [e['name'] for e in d[k]]
    if d.get('ini'):
        o['ini'] = [[e['section'], e['key']] for e in d['ini']]
    if d.get('aliases'):
        o['aliases'] = d['aliases']
    return o

def data(x):
    if isinstance(x, (set, frozenset, tuple)):
        x = sorted(x, key=str) if isinstance(x, (set, frozenset)) else list(x)
    try:
        return json.loads(json.dumps(x))
    except TypeError:
        return None

settings = C.config.get_configuration_definitions()
# 'setting' is constants.py's loop variable, left behind
names = [n for n in dir(C) if not n.startswith('_') and n not in settings and n != 'setting']
out = {
    'settings': {k: slim(v) for k, v in settings.items()},
    'callables': sorted(n for n in names if callable(getattr(C, n))),
    'constants': {n: data(getattr(C, n)) for n in sorted(names) if not callable(getattr(C, n)) and data(getattr(C, n)) is not None},
    'plugins': {},
}
for ptype in PLUGIN_TYPES:
    for p in getattr(plugin_loader, ptype + '_loader').all(class_only=True):
        defs = C.config.get_configuration_definitions(ptype, p._load_name)
        if defs:
            out['plugins'].setdefault(ptype, {})[p._load_name] = {k: slim(v) for k, v in defs.items()}
print(json.dumps(out, sort_keys=True, indent=1, default=str))
