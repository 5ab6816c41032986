// Jinja2 expressions (`{{ ... }}` and `when:`), evaluated over skiff's scope. What skiff adds to Jinja2:
// an unknown variable or key is an error naming it (with a did-you-mean), never an empty string, unless
// `default`, `is defined` or a branch that does not run accepts it; and a value only known at run time
// (LATER) makes the result LATER instead of failing, so a playbook is checked before any host is touched.
import { didYouMean } from '../util/errors.ts';
import { Callable, ExprError, LATER, LATER_AS_TEXT, newNamespace, PluginError, PyException, PYTYPE, Undef, UndefinedError, isPyObject, order, pyRepr, pyStr, same, truthy, typeName, use, type PyObject } from './expr-error.ts';
import { FILTERS, TESTS, items, method } from './jinja-filters.ts';
import { tupleField } from './jinja-filters-builtin.ts';
import { firstFound } from './lookup-first-found.ts';
import { strftime } from '../util/strftime.ts';
import { nowDateTime } from './py-datetime.ts';
import { isFloat, isNumber, numOf, pyFloat } from './py-float.ts';
import { bigArith } from './py-int.ts';
import { BUILTIN_LOOKUPS, LOOKUP_FAILED, LookupError } from '../lookup/builtin.ts';
import { ANSIBLE_LOOKUPS, lookupName } from '../lookup/names.ts';
import { lookupFiles, lookupWarning } from '../lookup/base.ts';
import { pythonLookup, WordedLookupError } from '../lookup/python-lookup.ts';
import { Parser, type Node } from './jinja-parse.ts';
import { isSecretName } from '../util/secrets.ts';
import { callPlugin, overriddenLocally, ownName } from './py-plugins.ts';
import { markDerived, MIN_HIDDEN, revealedValues } from '../vault/revealed.ts';
import { markUnsafe, NATIVE, STRING_TYPE_FILTERS, textBits, textClassName, tracked, UNSAFE } from './unsafe.ts';

export { ExprError, LATER, truthy, UndefinedError } from './expr-error.ts';

/**
 * A name's value; `magic`: a magic variable (inventory_hostname...), which no one set; `inventory`: the
 * host's inventory var (or -e), which its connection settings already hold
 */
export type Scope = (name: string) => { found: true; value: unknown; magic?: boolean; inventory?: boolean } | { found: false; names: string[] };

type Val = unknown; // a plain value, LATER, or an Undef

const isLater = (v: Val) => v === LATER;
const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Source-like name of a path, for messages: `a.b`, `groups['x']`. */
function describe(n: Node): string {
  if (n.k === 'name') return n.n;
  if (n.k === 'get') return n.key.k === 'lit' ? `${describe(n.obj)}.${String(n.key.v)}` : `${describe(n.obj)}[...]`;
  return 'the value';
}

/**
 * Jinja2's message for a missing attribute or item (Undefined._undefined_message): `'dict object' has
 * no attribute 'b'`, `list object has no element 3`; a host hostvars lacks is `"hostvars['h']" is undefined`.
 */
function missing(obj: unknown, key: unknown): string {
  const type = typeName(obj);
  if (type === HOSTVARS) return `${pyRepr(`hostvars[${pyRepr(key)}]`)} is undefined`;
  const what = obj === null ? 'None' : `${type} object`;
  return typeof key === 'string' ? `${pyRepr(what)} has no attribute ${pyRepr(key)}` : `${what} has no element ${pyRepr(key)}`;
}

/** Ansible's class names of hostvars and of one host's vars in it (in Jinja2's messages). */
export const HOSTVARS = 'ansible.vars.hostvars.HostVars';
export const HOSTVARS_VARS = 'ansible.vars.hostvars.HostVarsVars';

/**
 * Python's comparisons: a number never equals a string (`'9001' == 9001` is False, `when: port == 80`
 * with port from `-e port=80` is false, as in Ansible), and ordering them is Python's TypeError.
 */
function compare(op: string, l: unknown, r: unknown, strClass?: readonly [string, string]): boolean {
  if (op === '==') return same(l, r);
  if (op === '!=') return !same(l, r);
  const c = order(l, r, op, strClass);
  return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
}

/**
 * Python's arithmetic of two numbers (a bool is an int): a float when either is one, or for `/`; an
 * int's power by a negative int is a float too. A whole float is a PyFloat (py-float.ts).
 */
