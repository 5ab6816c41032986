// Filters and tests skiff does not implement, run by the controller's ansible-core as Ansible runs them:
// its Templar's Jinja2 environment finds them (filter_plugins/ and test_plugins/ beside the playbook and
// in its roles, collections by FQCN, names ansible-core routes to a collection such as json_query), so a
// name nothing provides fails the task when it runs, with Ansible's text, never the playbook's load.
import { PluginError, PyException, Undef, UndefinedError, isPyObject, pyStr } from './expr-error.ts';
import { floatJson, PyFloat, pyFloat } from './py-float.ts';
import { ProcessGone, SyncProcess } from '../util/sync-process.ts';
import { collectionsEnv } from '../playbook/collections.ts';
import { statSync } from 'node:fs';
import { join } from 'node:path';

/** The controller's Python with ansible-core (as tasks/ansible/core-modules.ts's CONTROLLER_PYTHON). */
const PYTHON = process.env.SKIFF_ANSIBLE_PYTHON ?? '/usr/bin/python3';

/**
 * A filter or test no plugin provides: Jinja2's TemplateSyntaxError from Ansible's JinjaPluginIntercept,
 * which Templar.do_template words with the template it was templating (`withTemplate`).
 */
export class UnknownPlugin extends PluginError {
  /** Templar's AnsibleError text: its own words, the template, then its cause (the same text). */
  withTemplate(data: string): string {
    return `template error while templating string: ${this.message}. String: ${data}. ${this.message}`;
  }
}

/** Python (needs to_text): a whole float comes back marked, so it stays a float (JSON's 2.0 reads as 2 in JavaScript). */
export const PY_FLOATS = `# a whole float comes back marked, so it stays a float (JSON's 2.0 reads as 2 in JavaScript)
def floats(v):
    if isinstance(v, float) and v.is_integer():
        return {'__skiff_float__': v}
    if isinstance(v, (list, tuple)):
        return [floats(x) for x in v]
    if isinstance(v, dict):
        return {to_text(k): floats(x) for k, x in v.items()}
    return v
`;

