// Jinja2 3.1's own filters skiff lacked (groupby, batch, slice, truncate, filesizeformat, urlencode) and
// ansible-core's urldecode, md5, sha1, relpath: plain functions of plain values, as jinja2/filters.py.
import { createHash } from 'node:crypto';
import { relative, resolve } from 'node:path';
import { ExprError, isPyObject, order, pyStr, same, typeName } from './expr-error.ts';

type Dict = Record<string, unknown>;
type Fn = (v: unknown, args: unknown[], kw: Dict) => unknown;
const isDict = (v: unknown): v is Dict => !!v && typeof v === 'object' && !Array.isArray(v) && !isPyObject(v);

function iter(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (isDict(v)) return Object.keys(v);
  throw new ExprError(`'${typeName(v)}' object is not iterable`);
}

/**
 * Named fields of a tuple (Jinja2's _GroupTuple: `group.grouper`, `group.list`): a list that also
 * answers those names (expr.ts reads them); it compares and prints as the plain list it is.
 */
export const TUPLE_FIELDS: unique symbol = Symbol('named tuple fields');
export function namedTuple(fields: Record<string, unknown>): unknown[] {
  const t = Object.values(fields);
  Object.defineProperty(t, TUPLE_FIELDS, { value: fields, enumerable: false });
  return t;
}
export function tupleField(v: unknown[], name: string): { found: true; value: unknown } | undefined {
  const fields = (v as { [TUPLE_FIELDS]?: Dict })[TUPLE_FIELDS];
  return fields && Object.hasOwn(fields, name) ? { found: true, value: fields[name] } : undefined;
}

/** Jinja2's make_attrgetter: a dotted path of keys (digits index lists); `default` where one is missing. */
function attrGetter(path: unknown, dflt: unknown, lower: boolean): (v: unknown) => unknown {
  const parts = typeof path === 'number' ? [path] : pyStr(path).split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  return (v) => {
    let x = v;
    for (const p of parts) {
      if (Array.isArray(x) && typeof p === 'number' && p < x.length) x = x[p];
      else if (isDict(x) && Object.hasOwn(x, String(p))) x = x[String(p)];
      else if (dflt !== undefined) return dflt;
      else throw new ExprError(`${pyStr(v)} has no attribute ${pyStr(p)}`);
    }
    return lower && typeof x === 'string' ? x.toLowerCase() : x;
  };
}

