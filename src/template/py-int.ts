// Python's int beyond JavaScript's safe integers. skiff keeps an int as a JavaScript number, exact up to
// 2**53; Python's ints have no limit, and a template may rely on the digits: `'{{ 2**63 - 1 }}'` is the
// text "9223372036854775807" (a double would say ...776000). Integer arithmetic whose result leaves the
// safe range (expr.ts's numeric) makes a PyInt; one that comes back into it is a number again. Where
// skiff needs a number (a schema, JSON, Math), it is the nearest double, as before.
import { PYTYPE, type PyObject } from './expr-error.ts';

export class PyInt implements PyObject {
  declare [PYTYPE]: string;
  declare readonly value: bigint;
  constructor(value: bigint) {
    // not an own enumerable key: a walk over a dict's keys sees none (it is no dict)
    Object.defineProperty(this, 'value', { value, enumerable: false });
  }
  str(): string {
    return this.value.toString();
  }
  repr(): string {
    return this.str();
  }
  bool(): boolean {
    return this.value !== 0n;
  }
  cmp(o: unknown): number | undefined {
    const b = bigOf(o);
    if (b !== undefined) return this.value < b ? -1 : this.value > b ? 1 : 0;
    const n = typeof o === 'number' ? o : o !== null && typeof o === 'object' && typeof (o as { valueOf(): unknown }).valueOf() === 'number' ? ((o as { valueOf(): number }).valueOf()) : undefined;
    if (n === undefined || Number.isNaN(n)) return undefined;
    const a = Number(this.value);
    return a < n ? -1 : a > n ? 1 : 0;
  }
  /** expr.ts's arithmetic takes numbers (a PyInt among them) itself */
  arith(): unknown {
    return undefined;
  }
  method(): { found: false } {
    return { found: false };
  }
  valueOf(): number {
    return Number(this.value);
  }
  toString(): string {
    return this.str();
  }
  toJSON(): number {
    return Number(this.value);
  }
}
Object.defineProperty(PyInt.prototype, PYTYPE, { value: 'int' });

/** An int (a bool is one) as a bigint; undefined for anything else, a float included. */
export function bigOf(x: unknown): bigint | undefined {
  if (x instanceof PyInt) return x.value;
  if (typeof x === 'number' && Number.isInteger(x)) return BigInt(x);
  if (typeof x === 'boolean') return x ? 1n : 0n;
  return undefined;
}

/** A bigint as skiff keeps an int: a number while it is exact, else a PyInt. */
export const intOf = (b: bigint): number | PyInt => (b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : new PyInt(b));

/** Most bits a power may have: Python would compute more, slowly; a template that wants them is a mistake. */
const MAX_BITS = 1_000_000;

/**
 * Python's int arithmetic, exactly, when it leaves the safe range or has a PyInt in it; undefined when
 * a number does it exactly (or an operand is no int, or the operator makes a float: `/`, `**` of a
 * negative). A divisor of zero is the caller's ZeroDivisionError, checked before.
 */
export function bigArith(op: string, l: unknown, r: unknown, exact: number): number | PyInt | undefined {
  const [a, b] = [bigOf(l), bigOf(r)];
  if (a === undefined || b === undefined) return undefined;
  if (!(l instanceof PyInt) && !(r instanceof PyInt) && Number.isSafeInteger(exact)) return undefined;
  switch (op) {
    case '+': return intOf(a + b);
    case '-': return intOf(a - b);
    case '*': return intOf(a * b);
    case '//': {
      const q = a / b;
      return intOf(a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q);
    }
    case '%': {
      const m = a % b;
      return intOf(m !== 0n && (m < 0n) !== (b < 0n) ? m + b : m);
    }
    case '**': {
      if (b < 0n) return undefined;
      const bits = a === 0n || a === 1n || a === -1n ? 1 : (a < 0n ? -a : a).toString(2).length * Number(b);
      if (bits > MAX_BITS) return undefined;
      return intOf(a ** b);
    }
    default: return undefined;
  }
}