const SERVER = `
import base64, json, os, sys
# a plugin's print() must not be taken for an answer: answers go to the original stdout only
out = os.fdopen(os.dup(1), 'w')
os.dup2(2, 1)
from collections.abc import Mapping
from ansible.errors import AnsibleError, AnsibleLookupError, AnsibleOptionsError, AnsibleUndefinedVariable
from ansible.module_utils.common.collections import is_sequence
from ansible.module_utils.common.text.converters import to_native, to_text
from ansible.parsing.dataloader import DataLoader
from ansible.parsing.vault import VaultSecret
from ansible.plugins.loader import add_all_plugin_dirs, lookup_loader
from ansible.template import AnsibleUndefined, Templar
from ansible.utils.display import Display
from ansible.utils.collection_loader import AnsibleCollectionConfig
from jinja2.exceptions import TemplateSyntaxError, UndefinedError
env = Templar(loader=DataLoader()).environment
context = env.from_string('').new_context({})
dirs, books = set(), []
display = Display()

# an undefined value is Jinja2's (Ansible's) Undefined, as Jinja2 passes it: the plugin decides what it means
def unwire(v):
    if isinstance(v, dict) and list(v) == ['__skiff_undefined__']:
        return AnsibleUndefined(hint=v['__skiff_undefined__'])
    return v

# Jinja2's text of it (AnsibleUndefinedVariable's own, without its cause)
def undefined(e):
    return {'undefined': to_native(getattr(e, '_message', None) or getattr(e, 'message', None) or e)}

${PY_FLOATS}
def plain(v):
    if isinstance(v, Mapping):
        return dict(v)
    if isinstance(v, bytes):
        return v.decode('utf-8', 'surrogateescape')
    try:
        return list(iter(v))
    except TypeError:
        return str(v)

# a filter or test as the Jinja2 environment calls it
def jinja_plugin(r):
    kind, name = r['kind'], r['name']
    try:
        (env.filters if kind == 'filter' else env.tests)[name]
    except TemplateSyntaxError as e:
        return {'missing': to_native(e.message)}
    try:
        call = env.call_filter if kind == 'filter' else env.call_test
        v = call(name, unwire(r['value']), r['args'], r['kw'], context=context)
        return {'value': bool(v) if kind == 'test' else floats(v)}
    except (AnsibleUndefinedVariable, UndefinedError) as e:
        return undefined(e)
    except AnsibleError as e:
        return {'ansible': to_native(e)}
    except Exception as e:
        return {'exception': type(e).__name__, 'message': to_native(e)}

# a question back to skiff while a request is answered (a line skiff answers on stdin before the request's own answer)
def ask_skiff(q):
    out.write(json.dumps(dict(q, __skiff_need__=True)) + '\\n')
    out.flush()
    return json.loads(sys.stdin.readline())

# Ansible's hostvars as a lookup's variables hold it: each host's vars asked of skiff when the plugin
# reads them (once per host and call), the host names too: no copy of the inventory per call
class Hostvars(Mapping):
    def __init__(self):
        self._vars, self._names = {}, None
    def _hosts(self):
        if self._names is None:
            self._names = ask_skiff({'need': 'hosts'})['hosts']
        return self._names
    def __getitem__(self, host):
        if host not in self._vars:
            a = ask_skiff({'need': 'hostvars', 'host': host})
            # HostVars.raw_get: a host the inventory lacks is undefined
            self._vars[host] = a['vars'] if 'vars' in a else AnsibleUndefined(name="hostvars['%s']" % host)
        return self._vars[host]
    def __contains__(self, host):
        return host in self._hosts()
    def __iter__(self):
        return iter(self._hosts())
    def __len__(self):
        return len(self._hosts())

# Templar._lookup's run of the plugin, its errors told apart as _lookup tells them (errors= and wantlist
# are skiff's): the plugin gets a loader based at the playbook's directory, a Templar and run's
# variables holding the task's variables, with hostvars (read lazily) and vars (VariableManager.get_vars')
def lookup(r):
    loader = DataLoader()
    loader.set_basedir(r['playbook'])
    # the run's vault passwords, as ansible-playbook's loader has them
    loader.set_vault_secrets([(v['id'], VaultSecret(base64.b64decode(v['password']))) for v in r['vault']])
    variables = r['variables']
    if r.get('hostvars'):
        variables['hostvars'] = Hostvars()
    variables['vars'] = dict(variables)
    templar = Templar(loader=loader, variables=variables)
    name = r['name']
    instance = lookup_loader.get(name, loader=loader, templar=templar)
    if instance is None:
        return {'ansible': 'lookup plugin (%s) not found' % name}
    try:
        ran = instance.run(r['terms'], variables=variables, **r['kw'])
    except (AnsibleUndefinedVariable, UndefinedError) as e:
        return undefined(e)
    except AnsibleOptionsError as e:
        return {'ansible': to_native(e)}
    except AnsibleLookupError as e:
        return {'lookup': to_native(e)}
    except Exception as e:
        return {'unhandled': "An unhandled exception occurred while running the lookup plugin '%s'. Error was a %s, original message: %s" % (name, type(e), to_text(e)), 'cause': to_native(e)}
    if not is_sequence(ran):
        # as Templar._lookup says it (a dict's keys are still taken)
        display.deprecated("The lookup plugin '%s' was expected to return a list, got '%s' instead. The lookup plugin '%s' needs to be changed to return a list. This will be an error in Ansible 2.18" % (name, type(ran), name), version='2.18')
    return {'value': floats(ran)}

# the filters or tests the playbook's own filter_plugins/ (test_plugins/) define: Ansible's legacy
# namespace finds those before its builtin ones of the same name
def local_names(r):
    import importlib.util
    sub, cls, method = ('filter_plugins', 'FilterModule', 'filters') if r['name'] == 'filter' else ('test_plugins', 'TestModule', 'tests')
    names = set()
    for d in r['dirs']:
        p = os.path.join(d, sub)
        if not os.path.isdir(p):
            continue
        for f in sorted(os.listdir(p)):
            if not f.endswith('.py') or f.startswith('_'):
                continue
            try:
                spec = importlib.util.spec_from_file_location('skiff_local_%s_%d' % (sub, len(names)), os.path.join(p, f))
                mod = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(mod)
                names.update(getattr(mod, cls)().__getattribute__(method)().keys())
            except Exception:
                pass
    return {'value': sorted(names)}

for line in sys.stdin:
    r = json.loads(line)
    # ansible-playbook adds the playbook's directory, then each role as it loads it (add_all_plugin_dirs):
    # plugins stay found for the rest of the run
    for d in r['dirs']:
        if d not in dirs:
            dirs.add(d)
            if os.path.isdir(d):
                add_all_plugin_dirs(d)
    if r['playbook'] not in books:
        books.append(r['playbook'])
        AnsibleCollectionConfig.playbook_paths = books
    kind, name = r['kind'], r['name']
    try:
        if kind == 'local_names':
            a = local_names(r)
        elif kind == 'has_lookup':
            # Task._preprocess_with_loop: with_<name> is a loop when the lookup loader finds <name>
            a = {'value': name in lookup_loader}
        else:
            a = lookup(r) if kind == 'lookup' else jinja_plugin(r)
    except (AnsibleUndefinedVariable, UndefinedError) as e:
        a = undefined(e)
    except AnsibleError as e:
        a = {'ansible': to_native(e)}
    try:
        text = json.dumps(a, default=plain, allow_nan=False)
    except (AnsibleUndefinedVariable, UndefinedError) as e:
        # an Undefined in the result fails as Ansible's finalize meets it
        text = json.dumps(undefined(e))
    except Exception as e:
        text = json.dumps({'exception': type(e).__name__, 'message': 'skiff cannot take the value of %s %s: %s' % (kind, name, to_native(e))})
    out.write(text + '\\n')
    out.flush()
`;

