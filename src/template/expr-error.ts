// What the expression modules share: the error every bad expression raises, the value of a variable
// only known at run time, and an undefined value that is an error only where it is used.

/** Value of a variable that only exists at run time (a `register`), seen while validating. */
export const LATER: unique symbol = Symbol('known at run time');

export class ExprError extends Error {}

/**
 * Thrown when a value known only at run time (LATER, inside a list or map) is made text while
 * validating (`' '.join(xs)` with a templated item): the expression is then LATER, not that text.
 */
export const LATER_AS_TEXT = new ExprError('a value known only at run time made text');

/** Jinja2's namespace() objects: plain maps of attributes that `{% set ns.attr = ... %}` may assign. */
const NAMESPACES = new WeakSet<object>();
export function newNamespace(attrs: Record<string, unknown>): Record<string, unknown> {
  const ns = { ...attrs };
  NAMESPACES.add(ns);
  return ns;
}
export const isNamespace = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && NAMESPACES.has(x);

/** A value that can be called in an expression: a template's `{% macro %}` (its output is text). */
export class Callable {
  constructor(
    readonly name: string,
    readonly call: (args: unknown[], kw: Record<string, unknown>) => unknown,
  ) {}
  toString() {
    return `<Macro '${this.name}'>`;
  }
}

/**
 * A test or filter refusing its input (Ansible's AnsibleFilterError: "The 'failed' test expects a
 * dictionary", "Invalid operator type ..."): Ansible raises it when the task runs, so it is the task's
 * failure then (ignore_errors, rescue), never a problem found before the run. `message` is Ansible's text.
 */
export class PluginError extends ExprError {}
/**
 * A test or filter named by a string that Jinja2 looks up only as it runs (`select('asdf')`) and Ansible
 * cannot load: Jinja2's TemplateSyntaxError, raised when the template runs. `message` is Ansible's text.
 */
export class TemplateSyntaxError extends PluginError {}
/**
 * A Python exception Jinja2 lets through (ZeroDivisionError of `{{ 5 / 0 }}`, TypeError of `{{ 'a' - 1 }}`):
 * not an AnsibleError, so Ansible's task result is `exception` (its traceback) and `failed`, no `msg`,
 * when the task runs; ignore_errors and rescue take it.
 */
export class PyException extends ExprError {
  constructor(
    readonly pyType: string,
    message: string,
  ) {
    super(message);
  }
  /** the traceback's last line, which Ansible's callback shows: `ZeroDivisionError: division by zero` */
  get line(): string {
    return `${this.pyType}: ${this.message}`;
  }
}
/**
 * An undefined variable, key or item was used (Ansible's AnsibleUndefinedVariable: debug's `var` prints
 * it instead of failing): `message` is skiff's (with a did-you-mean), `jinja` is
 * Jinja2's text of it (`'x' is undefined`, `'dict object' has no attribute 'b'`), which Ansible puts
 * in the task's failure when it runs. Not a load-time error unless --strict: a name may be defined at
 * run time (set_fact, register, include_vars, facts...).
 */
export class UndefinedError extends ExprError {
  constructor(
    message: string,
    readonly jinja: string,
  ) {
    super(message);
  }
}

/**
 * Jinja2's Undefined, with Ansible's chaining (`a.b.c` of an undefined `a` is undefined, not an error):
 * `default` and `is defined` accept it; any other use raises the message that names what was missing.
 * `empty` marks the value of `x if c` without else, which Jinja2 renders as ''.
 */
/** Jinja2's text of an undefined-variable error (an UndefinedError, or one wrapped with its text); else undefined. */
export function undefinedText(e: unknown): string | undefined {
  if (e instanceof UndefinedError) return e.jinja;
  const j = (e as { jinja?: unknown } | null)?.jinja;
  return e instanceof ExprError && typeof j === 'string' ? j : undefined;
}

export class Undef {
  constructor(
    readonly message: string,
    readonly empty = false,
    /** Jinja2's message for it (see UndefinedError) */
    readonly jinja = message,
  ) {}
}

export function use<T>(v: T | Undef): T {
  if (v instanceof Undef) {
    if (v.empty) return '' as T;
    throw new UndefinedError(v.message, v.jinja);
  }
  return v;
}

/**
 * Python's truthiness, which Jinja2's `if`, `and`, `not` and Ansible's conditionals (`when`, `that`) use:
 * any non-empty string is true, "False" and "no" too (`| bool` reads those as Ansible's booleans).
 */
export function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (isPyObject(v)) return v.bool?.() ?? true;
  if (v && typeof v === 'object') return Object.keys(v).length > 0;
  return !!v;
}