/** urllib.parse.quote_from_bytes: UTF-8 bytes, unreserved characters (and `safe`) kept. */
function quote(s: string, safe: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9_.~-]/.test(c) || safe.includes(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Jinja2's url_quote: `/` kept in a path; in a query, quoted too and spaces as `+`. */
const urlQuote = (v: unknown, forQs: boolean) => (forQs ? quote(pyStr(v), '').replace(/%20/g, '+') : quote(pyStr(v), '/'));

/** urllib.parse.unquote_plus: `+` is a space, %XX bytes read as UTF-8 (a bad sequence replaced). */
function unquotePlus(s: string): string {
  const bytes: number[] = [];
  const t = s.replace(/\+/g, ' ');
  let out = '';
  const flush = () => {
    if (bytes.length) out += Buffer.from(bytes).toString('utf8');
    bytes.length = 0;
  };
  for (let i = 0; i < t.length; i++) {
    if (t[i] === '%' && /^[0-9a-fA-F]{2}$/.test(t.slice(i + 1, i + 3))) {
      bytes.push(parseInt(t.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      flush();
      out += t[i];
    }
  }
  flush();
  return out;
}

export const BUILTIN_FILTERS: Record<string, Fn> = {
  groupby: (v, [attribute, dflt, caseSensitive = false], kw) => {
    const path = kw.attribute ?? attribute;
    const d = kw.default ?? dflt;
    const cs = !!(kw.case_sensitive ?? caseSensitive);
    const key = attrGetter(path, d, !cs);
    const sorted = [...iter(v)].sort((a, b) => order(key(a), key(b)));
    const groups: { k: unknown; list: unknown[] }[] = [];
    for (const x of sorted) {
      const last = groups.at(-1);
      if (last && same(last.k, key(x))) last.list.push(x);
      else groups.push({ k: key(x), list: [x] });
    }
    // the group's key as its first item has it (not lowered)
    const real = attrGetter(path, d, false);
    return groups.map((g) => namedTuple({ grouper: cs ? g.k : real(g.list[0]), list: g.list }));
  },
  batch: (v, [linecount, fillWith = null], kw) => {
    const n = Number(kw.linecount ?? linecount);
    const fill = kw.fill_with ?? fillWith;
    const out: unknown[][] = [];
    for (const x of iter(v)) {
      if (!out.length || out.at(-1)!.length === n) out.push([]);
      out.at(-1)!.push(x);
    }
    const last = out.at(-1);
    if (last && fill !== null && last.length < n) last.push(...Array(n - last.length).fill(fill));
    return out;
  },
  slice: (v, [slices, fillWith = null], kw) => {
    const seq = iter(v);
    const n = Number(kw.slices ?? slices);
    const fill = kw.fill_with ?? fillWith;
    const per = Math.floor(seq.length / n);
    const extra = seq.length % n;
    const out: unknown[][] = [];
    let offset = 0;
    for (let i = 0; i < n; i++) {
      const start = offset + i * per;
      if (i < extra) offset++;
      const part = seq.slice(start, offset + (i + 1) * per);
      if (fill !== null && i >= extra) part.push(fill);
      out.push(part);
    }
    return out;
  },
  truncate: (v, [length = 255, killwords = false, end = '...', leeway = 5], kw) => {
    const s = pyStr(v);
    const [n, e, lw] = [Number(kw.length ?? length), pyStr(kw.end ?? end), Number(kw.leeway ?? leeway)];
    if (n < e.length) throw new ExprError(`expected length >= ${e.length}, got ${n}`);
    if ([...s].length <= n + lw) return s;
    const head = [...s].slice(0, n - e.length).join('');
    if (kw.killwords ?? killwords) return head + e;
    const cut = head.lastIndexOf(' ');
    return (cut < 0 ? head : head.slice(0, cut)) + e;
  },
  filesizeformat: (v, [binary = false], kw) => {
    const bytes = Number(v);
    const bin = !!(kw.binary ?? binary);
    const base = bin ? 1024 : 1000;
    const prefixes = bin ? ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'] : ['kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
    if (bytes === 1) return '1 Byte';
    if (bytes < base) return `${Math.trunc(bytes)} Bytes`;
    let i = 0;
    for (; i < prefixes.length - 1; i++) if (bytes < base ** (i + 2)) break;
    return `${((base * bytes) / base ** (i + 2)).toFixed(1)} ${prefixes[i]}`;
  },
  urlencode: (v) => {
    if (typeof v === 'string' || !(Array.isArray(v) || isDict(v))) return urlQuote(v, false);
    const pairs = isDict(v) ? Object.entries(v) : (v as unknown[]).map((p) => iter(p) as [unknown, unknown]);
    return pairs.map(([k, x]) => `${urlQuote(k, true)}=${urlQuote(x, true)}`).join('&');
  },
  urldecode: (v) => unquotePlus(pyStr(v)),
  md5: (v) => createHash('md5').update(pyStr(v)).digest('hex'),
  sha1: (v) => createHash('sha1').update(pyStr(v)).digest('hex'),
  // os.path.relpath(path, start=os.getcwd())
  relpath: (v, [start], kw) => relative(resolve(pyStr(kw.start ?? start ?? process.cwd())), resolve(pyStr(v))) || '.',
  striptags: (v) =>
    pyStr(v)
      .replace(/<!--[^]*?-->|<[^>]*>/g, '')
      .split(/\s+/)
      .filter(Boolean)
      .join(' '),
};