function numeric(op: string, l: unknown, r: unknown): unknown {
  const [a, b] = [numOf(l)!, numOf(r)!];
  const float = isFloat(l) || isFloat(r);
  // Python's ZeroDivisionError, with its words for each operator
  if (b === 0 && op !== '**' && op !== '-' && op !== '*' && op !== '+') {
    const what = float ? (op === '/' ? 'float division by zero' : op === '//' ? 'float floor division by zero' : 'float modulo') : op === '/' ? 'division by zero' : op === '//' ? 'integer division or modulo by zero' : 'integer modulo by zero';
    throw new PyException('ZeroDivisionError', what);
  }
  // an int beyond 2**53 (or one made so) is exact, as Python's is (py-int.ts)
  if (!float) {
    const big = bigArith(op, l, r, op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : op === '**' ? a ** b : 0);
    if (big !== undefined) return big;
  }
  let n: number;
  switch (op) {
    case '+': n = a + b; break;
    case '-': n = a - b; break;
    case '*': n = a * b; break;
    case '/': return pyFloat(a / b);
    case '//': n = Math.floor(a / b); break;
    case '%': n = ((a % b) + b) % b; break;
    case '**':
      if (a === 0 && b < 0) throw new PyException('ZeroDivisionError', '0.0 cannot be raised to a negative power');
      return float || b < 0 ? pyFloat(a ** b) : a ** b;
    default: return undefined;
  }
  return float ? pyFloat(n) : n;
}

function arith(op: string, l: unknown, r: unknown): unknown {
  if (op === '~') return pyStr(l) + pyStr(r);
  // datetime - datetime, datetime + timedelta, ...: the object's own arithmetic, else Python's TypeError below
  const obj = isPyObject(l) ? l.arith(op, r, false) : isPyObject(r) ? r.arith(op, l, true) : undefined;
  if (obj !== undefined) return obj;
  const num = (x: unknown) => numOf(x) !== undefined;
  if (num(l) && num(r)) {
    const n = numeric(op, l, r);
    if (n !== undefined) return n;
  }
  if (op === '+') {
    if (typeof l === 'string' && typeof r === 'string') return l + r;
    if (Array.isArray(l) && Array.isArray(r)) return [...l, ...r];
  } else if (op === '*' && (typeof l === 'string' || Array.isArray(l)) && (typeof r === 'number' || typeof r === 'boolean')) {
    const times = Math.max(0, Number(r));
    return typeof l === 'string' ? l.repeat(times) : Array.from({ length: times }, () => l).flat();
  } else if (op === '%' && typeof l === 'string') {
    return FILTERS.format(l, Array.isArray(r) ? r : [r], {});
  }
  // Python's TypeError, as Jinja2 lets it through
  if (op === '+' && typeof l === 'string') throw new PyException('TypeError', `can only concatenate str (not "${typeName(r)}") to str`);
  if (op === '+' && Array.isArray(l)) throw new PyException('TypeError', `can only concatenate list (not "${typeName(r)}") to list`);
  throw new PyException('TypeError', `unsupported operand type(s) for ${op === '//' ? '//' : op}: '${typeName(l)}' and '${typeName(r)}'`);
}

/** Python's seq[from:to:step] of a list or string. */
function slice(obj: unknown, from: unknown, to: unknown, step: unknown): unknown {
  if (!Array.isArray(obj) && typeof obj !== 'string') throw new ExprError(`cannot slice ${typeName(obj)} ${pyStr(obj)}`);
  const all = [...obj];
  const st = step === undefined || step === null ? 1 : Number(step);
  if (!Number.isInteger(st) || st === 0) throw new ExprError(`slice step must be a non-zero integer, got ${pyStr(step)}`);
  const len = all.length;
  const norm = (x: unknown, dflt: number) => {
    if (x === undefined || x === null) return dflt;
    const i = Number(x);
    return i < 0 ? Math.max(i + len, st > 0 ? 0 : -1) : Math.min(i, st > 0 ? len : len - 1);
  };
  const [a, b] = [norm(from, st > 0 ? 0 : len - 1), norm(to, st > 0 ? len : -1)];
  const out: unknown[] = [];
  for (let i = a; st > 0 ? i < b : i > b; i += st) out.push(all[i]);
  return typeof obj === 'string' ? out.join('') : out;
}

/** Functions callable by name, unless a variable of that name hides them (as in Jinja2). */
const GLOBALS: Record<string, (args: unknown[], kw: Record<string, unknown>, scope: Scope) => unknown> = {
  // Ansible 2.14's undef(hint): an undefined value that fails, saying the hint, only where it is used
  // (a var overridden before use never fails; `debug: var=` shows it as not defined)
  undef: ([hint], kw) => {
    const h = kw.hint ?? hint;
    const text = h === undefined || h === null ? 'undef() was called without a hint' : pyStr(h);
    return new Undef(text, false, text);
  },
  range: ([a, b, step = 1]) => {
    const [from, to] = b === undefined ? [0, Number(a)] : [Number(a), Number(b)];
    const out: number[] = [];
    for (let i = from; Number(step) > 0 ? i < to : i > to; i += Number(step)) out.push(i);
    return out;
  },
  // Jinja2's namespace(): attributes a template's loop may assign (`{% set ns.found = true %}`) and
  // read after it, where a plain set would stay inside the loop (prometheus' node_exporter.service.j2)
  namespace: ([init], kw) => newNamespace({ ...(init === undefined ? {} : Array.isArray(init) ? Object.fromEntries(init.map((p) => items(p))) : (init as object)), ...kw }),
  dict: ([pairs], kw) => ({ ...(pairs === undefined ? {} : Array.isArray(pairs) ? Object.fromEntries(pairs.map((p) => items(p))) : (pairs as object)), ...kw }),
  // Ansible's now(utc=False, fmt=None): with fmt, the time as text; else a (naive) datetime
  now: ([utc, fmt], kw) => {
    utc ??= kw.utc ?? false;
    fmt ??= kw.fmt;
    if (!truthy(fmt)) return nowDateTime(truthy(utc));
    try {
      return strftime(pyStr(fmt), new Date(), truthy(utc));
    } catch (e) {
      throw new ExprError((e as Error).message);
    }
  },
  lookup: (args, kw, scope) => lookup(args, kw, false, scope),
  query: (args, kw, scope) => lookup(args, kw, true, scope),
  q: (args, kw, scope) => lookup(args, kw, true, scope),
};