/** Python's repr() of a value, which is what str() of a list or dict shows of its items. */
export function pyRepr(v: unknown): string {
  if (typeof v === 'string') {
    const q = v.includes("'") && !v.includes('"') ? '"' : "'";
    const body = v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
    return q + (q === "'" ? body.replace(/'/g, "\\'") : body) + q;
  }
  return isPyObject(v) ? v.repr() : pyStr(v);
}

/** Python's str(): how a value reads inside text (`x={{ v }}`), with `~` and with `| string`. */
export function pyStr(v: unknown): string {
  if (v === undefined) return '';
  if (v === LATER) throw LATER_AS_TEXT;
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : floatRepr(v);
  if (isPyObject(v)) return v.str();
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (typeof v === 'object') return `{${Object.entries(v as object).map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
  return String(v);
}

/**
 * Python's repr() of a float (str() is the same): a whole one keeps its `.0`, the exponent is used from
 * 1e16 and below 1e-4 with at least two digits (`1e+16`, `1e-05`), as Python writes them.
 */
export function floatRepr(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : n < 0 ? '-inf' : 'nan';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const a = Math.abs(n);
  if (a >= 1e16 || a < 1e-4) return n.toExponential().replace(/e([-+])(\d)$/, 'e$10$2');
  const s = String(n);
  return Number.isInteger(n) ? `${s}.0` : s;
}

/**
 * Python's `==` of plain values: lists and dicts by content (key order aside), a bool as the int it is
 * (`True == 1`), and never a number with a string (`'9001' == 9001` is False, as in Ansible).
 */
export function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isPyObject(a) || isPyObject(b)) return isPyObject(a) ? a.cmp(b) === 0 : (b as PyObject).cmp(a) === 0;
  if ((typeof a === 'boolean' || typeof a === 'number') && (typeof b === 'boolean' || typeof b === 'number')) return Number(a) === Number(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

/** The Python class name an object stands for when it is not a plain dict (Ansible's hostvars). */
export const PYTYPE: unique symbol = Symbol('python type');

/**
 * A Python object skiff models as a class (datetime, timedelta): its fields are its attributes (own
 * keys, as a dict's), and these say how str(), comparisons, arithmetic and its methods see it.
 */
export interface PyObject {
  [PYTYPE]: string;
  /** str() */
  str(): string;
  /** repr(): how it reads inside a list or dict's text */
  repr(): string;
  /** <0, 0, >0 against `o`; undefined where Python has no ordering (then a TypeError, or != for ==) */
  cmp(o: unknown): number | undefined;
  /** `this op o` (`o op this` when reflected); undefined where Python has no such operation */
  arith(op: string, o: unknown, reflected: boolean): unknown;
  method(name: string, args: unknown[], kw: Record<string, unknown>): { found: true; value: unknown } | { found: false };
  /** Python's truthiness (bool()); without it, always true as an object is */
  bool?(): boolean;
}
export const isPyObject = (v: unknown): v is PyObject => !!v && typeof v === 'object' && typeof (v as { [PYTYPE]?: unknown })[PYTYPE] === 'string' && typeof (v as PyObject).cmp === 'function';

export function typeName(v: unknown): string {
  if (v === null) return 'NoneType';
  if (v && typeof v === 'object' && typeof (v as { [PYTYPE]?: unknown })[PYTYPE] === 'string') return (v as { [PYTYPE]: string })[PYTYPE];
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'dict';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  return typeof v;
}

/** Python's str ordering: by code point (JavaScript's by UTF-16 unit puts U+FFFF after an emoji). */
function strOrder(a: string, b: string): number {
  if (!/[\uD800-\uDFFF]/.test(a + b)) return a < b ? -1 : a > b ? 1 : 0;
  const [x, y] = [[...a], [...b]];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d) return d < 0 ? -1 : 1;
  }
  return x.length - y.length;
}

/**
 * Python's ordering of `a op b`: numbers with numbers, strings with strings, lists at their first unequal
 * item; anything else is Python's TypeError (`'<' not supported between instances of 'str' and 'int'`),
 * which fails the task in Ansible. `strClass`: how the message names a's and b's strings (AnsibleUnicode).
 */
export function order(a: unknown, b: unknown, op = '<', strClass: readonly [string, string] = ['str', 'str']): number {
  if (typeof a === 'boolean') a = Number(a);
  if (typeof b === 'boolean') b = Number(b);
  const c = isPyObject(a) ? a.cmp(b) : isPyObject(b) ? -(b.cmp(a) ?? NaN) : undefined;
  if (c !== undefined && !Number.isNaN(c)) return c;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return strOrder(a, b);
  if (Array.isArray(a) && Array.isArray(b)) {
    const i = a.findIndex((x, i) => i >= b.length || !same(x, b[i]));
    return i < 0 || i >= b.length ? a.length - b.length : order(a[i], b[i], op, strClass);
  }
  const name = (v: unknown, cls: string) => (typeof v === 'string' ? cls : typeName(v));
  throw new PyException('TypeError', `'${op}' not supported between instances of '${name(a, strClass[0])}' and '${name(b, strClass[1])}'`);
}