// the run's collection roots (collections.ts), as the payload builder's
const server = new SyncProcess(PYTHON, ['-c', SERVER], true, undefined, () => ({ ...process.env, ...collectionsEnv() }));

/**
 * A value as the plugin gets it: JSON's types, a Python object of skiff's (a datetime) as its text; the
 * input may be undefined (Jinja2 passes its Undefined to the filter or test), an Undefined saying Jinja2's text.
 */
export function wire(v: unknown): unknown {
  if (v instanceof Undef) return { __skiff_undefined__: v.jinja };
  if (v === null || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string' || v instanceof PyFloat) return v;
  if (v === undefined) return null;
  if (Array.isArray(v)) return v.map(wire);
  if (isPyObject(v)) return v.str();
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, wire(x)]));
  return pyStr(v);
}

export interface PluginCall {
  kind: 'filter' | 'test';
  /** as written (`community.general.json_query`, `parse_ip`) */
  name: string;
  value: unknown;
  args: unknown[];
  kw: Record<string, unknown>;
  /**
   * the playbook's directory, and the directories of the task's roles (where filter_plugins/ may be);
   * without them (a name map() or select() is given), those of the last call
   */
  playbookDir?: string;
  dirs?: string[];
}

/**
 * Jinja2's own filters and tests that are no ansible.builtin plugin (Jinja2 3.1, ansible-core 2.14):
 * `ansible.builtin.sort` is no filter in Ansible, though `sort` is.
 */
const JINJA_ONLY = {
  filter: new Set('abs attr batch capitalize center count d default dictsort e escape filesizeformat first float forceescape format groupby indent int items join last length list lower map max min pprint reject rejectattr replace reverse round safe select selectattr slice sort string striptags sum title tojson trim truncate upper urlencode urlize wordcount wordwrap xmlattr'.split(' ')),
  test: new Set('!= < <= == > >= boolean callable defined divisibleby eq equalto escaped even false filter float ge greaterthan gt in integer iterable le lessthan lower lt mapping ne none number odd sameas sequence string test true undefined upper'.split(' ')),
};

/**
 * skiff's own filters and tests are ansible.builtin's and Jinja2's: a name without a namespace, or
 * ansible.builtin's (ansible.legacy's) own; any other is for ansible-core to find.
 */
export function ownName(full: string, kind: 'filter' | 'test'): boolean {
  if (!full.includes('.')) return true;
  const m = /^ansible\.(?:builtin|legacy)\.([^.]+)$/.exec(full);
  return !!m && !JINJA_ONLY[kind].has(m[1]);
}

let last = { playbook: process.cwd(), dirs: [] as string[] };

/**
 * The plugin's result; its error as Ansible has it when the task runs: UnknownPlugin (no such plugin),
 * UndefinedError (it used its undefined input: AnsibleUndefinedVariable), PluginError (an AnsibleError: the task's msg), PyException (any other exception: the task's exception).
 */
export function callPlugin(c: PluginCall): unknown {
  if (c.playbookDir !== undefined) last = { playbook: c.playbookDir, dirs: [c.playbookDir, ...(c.dirs ?? [])] };
  const req = { kind: c.kind, name: c.name, value: wire(c.value), args: c.args.map(wire), kw: wire(c.kw), ...last };
  return ask(req, `the ${c.kind} ${c.name}`).value;
}

interface Answer {
  value?: unknown;
  missing?: string;
  undefined?: string;
  ansible?: string;
  exception?: string;
  message?: string;
}

/** A JSON line of the Python side: a whole float it marked (`{"__skiff_float__": 2}`) is a float again. */
export function fromWire(line: string): unknown {
  return JSON.parse(line, (_k, x: unknown) => (x && typeof x === 'object' && typeof (x as { __skiff_float__?: unknown }).__skiff_float__ === 'number' ? pyFloat((x as { __skiff_float__: number }).__skiff_float__) : x));
}

/** The server's answer to `req`; its errors thrown as Ansible raises them (callPlugin's). */
function ask(req: object, what: string, reply?: (line: string) => string | undefined): Answer & Record<string, unknown> {
  let line: string;
  try {
    // a whole float as JSON's `2.0`: Python reads a float
    line = server.ask(floatJson(req), reply);
  } catch (e) {
    if (e instanceof ProcessGone) throw new PluginError(`${what} runs through ansible-core on the controller (${PYTHON} -c 'import ansible'), which failed: ${e.message}`);
    throw e;
  }
  const a = fromWire(line) as Answer & Record<string, unknown>;
  if (a.missing !== undefined) throw new UnknownPlugin(a.missing);
  if (a.undefined !== undefined) throw new UndefinedError(a.undefined, a.undefined);
  if (a.ansible !== undefined) throw new PluginError(a.ansible);
  if (a.exception !== undefined) throw new PyException(a.exception, a.message ?? '');
  return a;
}