/** lookup()/query() of the plugins that read only the controller: first_found, vars, and src/lookup/builtin.ts's. */
/**
 * Lookups that render with the task's variables (template), registered by a module that can import
 * the template renderer (template.ts): expr.ts importing it would be a cycle.
 */
const SCOPED_LOOKUPS: Record<string, (terms: unknown, kw: Record<string, unknown>, scope: Scope) => unknown[]> = {};
export function registerScopedLookup(name: string, f: (terms: unknown, kw: Record<string, unknown>, scope: Scope) => unknown[]) {
  SCOPED_LOOKUPS[name] = f;
}
/** How a lookup's string terms are templated once more (template.ts's renderString), registered for the same reason. */
let renderTerm: ((s: string, scope: Scope) => unknown) | undefined;
export function registerTermRenderer(f: (s: string, scope: Scope) => unknown) {
  renderTerm = f;
}

function lookup([plugin, ...given]: unknown[], kw: Record<string, unknown>, wantList: boolean, scope: Scope): unknown {
  // listify_lookup_plugin_terms templates the terms again: lookup('pipe', '{{ x }} -c ...') runs x's value
  const terms = given.map((t) => (typeof t === 'string' && renderTerm && /\{[{%#]/.test(t) ? renderTerm(t, scope) : t));
  if (terms.some(isLater)) return LATER;
  const { wantlist, allow_unsafe, ...rest } = kw;
  const want = wantList || wantlist === true;
  const out = runLookup(String(plugin), terms, rest, scope);
  // errors='ignore' or 'warn' took the plugin's error: [] as a list, else None (rendered '')
  if (out === undefined) return want ? [] : '';
  // Templar._lookup: an empty result, or one the playbook allows to be unsafe (allow_unsafe not False),
  // is as the plugin gave it
  if (!truthy(out) || (allow_unsafe ?? false) !== false) return out;
  // else what it gives is unsafe, and so is the template that asked for it
  markUnsafe();
  if (want) return out;
  // not a list: a dict's keys joined (ran[0] is a KeyError), a string's characters, other values are no list
  if (isObj(out)) return Object.keys(out).join(',');
  if (typeof out === 'string') return [...out].join(',');
  if (!Array.isArray(out)) throw new PluginError(`The lookup plugin '${plugin}' did not return a list.`);
  // a list of strings joined with commas; other values (",".join fails) a list, or its one item
  if (out.every((x) => typeof x === 'string')) return out.join(',');
  return out.length === 1 ? out[0] : out;
}

/**
 * Runs the lookup plugin `name` on its (rendered) terms, as Templar._lookup: its list; undefined when
 * errors='ignore' / 'warn' took its error; else Ansible's error, wrapped as Templar._lookup wraps it.
 */
export function runLookup(plugin: string, terms: unknown, kw: Record<string, unknown>, scope: Scope): unknown {
  const { errors, ...options } = kw;
  const run = lookupPlugin(plugin, scope);
  try {
    return run(terms, options);
  } catch (e) {
    if (!(e instanceof LookupError) && !(e instanceof ExprError && !(e instanceof UndefinedError) && lookupName(plugin) === 'first_found')) throw e;
    const text = !(e instanceof LookupError) ? e.message : e instanceof WordedLookupError || e.raised ? e.message : `${LOOKUP_FAILED} '${lookupName(plugin)}'. Error was a <class 'ansible.errors.AnsibleError'>, original message: ${e.message}`;
    if (errors === 'ignore') return undefined;
    if (errors === 'warn') {
      // Templar._lookup's display.warning: an AnsibleLookupError in its own words, any other as it would fail
      lookupWarning(e instanceof WordedLookupError ? e.warning : e instanceof LookupError && e.raised ? `Lookup failed but the error is being ignored: ${e.message}` : text);
      return undefined;
    }
    if (!(e instanceof LookupError)) throw e;
    throw new PluginError(text);
  }
}

/**
 * The lookup plugin `name` as its run(terms, **kwargs) (a LookupError is its own error). One skiff
 * does not implement runs through the controller's ansible-core (python-lookup.ts): the playbook's and
 * its roles' lookup_plugins/, a collection's by FQCN, ansible-core's own; a name none of them has
 * fails the task when it runs ("lookup plugin (x) not found"). `loop`: a with_<name> loop's, which
 * task_executor runs with wantlist=True.
 */
export function lookupPlugin(plugin: string, scope: Scope, loop = false): (terms: unknown, kw: Record<string, unknown>) => unknown {
  const name = lookupName(plugin);
  // the task's search path (its role, its file's directory), as Ansible passes it to lookups
  const { baseDir, searchPath } = lookupFiles(scope);
  const list = (terms: unknown) => (Array.isArray(terms) ? terms : [terms]);
  switch (name) {
    case 'vars':
      // lookup('vars', name, default=...): a variable by a name made at run time (lookup/vars.py)
      return (terms, kw) =>
        list(terms).map((t) => {
          if (typeof t !== 'string') throw new LookupError(`Invalid setting identifier, "${pyStr(t)}" is not a string, its a <class '${typeName(t)}'>`);
          const r = scope(t);
          if (r.found) return r.value;
          if (kw.default !== undefined && kw.default !== null) return kw.default;
          throw new UndefinedError(`No variable found with this name: ${t}`, `No variable found with this name: ${t}`);
        });
    case 'flattened':
      return (terms) => list(terms).flat();
    case 'first_found':
      return (terms, kw) => firstFound(list(terms), kw, searchPath, baseDir);
  }
  const scoped = Object.hasOwn(SCOPED_LOOKUPS, name) ? SCOPED_LOOKUPS[name] : undefined;
  if (scoped) return (t, k) => scoped(t, k, scope);
  const builtin = Object.hasOwn(BUILTIN_LOOKUPS, name) ? BUILTIN_LOOKUPS[name] : undefined;
  if (builtin) return (t, k) => builtin(t, k, { searchPath, baseDir, scope });
  return pythonLookup(plugin, scope, { searchPath, baseDir }, loop);
}

/** Every string inside a value. */
function leaves(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => leaves(x, out));
  else if (isObj(v)) Object.values(v).forEach((x) => leaves(x, out));
  return out;
}

class Evaluator {
  /** Texts of the secret vars this expression read: what a filter derives from them is secret too. */
  private secrets: string[] = [];
  constructor(private scope: Scope) {}

  /**
   * Output is redacted by text: a secret that a filter or method transforms (`| b64encode`, `| hash`,
   * `.split()`) would no longer match, so its result is remembered as secret like a vault value.
   */
  derived(input: unknown, result: unknown): unknown {
    const known = [...this.secrets, ...revealedValues()];
    if (known.length && leaves(input).some((s) => known.some((k) => s.includes(k)))) markDerived(result);
    return result;
  }

  /** A value that must be defined; LATER passes through. */
  val(n: Node): unknown {
    return use(this.ev(n));
  }
  /** Every value of `ns`, all evaluated (so each is checked) before LATER stops the caller. */
  vals(ns: Node[]): { vs: unknown[]; later: boolean } {
    const vs = ns.flatMap((n) => {
      if (n.k !== 'splat') return [this.val(n)];
      // `f(*xs)`: Python's unpacking of any iterable (a string gives its characters, a map its keys)
      const xs = this.val(n.v);
      if (isLater(xs)) return [xs];
      return items(xs, 'a *argument');
    });
    return { vs, later: vs.some(isLater) };
  }
  /** Arguments that may be undefined (Jinja2 passes its Undefined on): each an Undef, not an error yet. */
  lenientVals(ns: Node[]): { vs: unknown[]; later: boolean } {
    const vs = ns.map((n) => (n.k === 'splat' ? this.val(n) : this.ev(n)));
    return { vs, later: vs.some(isLater) };
  }
  /** format's arguments: an undefined one is Ansible's AnsibleUndefined object, not an error yet. */
  formatArgs(ns: Node[]): { vs: unknown[]; later: boolean } {
    const vs = ns.map((n) => {
      const v = n.k === 'splat' ? this.val(n) : this.ev(n);
      return v instanceof Undef ? undefinedObject(v) : v;
    });
    return { vs, later: vs.some(isLater) };
  }
  /** Keyword arguments that may be undefined, as lenientVals. */
  lenientKws(kw: Record<string, Node>): { kv: Record<string, unknown>; later: boolean } {
    const kv = Object.fromEntries(Object.entries(kw).map(([k, n]) => [k, this.ev(n)]));
    return { kv, later: Object.values(kv).some(isLater) };
  }
  kws(kw: Record<string, Node>): { kv: Record<string, unknown>; later: boolean } {
    const kv = Object.fromEntries(Object.entries(kw).map(([k, n]) => [k, this.val(n)]));
    return { kv, later: Object.values(kv).some(isLater) };
  }

  ev(n: Node): Val {
    try {
      return this.node(n);
    } catch (e) {
      // a run-time value made text while validating: the expression's value is known at run time too
      if (e === LATER_AS_TEXT) return LATER;
      throw e;
    }
  }
  private node(n: Node): Val {
    switch (n.k) {
      case 'lit':
        return n.v;
      case 'name': {
        const r = this.scope(n.n);
        if (r.found && isSecretName(n.n, this.secretVars())) this.secrets.push(...leaves(r.value).filter((x) => x.length >= MIN_HIDDEN));
        return r.found ? r.value : new Undef(`unknown variable ${JSON.stringify(n.n)}${didYouMean(n.n, r.names)}`, false, `${pyRepr(n.n)} is undefined`);
      }
      case 'list': {
        const { vs, later } = this.vals(n.items);
        return later ? LATER : vs;
      }
      case 'dict': {
        const pairs = n.pairs.map(([k, v]) => [this.val(k), this.val(v)]);
        return pairs.some(([k, v]) => isLater(k) || isLater(v)) ? LATER : Object.fromEntries(pairs.map(([k, v]) => [pyStr(k), v]));
      }
      case 'get':
        return this.get(n);
      case 'slice': {
        const obj = this.val(n.obj);
        const [from, to, step] = [n.from, n.to, n.step].map((x) => (x ? this.val(x) : undefined));
        if ([obj, from, to, step].some(isLater)) return LATER;
        return slice(obj, from, to, step);
      }
      case 'call':
        return this.call(n);
      case 'splat':
        // the parser makes one only among a call's arguments (vals() unpacks it)
        throw new ExprError('*argument outside a call');
      case 'filter':
        return this.filter(n);
      case 'test':
        return this.test(n);
      case 'not': {
        const v = this.val(n.v);
        return isLater(v) ? LATER : !truthy(v);
      }
      case 'neg': {
        const v = this.val(n.v);
        return isLater(v) ? LATER : arith('-', 0, v);
      }
      case 'and':
      case 'or': {
        // Jinja2 returns the operand that decides; the other side is not evaluated (nor checked)
        const l = this.val(n.l);
        if (isLater(l)) {
          // the right side is checked; `later and false` is false whatever the left turns out to be
          // (its value then is the left's own falsy one or this false: a condition cannot tell them apart)
          const r = this.val(n.r);
          return n.k === 'and' && !isLater(r) && !truthy(r) ? r : LATER;
        }
        return truthy(l) === (n.k === 'or') ? l : this.ev(n.r);
      }
      case 'if': {
        const c = this.val(n.cond);
        if (isLater(c)) {
          const [a, b] = [this.ev(n.then), n.else ? this.ev(n.else) : undefined];
          for (const x of [a, b]) if (x instanceof Undef && !x.empty) use(x);
          return LATER;
        }
        if (truthy(c)) return this.ev(n.then);
        return n.else ? this.ev(n.else) : new Undef('`x if c` without else, c false', true);
      }
      case 'bin': {
        if (['<', '<=', '>', '>='].includes(n.op)) {
          // what each side read names its strings' class in Python's TypeError (AnsibleUnicode)
          const [l, r] = [tracked(() => this.val(n.l)), tracked(() => this.val(n.r))];
          if (isLater(l.value) || isLater(r.value)) return LATER;
          return compare(n.op, l.value, r.value, [textClass(n.l, l.taint), textClass(n.r, r.taint)]);
        }
        const [l, r] = [this.val(n.l), this.val(n.r)];
        if (isLater(l) || isLater(r)) return LATER;
        if (n.op === 'in') return TESTS.in(l, [r], {});
        if (n.op === '==' || n.op === '!=') return compare(n.op, l, r);
        return arith(n.op, l, r);
      }
    }
  }

  secretVars(): unknown {
    const r = this.scope('secret_vars');
    return r.found ? r.value : undefined;
  }

  get(n: Extract<Node, { k: 'get' }>): Val {
    // Jinja2's getattr is Python's (no sandbox): `x.__class__` is x's type (a string's as type_debug names it)
    if (n.dot && n.key.k === 'lit' && n.key.v === '__class__') {
      const { value: x, taint } = tracked(() => this.ev(n.obj));
      if (x instanceof Undef || isLater(x)) return x;
      return new PyClass(typeof x === 'string' ? textClass(n.obj, taint) : typeName(x));
    }
    const obj = this.ev(n.obj);
    const key = this.val(n.key);
    if (obj instanceof Undef) return obj; // Ansible's undefined chains: `a.b | default(x)` of an undefined a
    if (isLater(obj) || isLater(key)) return LATER;
    if (n.dot && key === '__name__' && obj instanceof PyClass) return obj.name;
    if (Array.isArray(obj) || typeof obj === 'string') {
      // a named tuple's field (groupby's `group.grouper`)
      const field = Array.isArray(obj) && typeof key === 'string' ? tupleField(obj, key) : undefined;
      if (field) return field.value;
      const i = typeof key === 'number' ? key : NaN;
      const at = i < 0 ? obj.length + i : i;
      if (Number.isInteger(at) && at >= 0 && at < obj.length) return obj[at];
      return new Undef(`${describe(n.obj)} has no item ${pyStr(key)} (it has ${obj.length})`, false, missing(obj, key));
    }
    // own keys only: every object inherits `constructor`, `toString`, ... which no var defines
    if (isObj(obj) && Object.hasOwn(obj, pyStr(key))) return obj[pyStr(key)];
    const keys = isObj(obj) ? Object.keys(obj) : [];
    return new Undef(`${describe(n.obj)} has no key ${JSON.stringify(pyStr(key))}${didYouMean(pyStr(key), keys)}${keys.length && keys.length < 12 ? ` (it has: ${keys.join(', ')})` : ''}`, false, missing(obj, key));
  }

  call(n: Extract<Node, { k: 'call' }>): Val {
    const shadow = n.fn.k === 'name' ? this.scope(n.fn.n) : undefined;
    // a macro takes an undefined argument as Jinja2 passes it, its Undefined (`m(x)` where the body
    // asks `x is defined`): an error only where the body uses it
    if (shadow?.found && shadow.value instanceof Callable) {
      const { vs, later } = this.lenientVals(n.args);
      const { kv, later: kLater } = this.lenientKws(n.kw);
      return later || kLater ? LATER : shadow.value.call(vs, kv);
    }
    const { vs, later } = this.vals(n.args);
    const { kv, later: kLater } = this.kws(n.kw);
    // a name known only at run time (LATER, after a dynamic include or a templated set_fact key) is
    // taken for the global it most likely is
    if (n.fn.k === 'name' && Object.hasOwn(GLOBALS, n.fn.n) && (!shadow!.found || isLater(shadow!.value))) return later || kLater ? LATER : GLOBALS[n.fn.n](vs, kv, this.scope);
    if (n.fn.k === 'get' && n.fn.dot && n.fn.key.k === 'lit') {
      const obj = this.val(n.fn.obj);
      if (isLater(obj) || later || kLater) return LATER;
      // a macro of an imported template (`{% import 'x.j2' as x %}{{ x.m() }}`)
      const f = isObj(obj) && Object.hasOwn(obj, String(n.fn.key.v)) ? obj[String(n.fn.key.v)] : undefined;
      if (f instanceof Callable) return f.call(vs, kv);
      const m = method(obj, String(n.fn.key.v), vs, kv);
      if (m.found) return this.derived(obj, m.value);
      throw new ExprError(`${describe(n.fn.obj)} (${typeName(obj)}) has no method ${JSON.stringify(n.fn.key.v)}`);
    }
    if (n.fn.k === 'name' && !this.scope(n.fn.n).found) throw new ExprError(`unknown function ${JSON.stringify(n.fn.n)}${didYouMean(n.fn.n, Object.keys(GLOBALS))}: expected one of ${Object.keys(GLOBALS).join(', ')}`);
    throw new ExprError(`${describe(n.fn)} cannot be called`);
  }

  filter(n: Extract<Node, { k: 'filter' }>): Val {
    const f = ownName(n.full ?? n.name, 'filter') && Object.hasOwn(FILTERS, n.name) && !this.local('filter', n) ? FILTERS[n.name] : undefined;
    if (!f) {
      // an undefined input is the plugin's to take (Jinja2 passes its Undefined), once it is found
      const x = this.ev(n.v);
      const { vs, later } = this.vals(n.args);
      const { kv, later: kLater } = this.kws(n.kw);
      return isLater(x) || later || kLater ? LATER : this.python('filter', n, x, vs, kv);
    }
    // type_debug names an unsafe text's class: whether its value read one is seen as it is evaluated
    // (map('type_debug') too: each string item's class is that of what the list read)
    const classes = n.name === 'type_debug' || (n.name === 'map' && n.args[0]?.k === 'lit' && n.args[0].v === 'type_debug' && Object.keys(n.kw).length === 0);
    // a list written there: each item's own (`[hv, ek] | map('type_debug')`)
    if (classes && n.name === 'map' && n.v.k === 'list' && n.v.items.every((it) => it.k !== 'splat')) {
      const items = n.v.items;
      const got = items.map((it) => tracked(() => this.ev(it)));
      if (got.some((g) => isLater(g.value))) return LATER;
      return got.map((g, i) => (g.value instanceof Undef ? 'AnsibleUndefined' : typeof g.value === 'string' ? textClass(items[i], g.taint) : typeName(g.value)));
    }
    const { value: v, taint } = classes ? tracked(() => this.ev(n.v)) : { value: this.ev(n.v), taint: 0 };
    // extract of an undefined container, or of a key it lacks, is undefined (Ansible's chaining
    // undefined, which a later `default` takes), not an error
    if (n.name === 'extract') {
      const u = [v, ...n.args.map((a) => this.ev(a))].find((x) => x instanceof Undef);
      if (u) return u;
    }
    // format's arguments may be undefined: `"%r" | format(x)` shows AnsibleUndefined's repr (`%s` fails)
    // default's fallback may be undefined too (`default(ansible_processor_count)`): an error only if used
    const { vs, later } = n.name === 'format' ? this.formatArgs(n.args) : n.name === 'default' || n.name === 'd' ? this.lenientVals(n.args) : this.vals(n.args);
    const { kv, later: kLater } = this.kws(n.kw);
    if (n.name === 'default' || n.name === 'd') {
      // default(none) is None, not ''
      if (v instanceof Undef) return vs.length ? vs[0] : Object.hasOwn(kv, 'default_value') ? kv.default_value : '';
      if (isLater(v)) return LATER;
    }
    // a filter's error, at run time, with Ansible's text (its name is Jinja's _undefined_name)
    if (n.name === 'mandatory' && v instanceof Undef) {
      const name = /^'(.*)' is undefined$|has no attribute '(.*)'$/.exec(v.jinja);
      throw new PluginError(vs[0] !== undefined && vs[0] !== null ? pyStr(vs[0]) : `Mandatory variable ${name ? `'${name[1] ?? name[2]}' ` : ''} not defined.`);
    }
    // an undefined value's class is AnsibleUndefined (the filter gets the object)
    if (n.name === 'type_debug' && v instanceof Undef) return 'AnsibleUndefined';
    const x = use(v);
    if (isLater(x) || later || kLater) return LATER;
    if (n.name === 'map' && classes && Array.isArray(x)) return x.map((item) => (typeof item === 'string' ? textClass(n.v, taint) : typeName(item)));
    const r = n.name === 'type_debug' && typeof x === 'string' ? textClass(n.v, taint) : plugin(() => f(x, vs, kv));
    if (r === undefined && n.name === 'extract') return new Undef(`extract: ${pyStr(x)} is not in the container`, false, `'dict object' has no attribute ${pyRepr(pyStr(x))}`);
    return this.derived([x, vs], r);
  }

  test(n: Extract<Node, { k: 'test' }>): Val {
    const name = n.name;
    const v = this.ev(n.v);
    const { vs, later } = this.vals(n.args);
    const { kv, later: kLater } = this.kws(n.kw);
    let r: boolean;
    if ((name === 'defined' || name === 'undefined') && ownName(n.full ?? name, 'test')) {
      if (isLater(v)) return LATER;
      r = !(v instanceof Undef) === (name === 'defined');
    } else {
      const t = ownName(n.full ?? n.name, 'test') && Object.hasOwn(TESTS, name) && !this.local('test', n) ? TESTS[name] : undefined;
      const x = t ? use(v) : v;
      if (isLater(x) || later || kLater) return LATER;
      r = t ? plugin(() => t(x, vs, kv)) : truthy(this.python('test', n, x, vs, kv));
    }
    return n.neg ? !r : r;
  }

  /** A short name the playbook's own filter_plugins/ (test_plugins/) define, over skiff's builtin one. */
  local(kind: 'filter' | 'test', n: { name: string; full?: string }): boolean {
    if (n.full !== undefined && n.full !== n.name && !n.full.startsWith('ansible.legacy.')) return false;
    const { baseDir, searchPath } = lookupFiles(this.scope);
    return overriddenLocally(kind, n.name, baseDir, searchPath);
  }

  /**
   * A filter or test skiff does not implement: ansible-core's, found as Ansible finds it (filter_plugins/
   * beside the playbook and in its roles, a collection's by FQCN) when the expression is evaluated. One
   * that nothing provides is Ansible's error when the task runs (UnknownPlugin), not the playbook's.
   */
  python(kind: 'filter' | 'test', n: { name: string; full?: string }, x: unknown, vs: unknown[], kv: Record<string, unknown>): unknown {
    const { baseDir, searchPath } = lookupFiles(this.scope);
    const r = callPlugin({ kind, name: n.full ?? n.name, value: x, args: vs, kw: kv, playbookDir: baseDir, dirs: searchPath });
    return this.derived([x, vs], r);
  }
}

/**
 * Ansible's AnsibleUndefined as an object: its repr is `AnsibleUndefined(hint=None, obj=missing,
 * name='x')`; reading it as text (str) is the undefined-variable error it stands for.
 */
function undefinedObject(u: Undef): PyObject {
  const name = /^'(.*)' is undefined$/.exec(u.jinja)?.[1];
  const fail = (): never => {
    throw new UndefinedError(u.message, u.jinja);
  };
  return {
    [PYTYPE]: 'AnsibleUndefined',
    str: fail,
    repr: () => `AnsibleUndefined(hint=${name === undefined ? pyRepr(u.jinja) : 'None'}, obj=missing, name=${name === undefined ? 'None' : pyRepr(name)})`,
    cmp: () => fail(),
    arith: () => fail(),
    method: () => fail(),
  };
}

/**
 * A Python class as a value (`true.__class__`): its str and repr are `<class 'bool'>`. A class, not an
 * object literal: a walk over plain dicts (plainNumbers) leaves it as it is.
 */
class PyClass implements PyObject {
  declare [PYTYPE]: string;
  /** not an own enumerable key: a walk over a dict's keys sees none (it is no dict) */
  declare readonly name: string;
  constructor(name: string) {
    Object.defineProperty(this, 'name', { value: name, enumerable: false });
  }
  str(): string {
    return `<class '${CLASS_MODULES[this.name] ? `${CLASS_MODULES[this.name]}.` : ''}${this.name}'>`;
  }
  repr(): string {
    return this.str();
  }
  cmp(o: unknown): number | undefined {
    return o instanceof PyClass && o.name === this.name ? 0 : undefined;
  }
  arith(): undefined {
    return undefined;
  }
  method(): { found: false } {
    return { found: false };
  }
}
Object.defineProperty(PyClass.prototype, PYTYPE, { value: 'type' });
/** Where Ansible's own str classes live: a class's str names its module (builtins' do not). */
const CLASS_MODULES: Record<string, string> = {
  AnsibleUnicode: 'ansible.parsing.yaml.objects',
  AnsibleUnsafeText: 'ansible.utils.unsafe_proxy',
  NativeJinjaUnsafeText: 'ansible.utils.unsafe_proxy',
  NativeJinjaText: 'ansible.utils.native_jinja',
};

/**
 * The class of a string (type_debug): a STRING_TYPE_FILTERS filter's is a NativeJinjaText; one that read
 * an unsafe value keeps AnsibleUnsafeText's class through str's methods and Jinja2's filters
 * (unsafe_proxy.py overrides them), but Jinja2's `~` joins into a plain str; else as textBits says.
 */
function textClass(n: Node, taint: number): string {
  if (n.k === 'filter' && STRING_TYPE_FILTERS.includes(n.name)) return 'NativeJinjaText';
  if (n.k === 'bin' && n.op === '~') return 'str';
  // unsafe_proxy.py's methods make `self.__class__`: a NativeJinjaUnsafeText's stays one
  if (taint & UNSAFE) return textClassName(taint & (UNSAFE | NATIVE));
  return textClassName(textBits(n, taint));
}

/** A test's or filter's own error is Ansible's run-time one (skiff's refusals by name are not). */
function plugin<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    // a TypeError stays one: Templar.do_template words it (`'<' not supported between instances of ...` from sort)
    const typeError = e instanceof PyException && e.pyType === 'TypeError';
    if (e instanceof ExprError && e !== LATER_AS_TEXT && !(e instanceof UndefinedError) && !(e instanceof PluginError) && !typeError && !e.message.includes('not supported by skiff')) throw new PluginError(e.message);
    throw e;
  }
}

/** The value of a parsed expression; an undefined result is the error that names what is missing. */
export function evalNode(n: Node, scope: Scope): unknown {
  return use(new Evaluator(scope).ev(n));
}

/**
 * A condition (when, changed_when, failed_when, until, assert's that) as an expression: Ansible also
 * takes one written as a whole `{{ expr }}` (with a warning), so the delimiters are dropped.
 */
export function conditionText(src: string): string {
  const m = /^\s*\{\{([^]*)\}\}\s*$/.exec(src);
  return m && !/\{\{|\}\}/.test(m[1]) ? m[1] : src;
}

/** `pyEscapes`: string literals read Python's backslash escapes (see lex()). */
export function evaluate(src: string, scope: Scope, pyEscapes = false): unknown {
  return evalNode(Parser.expression(src, pyEscapes), scope);
}

/**
 * A condition as Ansible 2.14's Conditional evaluates it: the text is templated first, then put in
 * `{% if ... %}`. So a whole `{{ expr }}` gives a value; one that is not text (or is empty) decides by
 * itself, text is read again as an expression ("False" is false, "no" an undefined variable). A plain
 * condition is an expression whose string literals read Python's escapes (no `{{`: Ansible does not
 * double its backslashes), true as Python's truthiness says (a non-empty string is true).
 */
export function condition(src: string, scope: Scope): boolean {
  const inner = conditionText(src);
  if (inner === src) return truthy(evaluate(src, scope, true));
  const v = evaluate(inner, scope);
  return typeof v === 'string' && v !== '' ? truthy(evaluate(v, scope, true)) : truthy(v);
}
