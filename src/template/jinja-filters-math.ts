// ansible-core 2.14's plugins/filter/mathstuff.py filters skiff lacked: log, pow, root, human_readable,
// human_to_bytes, rekey_on_member, permutations, combinations, zip_longest, with its error texts (a
// filter's error is the task's failure when it runs: expr.ts makes these PluginErrors).
import { ExprError, isPyObject, pyStr, typeName } from './expr-error.ts';
import { numOf, pyFloat } from './py-float.ts';

type Dict = Record<string, unknown>;
type Fn = (v: unknown, args: unknown[], kw: Dict) => unknown;
const isDict = (v: unknown): v is Dict => !!v && typeof v === 'object' && !Array.isArray(v) && !isPyObject(v);

/** Python's float(x) of a real number (a bool is one); else math's TypeError text. */
function real(x: unknown): number {
  const n = numOf(x);
  if (n !== undefined) return n;
  throw new ExprError(`must be real number, not ${typeName(x)}`);
}

/** math's ValueError for a result outside the function's domain (log(0), sqrt(-1)). */
function domain(x: number): number {
  if (Number.isNaN(x)) throw new ExprError('math domain error');
  if (!Number.isFinite(x)) throw new ExprError('math domain error');
  return x;
}

/** math's functions return floats (`4 | pow(2)` is 16.0): a whole one is a PyFloat. */
const numbersOnly = (name: string, f: () => number): unknown => {
  try {
    return pyFloat(f());
  } catch (e) {
    if ((e as Error).message.startsWith('must be real number')) throw new ExprError(`${name}() can only be used on numbers: ${(e as Error).message}`);
    throw e;
  }
};

/** Python's round(): halves go to the even neighbour. */
const roundHalfEven = (x: number) => (Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x));

// module_utils/common/text/formatters.py's SIZE_RANGES, largest first (dict order as sorted there)
const SIZE_RANGES: [string, number][] = [
  ['Y', 2 ** 80],
  ['Z', 2 ** 70],
  ['E', 2 ** 60],
  ['P', 2 ** 50],
  ['T', 2 ** 40],
  ['G', 2 ** 30],
  ['M', 2 ** 20],
  ['K', 2 ** 10],
  ['B', 1],
];

/** formatters.bytes_to_human: `'%.2f %s'` of the largest unit the size reaches (or the one asked for). */
function bytesToHuman(size: unknown, isbits: boolean, unit: unknown): string {
  if (typeof size !== 'number' && typeof size !== 'boolean') {
    throw new ExprError(`human_readable() failed on bad input: '>=' not supported between instances of '${typeName(size)}' and 'int'`);
  }
  const base = isbits ? 'bits' : 'Bytes';
  let [suffix, limit] = SIZE_RANGES[SIZE_RANGES.length - 1];
  for ([suffix, limit] of SIZE_RANGES) {
    if ((unit === undefined || unit === null) && Number(size) >= limit) break;
    if (unit !== undefined && unit !== null && pyStr(unit).toUpperCase() === suffix[0]) break;
  }
  suffix = limit !== 1 ? suffix + base[0] : base;
  return `${(Number(size) / limit).toFixed(2)} ${suffix}`;
}

/** formatters.human_to_bytes: '10 KB' is 10240; a unit must say bytes (B) or, with isbits, bits (b). */
function humanToBytes(number: unknown, defaultUnit: unknown, isbits: boolean): number {
  const text = pyStr(number);
  const bad = () => new ExprError(`human_to_bytes() can't interpret following string: ${text}`);
  const m = /^\s*(\d*\.?\d*)\s*([A-Za-z]+)?/.exec(text);
  if (!m || !/\d/.test(m[1])) throw bad();
  const num = Number(m[1]);
  const unit = m[2] ?? (defaultUnit === undefined || defaultUnit === null ? undefined : pyStr(defaultUnit));
  if (unit === undefined) return roundHalfEven(num);
  const rangeKey = unit[0].toUpperCase();
  const limit = SIZE_RANGES.find(([k]) => k === rangeKey)?.[1];
  // every ValueError of formatters is the filter's "can't interpret" (mathstuff.human_to_bytes)
  if (limit === undefined) throw bad();
  const [unitClass, unitClassName] = isbits ? ['b', 'bit'] : ['B', 'byte'];
  if (unit.length > 1 && !unit.toLowerCase().includes(unitClassName) && unit[1] !== unitClass) throw bad();
  return roundHalfEven(num * limit);
}

