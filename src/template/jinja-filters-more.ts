// More of ansible-core 2.14's filters (plugins/filter/core.py), with its semantics and error texts:
// extract, subelements, random, shuffle, comment, strftime, path_join, from_yaml_all, to_uuid,
// to_datetime, password_hash.
import { createHash } from 'node:crypto';
import { parseAllDocuments } from 'yaml';
import { numOf } from './py-float.ts';
import { ExprError, isPyObject, pyRepr, pyStr, typeName } from './expr-error.ts';
import { belowOf, randrange, shuffle } from './py-random.ts';
import { strftime } from '../util/strftime.ts';
import { strptime } from './py-datetime.ts';
import { passwordHash } from './password-hash.ts';

type Dict = Record<string, unknown>;
type Fn = (v: unknown, args: unknown[], kw: Dict) => unknown;
const isDict = (v: unknown): v is Dict => !!v && typeof v === 'object' && !Array.isArray(v) && !isPyObject(v);

/** Jinja's getitem: a list's index, a dict's key; undefined (Jinja's Undefined: expr.ts makes it one) when missing. */
function getitem(c: unknown, k: unknown): unknown {
  if (Array.isArray(c) || typeof c === 'string') return typeof k === 'number' ? c[k < 0 ? c.length + k : k] : undefined;
  return isDict(c) && Object.hasOwn(c, pyStr(k)) ? c[pyStr(k)] : undefined;
}

const COMMENT_STYLES: Record<string, Dict> = {
  plain: { decoration: '# ' },
  erlang: { decoration: '% ' },
  c: { decoration: '// ' },
  cblock: { beginning: '/*', decoration: ' * ', end: ' */' },
  xml: { beginning: '<!--', decoration: ' - ', end: '-->' },
};

// uuid.UUID('361E6D51-FAEC-444A-9079-341386DA8E2E'): Ansible's namespace for to_uuid
const UUID_NAMESPACE_ANSIBLE = '361e6d51-faec-444a-9079-341386da8e2e';