export interface LookupCall {
  /** as written (`my_ns.my_col.name`, `name`) */
  name: string;
  /** the rendered terms (listify_lookup_plugin_terms's list) */
  terms: unknown[];
  /** run's keyword arguments (without wantlist, errors, allow_unsafe: Templar._lookup takes those) */
  kw: Record<string, unknown>;
  /** the task's variables, as run's `variables` and its Templar's */
  variables: Record<string, unknown>;
  /** Ansible's hostvars (a view: each host's vars sent when the plugin reads them) */
  hostvars?: Record<string, unknown>;
  playbookDir: string;
  /** the task's search path: its roles, where lookup_plugins/ may be */
  dirs: string[];
  /** the run's vault passwords (by the pipe, as the variables) */
  vault: readonly { id: string; password: Buffer }[];
}

/**
 * What the plugin's run gave (a list, or a dict or other value, which Templar._lookup takes as it
 * is); or how it failed, told apart as Templar._lookup tells
 * them: `lookup` an AnsibleLookupError (taken by errors=), `unhandled` any other exception (taken by
 * errors=, in Ansible's words, and the exception's own text: AnsibleError's orig_exc). Anything else is thrown as Ansible raises it: UnknownPlugin's kin
 * PluginError (no such plugin, an AnsibleOptionsError), UndefinedError.
 */
export type LookupAnswer = { value: unknown } | { lookup: string } | { unhandled: string; cause: string };

/** The lookup plugin `name` run by the controller's ansible-core (secrets in its variables go by the pipe, never argv). */
export function callLookup(c: LookupCall): LookupAnswer {
  last = { playbook: c.playbookDir, dirs: [c.playbookDir, ...c.dirs] };
  const req = { kind: 'lookup', name: c.name, terms: c.terms.map(wire), kw: wire(c.kw), variables: wire(c.variables), hostvars: c.hostvars !== undefined, vault: c.vault.map((v) => ({ id: v.id, password: v.password.toString('base64') })), ...last };
  return ask(req, `the lookup plugin ${c.name}`, c.hostvars && hostvarsReply(c.hostvars)) as LookupAnswer;
}

/** The answers to the plugin's questions while it runs: the hosts hostvars has, one host's vars. */
function hostvarsReply(hv: Record<string, unknown>): (line: string) => string | undefined {
  return (line) => {
    if (!line.includes('"__skiff_need__"')) return undefined;
    const q = JSON.parse(line) as { need?: string; host?: string };
    if (q.need === 'hosts') return JSON.stringify({ hosts: Object.keys(hv) });
    const host = String(q.host);
    if (!Object.hasOwn(hv, host)) return JSON.stringify({});
    try {
      return floatJson({ vars: wire(hv[host]) });
    } catch {
      // a var of that host that cannot be rendered: the host reads as undefined (the plugin says what it needs)
      return JSON.stringify({});
    }
  };
}

const overrides = new Map<string, ReadonlySet<string>>();

/**
 * Whether the playbook's or its roles' own filter_plugins/ (test_plugins/) define the filter (test)
 * `name`: Ansible's short name then runs that plugin, not its builtin one of the name (plugin_loader
 * target's flatten). Asked of ansible-core only where such a directory exists.
 */
export function overriddenLocally(kind: 'filter' | 'test', name: string, playbookDir: string, dirs: string[]): boolean {
  const all = [...new Set([playbookDir, ...dirs])];
  const key = `${kind}\0${all.join('\0')}`;
  let names = overrides.get(key);
  if (!names) {
    const sub = kind === 'filter' ? 'filter_plugins' : 'test_plugins';
    const has = all.some((d) => statSync(join(d, sub), { throwIfNoEntry: false })?.isDirectory());
    names = has ? new Set(ask({ kind: 'local_names', name: kind, playbook: playbookDir, dirs: all }, `the ${sub} of ${playbookDir}`).value as string[]) : new Set();
    overrides.set(key, names);
  }
  return names.has(name);
}

/**
 * Whether ansible-core's lookup loader finds `name` (a with_<name> key is a loop only then), with the
 * playbook's directory and the task's role as the plugin directories it has when it reads the task.
 */
export function hasLookupPlugin(name: string, playbookDir: string, dirs: string[]): boolean {
  last = { playbook: playbookDir, dirs: [playbookDir, ...dirs] };
  return ask({ kind: 'has_lookup', name, ...last }, `the lookup plugin ${name}`).value === true;
}