/** itertools.permutations(v, r) as lists, in its order. */
function permutations(pool: unknown[], r: number): unknown[][] {
  if (r > pool.length) return [];
  const out: unknown[][] = [];
  const walk = (prefix: number[]) => {
    if (prefix.length === r) return void out.push(prefix.map((i) => pool[i]));
    for (let i = 0; i < pool.length; i++) if (!prefix.includes(i)) walk([...prefix, i]);
  };
  walk([]);
  return out;
}

/** itertools.combinations(v, r) as lists, in its order. */
function combinations(pool: unknown[], r: number): unknown[][] {
  const out: unknown[][] = [];
  const walk = (start: number, prefix: unknown[]) => {
    if (prefix.length === r) return void out.push(prefix);
    for (let i = start; i < pool.length; i++) walk(i + 1, [...prefix, pool[i]]);
  };
  walk(0, []);
  return out;
}

/** Python's iteration of a filter's input: a list's items, a dict's keys, a string's characters. */
function iter(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (isDict(v)) return Object.keys(v);
  throw new ExprError(`'${typeName(v)}' object is not iterable`);
}

export const MATH_FILTERS: Record<string, Fn> = {
  log: (x, [base], kw) =>
    numbersOnly('log', () => {
      const b = kw.base ?? base;
      if (b === 10) return domain(Math.log10(real(x)));
      const n = real(x);
      return domain(b === undefined ? Math.log(n) : Math.log(n) / Math.log(real(b)));
    }),
  pow: (x, [y], kw) => numbersOnly('pow', () => domain(real(x) ** real(kw.y ?? y))),
  root: (x, [base], kw) =>
    numbersOnly('root', () => {
      const b = kw.base ?? base ?? 2;
      const n = real(x);
      if (n < 0) throw new ExprError('root() can only be used on numbers: math domain error');
      return b === 2 ? Math.sqrt(n) : n ** (1 / real(b));
    }),
  human_readable: (size, [isbits = false, unit], kw) => bytesToHuman(size, !!(kw.isbits ?? isbits), kw.unit ?? unit),
  human_to_bytes: (size, [defaultUnit, isbits = false], kw) => humanToBytes(size, kw.default_unit ?? defaultUnit, !!(kw.isbits ?? isbits)),
  rekey_on_member: (data, [key, duplicates = 'error'], kw) => {
    const dup = kw.duplicates ?? duplicates;
    if (dup !== 'error' && dup !== 'overwrite') throw new ExprError(`duplicates parameter to rekey_on_member has unknown value: ${pyStr(dup)}`);
    const k = kw.key ?? key;
    const list = isDict(data) ? Object.values(data) : Array.isArray(data) ? data : undefined;
    if (!list) throw new ExprError('Type is not a valid list, set, or dict');
    const out: Dict = {};
    for (const item of list) {
      if (!isDict(item)) throw new ExprError('List item is not a valid dict');
      if (!Object.hasOwn(item, pyStr(k))) throw new ExprError(`Key ${pyStr(k)} was not found`);
      const at = pyStr(item[pyStr(k)]);
      // an entry already there is never empty: it holds at least the key itself
      if (Object.hasOwn(out, at) && dup === 'error') throw new ExprError(`Key ${at} is not unique, cannot correctly turn into dict`);
      out[at] = item;
    }
    return out;
  },
  permutations: (v, [r], kw) => {
    const pool = iter(v);
    const n = kw.r ?? r;
    return permutations(pool, n === undefined || n === null ? pool.length : Number(n));
  },
  combinations: (v, [r], kw) => combinations(iter(v), Number(kw.r ?? r)),
  zip_longest: (v, args, kw) => {
    const ls = [v, ...args].map(iter);
    const fill = kw.fillvalue ?? null;
    const len = Math.max(0, ...ls.map((l) => l.length));
    return Array.from({ length: len }, (_, i) => ls.map((l) => (i < l.length ? l[i] : fill)));
  },
};
