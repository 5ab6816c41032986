// Python's float where its value is a whole number. skiff keeps numbers as JavaScript numbers, which
// cannot tell 2.0 from 2: Python can (`{{ v }}` of `v: 2.0` is `2.0`, `v is float` is true, a config
// file rendered from `version: 1.0` says 1.0). A float with a fraction is a plain number already (it
// cannot be an int); a whole one is a PyFloat, made where Python makes a float: the YAML loader
// (`2.0`, `37.`), a template's literal, `/`, arithmetic with a float, `| float`, `| round`.
// Where skiff needs a number (a schema's, a keyword's), plainNumbers() gives it; as JSON (results,
// the report, a module's arguments) floatJson() writes `2.0`, as Python's json.dumps does.
import { floatRepr, PYTYPE, type PyObject } from './expr-error.ts';
import { PyInt } from './py-int.ts';

export class PyFloat implements PyObject {
  declare [PYTYPE]: string;
  /** the number; not an own enumerable key, so a walk over a dict's keys sees none (it is no dict) */
  declare readonly value: number;
  constructor(value: number) {
    Object.defineProperty(this, 'value', { value, enumerable: false });
  }
  str(): string {
    return floatRepr(this.value);
  }
  repr(): string {
    return floatRepr(this.value);
  }
  bool(): boolean {
    return this.value !== 0;
  }
  cmp(o: unknown): number | undefined {
    const n = typeof o === 'number' ? o : typeof o === 'boolean' ? Number(o) : o instanceof PyFloat ? o.value : o instanceof PyInt ? Number(o.value) : undefined;
    if (n === undefined) return undefined;
    return this.value < n ? -1 : this.value > n ? 1 : this.value === n ? 0 : undefined;
  }
  /** expr.ts's arithmetic takes numbers (a PyFloat among them) itself */
  arith(): unknown {
    return undefined;
  }
  method(name: string): { found: true; value: unknown } | { found: false } {
    if (name === 'is_integer') return { found: true, value: true };
    return { found: false };
  }
  /** a number where JavaScript wants one (Number(x), x < y, Math.*) */
  valueOf(): number {
    return this.value;
  }
  toString(): string {
    return this.str();
  }
  /** plain JSON.stringify (a cache, a request to a tool) writes the number; floatJson writes `2.0` */
  toJSON(): number {
    return this.value;
  }
}
Object.defineProperty(PyFloat.prototype, PYTYPE, { value: 'float' });

/** Python's float(n): a PyFloat where n is whole, else n itself (1.5, nan and inf are floats already). */
export const pyFloat = (n: number): number | PyFloat => (Number.isInteger(n) ? new PyFloat(n) : n);

/** A number (an int, a float, a bool as Python's int) as JavaScript's; undefined for anything else. */
export function numOf(x: unknown): number | undefined {
  if (typeof x === 'number') return x;
  if (x instanceof PyFloat) return x.value;
  if (x instanceof PyInt) return Number(x.value);
  if (typeof x === 'boolean') return Number(x);
  return undefined;
}

/** A Python float: a PyFloat, or a number with a fraction (nan and inf too). */
export const isFloat = (x: unknown): boolean => x instanceof PyFloat || (typeof x === 'number' && !Number.isInteger(x));

/** A Python int or float (not a bool). */
export const isNumber = (x: unknown): boolean => typeof x === 'number' || x instanceof PyFloat || x instanceof PyInt;

/**
 * The value with each PyFloat as its number, for what takes plain numbers (a schema, a keyword):
 * the same object where there is none, so values without floats are not copied.
 */
export function plainNumbers<T>(v: T): T {
  if (v instanceof PyFloat) return v.value as T;
  if (Array.isArray(v)) {
    const out = v.map(plainNumbers);
    return (out.some((x, i) => x !== v[i]) ? out : v) as T;
  }
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      out[k] = plainNumbers(x);
      if (out[k] !== x) changed = true;
    }
    return (changed ? out : v) as T;
  }
  return v;
}

/** A private-use mark around a float's text in JSON while it is written: no value of a playbook holds it. */
const MARK = '\uE000float:';
const MARKED = new RegExp(`"${MARK}([^"]*)"`, 'g');

/** JSON.stringify's replacer that writes a PyFloat as its marked text (its holder still has it). */
function marking(this: unknown, key: string, x: unknown): unknown {
  const own = (this as Record<string, unknown>)[key];
  return own instanceof PyFloat ? MARK + jsonFloat(own.value) : x;
}

/** json.dumps of a float: repr, with NaN and Infinity as Python writes them. */
const jsonFloat = (n: number) => (Number.isNaN(n) ? 'NaN' : n === Infinity ? 'Infinity' : n === -Infinity ? '-Infinity' : floatRepr(n));

/** JSON.stringify, with each PyFloat written as Python's json.dumps writes a float (`2.0`). */
export function floatJson(v: unknown, indent?: number | string): string {
  const text = JSON.stringify(v, marking, indent);
  return text === undefined ? text : text.replace(MARKED, '$1');
}

/**
 * JSON.stringify that keeps each PyFloat as a marked text, for JSON.parse with revivingFloats to
 * make it a PyFloat again (a result redacted as JSON text).
 */
export const floatMarkedJson = (v: unknown): string => JSON.stringify(v, marking);
export function revivingFloats(_key: string, x: unknown): unknown {
  return typeof x === 'string' && x.startsWith(MARK) ? pyFloat(Number(x.slice(MARK.length))) : x;
}

/** JSON.parse as Python's json.loads reads numbers: `2.0` and `1e3` are floats, so whole ones are PyFloats. */
export function parseJsonFloats(text: string): unknown {
  // bad JSON fails with JSON.parse's own words and positions, as without floats
  const plain = JSON.parse(text);
  if (!/[.eE]/.test(text)) return plain;
  const marked = text.replace(/"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/g, (t) => (t.startsWith('"') || !/[.eE]/.test(t) ? t : `"${MARK}${t}"`));
  return JSON.parse(marked, revivingFloats);
}