/** uuid.uuid5: SHA-1 of the namespace's bytes and the name, version 5, RFC 4122 variant. */
export function uuid5(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const h = createHash('sha1').update(ns).update(Buffer.from(name, 'utf8')).digest().subarray(0, 16);
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** uuid.UUID(text): the forms Python reads (braces, urn:uuid:, dashes anywhere), else its ValueError. */
function uuidText(ns: unknown): string {
  if (typeof ns !== 'string') throw new ExprError(`Invalid value '${pyStr(ns)}' for 'namespace': '${typeName(ns)}' object has no attribute 'replace'`);
  const hex = ns.replace(/^urn:|^uuid:/g, '').replace(/[{}-]/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new ExprError(`Invalid value '${ns}' for 'namespace': badly formed hexadecimal UUID string`);
  return hex.toLowerCase();
}

export const MORE_FILTERS: Record<string, Fn> = {
  // the container's item (then each of morekeys in turn); a missing one is undefined, as Jinja's getitem
  extract: (item, [container, morekeys]) => {
    const keys = morekeys === undefined || morekeys === null ? [item] : Array.isArray(morekeys) ? [item, ...morekeys] : [item, morekeys];
    let v = container;
    for (const k of keys) {
      v = getitem(v, k);
      if (v === undefined) return undefined;
    }
    return v;
  },
  subelements: (obj, [sub, skipMissing = false], kw) => {
    const skip = kw.skip_missing ?? skipMissing;
    const elements = isDict(obj) ? Object.values(obj) : Array.isArray(obj) ? obj : undefined;
    if (!elements) throw new ExprError('obj must be a list of dicts or a nested dict');
    const path = Array.isArray(sub) ? sub : typeof sub === 'string' ? sub.split('.') : undefined;
    if (!path) throw new ExprError('subelements must be a list or a string');
    const out: unknown[] = [];
    for (const el of elements) {
      let values: unknown = el;
      for (const k of path) {
        if (isDict(values)) {
          if (Object.hasOwn(values, pyStr(k))) {
            values = values[pyStr(k)];
            continue;
          }
          if (skip) {
            values = [];
            break;
          }
          throw new ExprError(`could not find ${pyRepr(k)} key in iterated item ${pyRepr(values)}`);
        }
        throw new ExprError(`the key ${pyStr(k)} should point to a dictionary, got '${pyStr(values)}'`);
      }
      if (!Array.isArray(values)) throw new ExprError(`the key ${pyRepr(path.at(-1))} should point to a list, got ${pyRepr(values)}`);
      for (const x of values) out.push([el, x]);
    }
    return out;
  },
  random: (end, [start, step, seed], kw) => {
    const below = belowOf(kw.seed ?? seed);
    const st = kw.start ?? start;
    const sp = kw.step ?? step;
    if (typeof end === 'number' && Number.isInteger(end)) {
      try {
        return randrange(below, Number(st || 0), end, Number(sp || 1));
      } catch (e) {
        throw new ExprError((e as Error).message);
      }
    }
    if (Array.isArray(end) || typeof end === 'string' || isDict(end)) {
      if (st || sp) throw new ExprError('start and step can only be used with integer values');
      const xs = Array.isArray(end) ? end : typeof end === 'string' ? [...end] : Object.keys(end);
      if (!xs.length) throw new ExprError('Cannot choose from an empty sequence');
      return xs[below(xs.length)];
    }
    throw new ExprError('random can only be used on sequences and integers');
  },
  // a value that is not a list comes back as it is (Ansible swallows the error)
  shuffle: (v, [seed], kw) => {
    const s = kw.seed ?? seed;
    if (!(Array.isArray(v) || typeof v === 'string' || isDict(v))) return v;
    const xs = Array.isArray(v) ? [...v] : typeof v === 'string' ? [...v] : Object.keys(v);
    // Ansible seeds only with a true seed (`if seed:`): seed=0 is the system's randomness
    return shuffle(belowOf(s ? s : undefined), xs);
  },
  comment: (text, [style = 'plain'], kw) => {
    const st = String(kw.style ?? style);
    const sp = COMMENT_STYLES[st];
    if (!sp) throw new ExprError(`'${st}'`);
    const kws = Object.fromEntries(Object.entries(kw).filter(([k]) => k !== 'style'));
    const prepostfix = String(Object.hasOwn(kws, 'decoration') ? kws.decoration : sp.decoration);
    const p: Dict = { newline: '\n', beginning: '', prefix: prepostfix.trimEnd(), prefix_count: 1, decoration: '', postfix: prepostfix.trimEnd(), postfix_count: 1, end: '', ...sp, ...kws };
    const nl = pyStr(p.newline);
    const deco = pyStr(p.decoration);
    const beginning = p.beginning ? `${pyStr(p.beginning)}${nl}` : '';
    const prefix = p.prefix ? (p.prefix !== p.newline ? `${pyStr(p.prefix)}${nl}` : nl).repeat(Number(p.prefix_count)) : '';
    const body = `${deco}${pyStr(text).split(nl).join(`${nl}${deco}`)}`.split(`${deco}${nl}`).join(`${deco.trimEnd()}${nl}`);
    const postfix = ['', ...Array.from({ length: Number(p.postfix_count) }, () => pyStr(p.postfix))].join(nl);
    const end = p.end ? `${nl}${pyStr(p.end)}` : '';
    return `${beginning}${prefix}${body}${postfix}${end}`;
  },
  strftime: (fmt, [second, utc = false], kw) => {
    const s = kw.second ?? second;
    let secs = Date.now() / 1000;
    if (s !== undefined && s !== null) {
      secs = numOf(s) !== undefined && typeof s !== 'boolean' ? numOf(s)! : typeof s === 'string' && /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(s) ? Number(s) : NaN;
      if (Number.isNaN(secs)) throw new ExprError(`Invalid value for epoch value (${pyStr(s)})`);
    }
    // time.strftime of time.localtime(seconds): whole seconds
    return strftime(pyStr(fmt), new Date(Math.floor(secs) * 1000), !!(kw.utc ?? utc), 0);
  },
  path_join: (v) => {
    const join = (ps: string[]) => ps.reduce((a, b) => (b.startsWith('/') || a === '' ? b : a.endsWith('/') ? a + b : `${a}/${b}`), '');
    if (typeof v === 'string') return v;
    if (Array.isArray(v)) return join(v.map((x) => pyStr(x)));
    throw new ExprError(`|path_join expects string or sequence, got <class '${typeName(v)}'> instead.`);
  },
  from_yaml_all: (v) => (typeof v === 'string' ? parseAllDocuments(v, { version: '1.1' }).map((d) => ('toJS' in d ? d.toJS() : null)) : v),
  // datetime.strptime: a datetime object, which compares and subtracts (into a timedelta)
  to_datetime: (v, [format = '%Y-%m-%d %H:%M:%S'], kw) => {
    if (typeof v !== 'string') throw new ExprError(`strptime() argument 1 must be str, not ${typeName(v)}`);
    return strptime(v, pyStr(kw.format ?? format));
  },
  password_hash: passwordHash,
  to_uuid: (v, [namespace], kw) => {
    const ns = kw.namespace ?? namespace;
    return uuid5(ns === undefined ? UUID_NAMESPACE_ANSIBLE : uuidText(ns), pyStr(v));
  },
};
