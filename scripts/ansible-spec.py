# Prints every ansible.builtin module's argument spec as ansible-core itself builds it, as JSON:
# options (type, elements, aliases, choices, default, required, no_log) and the constraints between
# them (mutually_exclusive, required_one_of, required_together, required_if, required_by).
# For a module: its main() is run with AnsibleModule's constructor replaced by one that records the
# spec and stops, so nothing is executed. Action-only entries (debug, set_fact, assert, ...) have no
# module code: their options come from `ansible-doc -j` (the documentation, the only spec they have).
# Run with Debian's python3 (the one ansible-core is installed for): scripts/ansible-spec.ts does.
import importlib, json, pkgutil, subprocess, sys
import ansible.modules
import ansible.module_utils.basic as basic
from ansible.module_utils.basic import FILE_COMMON_ARGUMENTS

KEEP = ('type', 'elements', 'aliases', 'choices', 'default', 'required', 'no_log')
CONSTRAINTS = ('mutually_exclusive', 'required_one_of', 'required_together', 'required_if', 'required_by')

class Captured(Exception):
    pass

def kept(o):
    # a default of False, 0 or [] is a default; for the other keys those mean "not set"
    return {k: o[k] for k in KEEP if (o.get(k) is not None if k == 'default' else o.get(k) not in (None, False, []))}

def options(spec):
    out = {}
    for name, o in (spec or {}).items():
        o = o or {}
        d = kept(o)
        if 'options' in o and o['options']:
            d['options'] = options(o['options'])
        out[name] = d
    return out

def from_module(name):
    mod = importlib.import_module('ansible.modules.' + name)
    if not hasattr(mod, 'main'):
        return None
    got = {}
    def fake_init(self, argument_spec=None, add_file_common_args=False, **kw):
        spec = dict(argument_spec or {})
        if add_file_common_args:
            for k, v in FILE_COMMON_ARGUMENTS.items():
                spec.setdefault(k, v)
        got['options'] = options(spec)
        for k in CONSTRAINTS:
            if kw.get(k):
                got[k] = kw[k]
        raise Captured()
    orig = basic.AnsibleModule.__init__
    basic.AnsibleModule.__init__ = fake_init
    try:
        mod.main()
    except (Captured, SystemExit):
        pass
    finally:
        basic.AnsibleModule.__init__ = orig
    return got or None

def from_doc(names):
    raw = subprocess.run(['ansible-doc', '-j', '-t', 'module'] + ['ansible.builtin.' + n for n in names], check=True, capture_output=True, text=True).stdout
    out = {}
    for full, d in json.loads(raw).items():
        def opts(o):
            return {k: dict(kept(v), **({'options': opts(v['suboptions'])} if v.get('suboptions') else {})) for k, v in (o or {}).items()}
        out[full.split('.')[-1]] = {'options': opts(d['doc'].get('options'))}
    return out

# async_wrapper is the async machinery, not a module a task names (it has no documentation either)
names = sorted(m.name for m in pkgutil.iter_modules(ansible.modules.__path__) if not m.name.startswith('_') and m.name != 'async_wrapper')
specs = {}
doc_only = []
for n in names:
    try:
        s = from_module(n)
    except Exception:
        s = None
    if s is None:
        doc_only.append(n)
    else:
        specs[n] = s
for n, s in from_doc(doc_only).items():
    s['from'] = 'ansible-doc'
    specs[n] = s
import ansible
print(json.dumps({'ansible_core': ansible.__version__, 'modules': specs}, sort_keys=True, indent=1, default=repr))
