// The filters, tests and methods of Jinja2 and Ansible that real roles use, as plain functions of plain
// values (YAML's: strings, numbers, booleans, null, lists, objects). Each follows what Jinja2 3.1 /
// ansible-core 2.14 return for the same input (test/unit/jinja.test.ts compares them when Ansible is
// installed). Undefined and run-time (LATER) values never reach these: expr.ts handles them first.
import { createHash, getHashes } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { basename, dirname, resolve } from 'node:path';
import { Document, isPair, isScalar, parse as yamlParse, Scalar, visit } from 'yaml';
import { globFiles } from '../util/glob.ts';
import { ExprError, isPyObject, order, PyException, pyRepr, pyStr, same, TemplateSyntaxError, truthy, typeName } from './expr-error.ts';
import { versionTest } from './version-compare.ts';
import { isRevealed } from '../vault/revealed.ts';
import { MORE_FILTERS } from './jinja-filters-more.ts';
import { MATH_FILTERS } from './jinja-filters-math.ts';
import { VAULT_FILTERS } from './jinja-filters-vault.ts';
import { VaultEncrypted } from '../vault/encrypted.ts';
import { BUILTIN_FILTERS } from './jinja-filters-builtin.ts';
import { floatJson, isFloat, isNumber, numOf, parseJsonFloats, pyFloat, PyFloat } from './py-float.ts';
import { callPlugin, ownName, UnknownPlugin } from './py-plugins.ts';

type Dict = Record<string, unknown>;
export type Fn = (v: unknown, args: unknown[], kw: Dict) => unknown;

// a datetime (a PyObject) has attributes, not keys: no mapping to filters and tests
const isDict = (v: unknown): v is Dict => !!v && typeof v === 'object' && !Array.isArray(v) && !isPyObject(v);

/** Python's iteration: a list's items, a dict's keys, a string's characters. */
export function items(v: unknown, what = 'value'): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (isDict(v)) return Object.keys(v);
  throw new ExprError(`${what} is not iterable: got ${typeName(v)} ${pyStr(v)}`);
}

/**
 * Python's `v in o`: a substring of a string (only a string can be one: `1 in 'abc'` is a TypeError), an
 * item of a list (Python's ==: `'1' in [1]` is false), a key of a dict.
 */
export function pyIn(v: unknown, o: unknown): boolean {
  // an inline vault value is its text (AnsibleVaultEncryptedUnicode.__contains__)
  if (o instanceof VaultEncrypted) o = o.data();
  if (typeof o === 'string') {
    if (typeof v !== 'string') throw new PyException('TypeError', `'in <string>' requires string as left operand, not ${typeName(v)}`);
    return o.includes(v);
  }
  if (!Array.isArray(o) && !isDict(o)) throw new PyException('TypeError', `argument of type '${typeName(o)}' is not iterable`);
  return items(o).some((x) => same(x, v));
}

/** Ansible's `bool` filter: true, 'yes', 'on', '1', 'true' and 1 are true; None stays None; everything else is false. */
function toBool(v: unknown): boolean | null {
  if (typeof v === 'boolean' || v === null) return v;
  if (typeof v === 'string') return ['yes', 'on', '1', 'true'].includes(v.toLowerCase());
  return numOf(v) === 1;
}

function toInt(v: unknown, dflt: unknown = 0, base = 10): unknown {
  if (typeof v === 'boolean') return Number(v);
  if (isNumber(v)) return Math.trunc(numOf(v)!);
  if (typeof v === 'string') {
    const s = v.trim().replace(/_/g, '');
    const digits = base === 16 ? /^[-+]?(0x)?[0-9a-f]+$/i : base === 8 ? /^[-+]?(0o)?[0-7]+$/i : base === 2 ? /^[-+]?(0b)?[01]+$/i : /^[-+]?\d+$/;
    if (digits.test(s)) return parseInt(s.replace(/^([-+]?)0[xob]/i, '$1'), base);
    if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) return Math.trunc(Number(s));
  }
  return dflt;
}

/** Jinja2's float filter: Python's float(), its default 0.0 where that fails. */
function toFloat(v: unknown, dflt: unknown = new PyFloat(0)): unknown {
  if (isNumber(v) || typeof v === 'boolean') return pyFloat(numOf(v)!);
  if (typeof v === 'string' && /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(v)) return pyFloat(Number(v));
  // Python's float() also reads nan, inf and infinity, in any case
  const special = typeof v === 'string' ? /^\s*([-+]?)(nan|inf|infinity)\s*$/i.exec(v) : null;
  if (special) return special[2].toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
  return dflt;
}

/** An attribute path like `a.b` or `0` of selectattr/map/sort/unique/join's `attribute=`. */
function attr(v: unknown, path: unknown): unknown {
  let x = v;
  for (const k of String(path).split('.')) {
    if (Array.isArray(x) && /^\d+$/.test(k)) x = x[Number(k)];
    else if (isDict(x) && Object.hasOwn(x, k)) x = x[k];
    else return undefined;
  }
  return x;
}

function keyFn(kw: Dict, caseSensitive: boolean): (v: unknown) => unknown {
  return (v) => {
    const x = kw.attribute !== undefined && kw.attribute !== null ? attr(v, kw.attribute) : v;
    return !caseSensitive && typeof x === 'string' ? x.toLowerCase() : x;
  };
}

/** re.VERBOSE: whitespace and `#` comments outside a character class are no part of the pattern. */
function verbose(src: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      out += c + (src[i + 1] ?? '');
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
      out += c;
    } else if (c === '[') {
      inClass = true;
      out += c;
    } else if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (!/\s/.test(c)) out += c;
  }
  return out;
}

/**
 * Python's inline flags at the start of a pattern (`(?i)`, `(?ms)`): JavaScript takes them as flags.
 * `a`, `u` and `L` change what \w and friends match in Python; JavaScript's are ASCII, as `a`'s.
 */
function inlineFlags(pattern: string, flags: string): { src: string; flags: string } {
  const m = /^\(\?([aiLmsux]+)\)/.exec(pattern);
  if (!m) return { src: pattern, flags };
  let src = pattern.slice(m[0].length);
  if (m[1].includes('x')) src = verbose(src);
  const add = [...new Set(m[1].replace(/[aLux]/g, ''))].filter((f) => !flags.includes(f)).join('');
  return { src, flags: flags + add };
}

/** Python's re syntax, as far as JavaScript's RegExp reads it the same. */
export function regex(pattern: unknown, given = ''): RegExp {
  const { src: text, flags } = inlineFlags(String(pattern), given);
  const src = text
    .replace(/\(\?P<(\w+)>/g, '(?<$1>')
    .replace(/\(\?P=(\w+)\)/g, '\\k<$1>')
    .replace(/\\A/g, '^')
    .replace(/\\Z/g, '$');
  try {
    return new RegExp(src, flags);
  } catch (e) {
    throw new ExprError(`bad regular expression ${JSON.stringify(String(pattern))}: ${(e as Error).message}`);
  }
}

const reFlags = (kw: Dict, g = '') => g + (kw.ignorecase ? 'i' : '') + (kw.multiline ? 'm' : '');

/** Python's re.sub replacement: \1 and \g<name> are groups. */
function pyRepl(repl: string): string {
  return repl.replace(/\$/g, '$$$$').replace(/\\g<(\w+)>/g, (_, n: string) => (/^\d+$/.test(n) ? `$${n}` : `$<${n}>`)).replace(/\\(\d+)/g, '$$$1').replace(/\\\\/g, '\\');
}

const LIST_MERGES = ['replace', 'keep', 'append', 'prepend', 'append_rp', 'prepend_rp'];

/** Ansible's merge_hash (utils/vars.py): y's keys over x's; sub-dicts merged when recursive, lists as listMerge says. */
function mergeHash(x: unknown, y: unknown, recursive: boolean, listMerge: string): Dict {
  if (!LIST_MERGES.includes(listMerge)) throw new ExprError("merge_hash: 'list_merge' argument can only be equal to 'replace', 'keep', 'append', 'prepend', 'append_rp' or 'prepend_rp'");
  if (!isDict(x) || !isDict(y)) throw new ExprError(`failed to combine variables, expected dicts but got a '${typeName(x)}' and a '${typeName(y)}': \n${toJson(x)}\n${toJson(y)}`);
  const out: Dict = { ...x };
  for (const [k, yv] of Object.entries(y)) {
    if (!Object.hasOwn(out, k)) {
      out[k] = yv;
      continue;
    }
    const xv = out[k];
    if (isDict(xv) && isDict(yv)) out[k] = recursive ? mergeHash(xv, yv, recursive, listMerge) : yv;
    else if (Array.isArray(xv) && Array.isArray(yv)) {
      const rest = (a: unknown[], b: unknown[]) => a.filter((z) => !b.some((w) => same(z, w)));
      if (listMerge === 'replace') out[k] = yv;
      else if (listMerge === 'append') out[k] = [...xv, ...yv];
      else if (listMerge === 'prepend') out[k] = [...yv, ...xv];
      else if (listMerge === 'append_rp') out[k] = [...rest(xv, yv), ...yv];
      else if (listMerge === 'prepend_rp') out[k] = [...yv, ...rest(xv, yv)];
      // 'keep': x's list stays
    } else out[k] = yv;
  }
  return out;
}

/** Ansible's combine: the terms flattened one level (None dropped), merged right to left as Ansible does. */
function combine(terms: unknown[], kw: Dict): unknown {
  const extra = Object.keys(kw).filter((k) => k !== 'recursive' && k !== 'list_merge');
  if (extra.length) throw new ExprError("'recursive' and 'list_merge' are the only valid keyword arguments");
  const dicts = flatten(terms, 1, true);
  if (!dicts.length) return {};
  if (dicts.length === 1) return dicts[0];
  const recursive = truthy(kw.recursive ?? false);
  const listMerge = pyStr(kw.list_merge ?? 'replace');
  return dicts.slice(0, -1).reduceRight((acc: unknown, d) => mergeHash(d, acc, recursive, listMerge), dicts.at(-1));
}

/** Node's name of a Python codec (b64encode's `encoding=`): the ones Node has. */
function codec(name: unknown): BufferEncoding {
  const n = pyStr(name).toLowerCase().replace(/[-_ ]/g, '');
  const known: Record<string, BufferEncoding> = { utf8: 'utf8', u8: 'utf8', utf16le: 'utf16le', latin1: 'latin1', iso88591: 'latin1', l1: 'latin1' };
  if (!Object.hasOwn(known, n)) throw new ExprError(`encoding ${JSON.stringify(pyStr(name))} is not supported by skiff: expected one of utf-8, utf-16-le, latin-1`);
  return known[n];
}

/** Ansible's flatten: `skipNulls` drops None and the strings 'None' and 'null' at every level. */
function flatten(v: unknown[], levels: number | null, skipNulls: boolean): unknown[] {
  const out: unknown[] = [];
  for (const x of v) {
    if (skipNulls && (x === null || x === 'None' || x === 'null')) continue;
    if (Array.isArray(x) && (levels === null || levels >= 1)) out.push(...flatten(x, levels === null ? null : Math.trunc(levels) - 1, skipNulls));
    else out.push(x);
  }
  return out;
}

/**
 * PyYAML's dump as Ansible calls it: keys sorted, strings YAML 1.1 would misread ('yes') quoted;
 * `to_yaml` writes collections of scalars inline (default_flow_style=None), `to_nice_yaml` never.
 * Whitespace may differ from PyYAML's (its sequences under an indent of 4, its long strings).
 */
function toYaml(v: unknown, indent: number, flowLeaves: boolean): string {
  // a whole float is written as PyYAML writes it (`2.0`), not as the object it is
  const doc = new Document(v, (_k: unknown, x: unknown) => (x instanceof PyFloat ? Object.assign(new Scalar(x.value), { minFractionDigits: 1 }) : x), { version: '1.1', sortMapEntries: true });
  if (flowLeaves) visit(doc, { Collection: (_, n) => void (n.flow = n.items.every((i) => isScalar(isPair(i) ? i.value : i))) });
  return doc.toString({ indent, indentSeq: false, lineWidth: 0, singleQuote: true, flowCollectionPadding: false });
}

function toJson(v: unknown, indent?: number, sortKeys = indent !== undefined): string {
  // Python's json.dumps: ", " and ": " separators inline; sorted keys when asked (to_nice_json always)
  const sort = (x: unknown): unknown => (Array.isArray(x) ? x.map(sort) : isDict(x) ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, sort(x[k])])) : x);
  const value = sortKeys ? sort(v) : v;
  if (indent === undefined) return floatJson(value, 1)?.replace(/\n\s*/g, (m, off, s: string) => (/[[{]$/.test(s.slice(0, off)) || /^\n\s*[\]}]/.test(s.slice(off)) ? '' : ' ')) ?? 'null';
  return floatJson(value, indent);
}

function pyFormat(fmt: string, args: unknown[]): string {
  let i = 0;
  return fmt.replace(/%([-+ 0#]*\d*(?:\.\d+)?)([sdifr%])/g, (m, spec: string, c: string) => {
    if (c === '%') return '%';
    const a = args[i++];
    if (c === 's') return pyStr(a);
    if (c === 'd' || c === 'i') return String(Math.trunc(Number(a)));
    if (c === 'f') return Number(a).toFixed(/\.(\d+)/.exec(spec)?.[1] ? Number(/\.(\d+)/.exec(spec)![1]) : 6);
    if (c === 'r') return pyRepr(a);
    return m;
  });
}

export const FILTERS: Record<string, Fn> = {
  ...MORE_FILTERS,
  ...MATH_FILTERS,
  ...VAULT_FILTERS,
  ...BUILTIN_FILTERS,
  default: (v, [d = '', boolean], kw) => ((kw.boolean ?? boolean) && !truthy(v) ? (Object.hasOwn(kw, 'default_value') ? kw.default_value : d) : v), // undefined handled in expr.ts
  bool: (v) => toBool(v),
  int: (v, [d = 0, base = 10], kw) => toInt(v, kw.default ?? d, Number(kw.base ?? base)),
  float: (v, [d = new PyFloat(0)], kw) => toFloat(v, kw.default ?? d),
  string: (v) => pyStr(v),
  lower: (v) => pyStr(v).toLowerCase(),
  upper: (v) => pyStr(v).toUpperCase(),
  capitalize: (v) => pyStr(v).charAt(0).toUpperCase() + pyStr(v).slice(1).toLowerCase(),
  title: (v) => pyStr(v).replace(/[A-Za-z0-9]+/g, (w) => w[0].toUpperCase() + w.slice(1).toLowerCase()),
  trim: (v, [chars]) => (chars === undefined ? pyStr(v).trim() : pyStr(v).replace(new RegExp(`^[${String(chars).replace(/[\]\\^-]/g, '\\$&')}]+|[${String(chars).replace(/[\]\\^-]/g, '\\$&')}]+$`, 'g'), '')),
  replace: (v, [a, b, count]) => {
    let n = count === undefined || count === null ? Infinity : Number(count);
    return pyStr(v).split(pyStr(a)).reduce((acc, part, i) => (i === 0 ? part : acc + (n-- > 0 ? pyStr(b) : pyStr(a)) + part), '');
  },
  length: (v) => items(v, 'length of a value').length,
  first: (v) => items(v)[0],
  last: (v) => items(v).at(-1),
  // a list that holds map()'s Undefined keeps saying which it is (`map(attribute='x') | list`)
  list: (v) => (Array.isArray(v) && Object.hasOwn(v, UNDEFINED_ITEM) ? v : [...items(v)]),
  join: (v, [sep = ''], kw) => items(v).map((x) => pyStr(kw.attribute !== undefined ? attr(x, kw.attribute) : x)).join(pyStr(sep)),
  sort: (v, [reverse = false, caseSensitive = false], kw) => {
    const key = keyFn(kw, !!(kw.case_sensitive ?? caseSensitive));
    const out = [...items(v)].sort((a, b) => order(key(a), key(b)));
    return (kw.reverse ?? reverse) ? out.reverse() : out;
  },
  // mathstuff.unique: Jinja2's do_unique, and where it fails on an unhashable key (a dict), Ansible's
  // own fallback (case-sensitive, no attribute), refused when those were asked for
  unique: (v, [caseSensitive], kw) => {
    const cs = kw.case_sensitive ?? caseSensitive;
    if (!Array.isArray(v) && typeof v !== 'string' && !isDict(v)) throw new ExprError(`'${typeName(v)}' object is not iterable`);
    const xs = items(v);
    let key = keyFn(kw, truthy(cs));
    if (xs.some((x) => { const k = key(x); return !!k && typeof k === 'object'; })) {
      if (cs === false || (kw.attribute !== undefined && kw.attribute !== null)) throw new ExprError("Jinja2's unique filter failed and we cannot fall back to Ansible's version as it does not support the parameters supplied");
      key = (x) => x;
    }
    const seen: unknown[] = [];
    return xs.filter((x) => (seen.some((s) => same(s, key(x))) ? false : (seen.push(key(x)), true)));
  },
  reverse: (v) => (typeof v === 'string' ? [...v].reverse().join('') : [...items(v)].reverse()),
  min: (v, _a, kw) => [...items(v)].sort((a, b) => order(keyFn(kw, false)(a), keyFn(kw, false)(b)))[0],
  max: (v, _a, kw) => [...items(v)].sort((a, b) => order(keyFn(kw, false)(a), keyFn(kw, false)(b))).at(-1),
  // Python's sum: a float once any item is one
  sum: (v, [start = 0], kw) => {
    const xs = items(v).map((x) => (kw.attribute !== undefined ? attr(x, kw.attribute) : x));
    const total = xs.reduce((acc: number, x) => acc + Number(x), Number(start));
    return [start, ...xs].some(isFloat) ? pyFloat(total) : total;
  },
  abs: (v) => (isFloat(v) ? pyFloat(Math.abs(Number(v))) : Math.abs(Number(v))),
  round: (v, [precision = 0, method = 'common'], kw) => {
    const f = 10 ** Number(kw.precision ?? precision);
    const m = kw.method ?? method;
    // 'common' is Python's round(): halves go to the even neighbour, an int stays an int
    const even = (x: number) => (Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x));
    if (m !== 'ceil' && m !== 'floor' && typeof v === 'number' && Number.isInteger(v)) return v;
    // ceil and floor are math's, divided: a float always
    return pyFloat((m === 'ceil' ? Math.ceil : m === 'floor' ? Math.floor : even)(Number(v) * f) / f);
  },
  flatten: (v, [levels = null, skipNulls = true], kw) => flatten(items(v), (kw.levels ?? levels) as number | null, truthy(kw.skip_nulls ?? skipNulls)),
  combine: (v, args, kw) => combine([v, ...args], kw),
  dict2items: (v, [keyName = 'key', valueName = 'value'], kw) => {
    if (!isDict(v)) throw new ExprError(`dict2items requires a dictionary, got <class '${typeName(v)}'> instead.`);
    return Object.entries(v).map(([k, x]) => ({ [pyStr(kw.key_name ?? keyName)]: k, [pyStr(kw.value_name ?? valueName)]: x }));
  },
  items2dict: (v, [keyName = 'key', valueName = 'value'], kw) => {
    if (!Array.isArray(v)) throw new ExprError(`items2dict requires a list, got <class '${typeName(v)}'> instead.`);
    const [k, val] = [pyStr(kw.key_name ?? keyName), pyStr(kw.value_name ?? valueName)];
    const out: Dict = {};
    for (const x of v) {
      if (!isDict(x)) throw new ExprError(`items2dict requires a list of dictionaries, got ${pyStr(v)} instead.`);
      if (!Object.hasOwn(x, k) || !Object.hasOwn(x, val)) throw new ExprError(`items2dict requires each dictionary in the list to contain the keys '${k}' and '${val}', got ${pyStr(v)} instead.`);
      out[pyStr(x[k])] = x[val];
    }
    return out;
  },
  items: (v) => (isDict(v) ? Object.entries(v) : []),
  dictsort: (v) => (isDict(v) ? Object.entries(v).sort((a, b) => order(a[0].toLowerCase(), b[0].toLowerCase())) : []),
  zip: (v, args) => {
    const ls = [v, ...args].map((x) => items(x));
    return ls[0].slice(0, Math.min(...ls.map((l) => l.length))).map((_, i) => ls.map((l) => l[i]));
  },
  difference: (v, [o]) => FILTERS.unique(items(v).filter((x) => !items(o).some((y) => same(x, y))), [true], {}),
  intersect: (v, [o]) => FILTERS.unique(items(v).filter((x) => items(o).some((y) => same(x, y))), [true], {}),
  union: (v, [o]) => FILTERS.unique([...items(v), ...items(o)], [true], {}),
  symmetric_difference: (v, [o]) => [...(FILTERS.difference(v, [o], {}) as unknown[]), ...(FILTERS.difference(o, [v], {}) as unknown[])],
  // to_json(indent=4, sort_keys=True): json.dumps' own keywords
  to_json: (v, _, kw) => toJson(v, kw.indent === undefined || kw.indent === null ? undefined : Number(kw.indent), kw.sort_keys === true),
  to_nice_json: (v, [indent = 4], kw) => toJson(v, Number(kw.indent ?? indent)),
  from_json: (v) => {
    try {
      return parseJsonFloats(pyStr(v));
    } catch (e) {
      throw new ExprError(`from_json: ${(e as Error).message}`);
    }
  },
  to_yaml: (v, [indent = 2], kw) => toYaml(v, Number(kw.indent ?? indent), true),
  to_nice_yaml: (v, [indent = 4], kw) => toYaml(v, Number(kw.indent ?? indent), false),
  from_yaml: (v) => yamlParse(pyStr(v), { version: '1.1' }),
  regex_replace: (v, [pattern = '', repl = '', ignorecase, multiline], kw) => pyStr(v).replace(regex(kw.pattern ?? pattern, reFlags({ ignorecase, multiline, ...kw }, 'g')), pyRepl(pyStr(kw.replacement ?? repl))),
  // regex_search(value, regex, *args): each arg a group as \\N or \\g<name>; anything else is refused
  regex_search: (v, [pattern = '', ...groups], kw) => {
    const gs = groups.map((g) => {
      const s = pyStr(g);
      const m = s.startsWith('\\g') ? /^\\g<(\S+)>/.exec(s) : s.startsWith('\\') ? /^\\(\d+)/.exec(s) : null;
      if (!m) throw new ExprError(s.startsWith('\\') ? "'NoneType' object has no attribute 'group'" : 'Unknown argument');
      return s.startsWith('\\g') && !/^\d+$/.test(m[1]) ? m[1] : Number(m[1]);
    });
    const m = regex(pattern, reFlags(kw)).exec(pyStr(v));
    if (!m) return null;
    if (!gs.length) return m[0];
    return gs.map((g) => {
      const x = typeof g === 'number' ? (g < m.length ? m[g] : undefined) : m.groups && Object.hasOwn(m.groups, g) ? m.groups[g] : undefined;
      if (x === undefined && (typeof g === 'number' ? g >= m.length : !m.groups || !Object.hasOwn(m.groups, g))) throw new ExprError('no such group');
      return x ?? null;
    });
  },
  regex_findall: (v, [pattern = '', multiline, ignorecase], kw) => [...pyStr(v).matchAll(regex(pattern, reFlags({ multiline, ignorecase, ...kw }, 'g')))].map((m) => (m.length > 2 ? m.slice(1).map((x) => x ?? '') : m.length === 2 ? (m[1] ?? '') : m[0])),
  regex_escape: (v, [reType = 'python'], kw) => {
    const t = pyStr(kw.re_type ?? reType);
    // re.escape (Python 3.7+): only its special characters
    if (t === 'python') return pyStr(v).replace(/[()[\]{}?*+\-|^$\\.&~# \t\n\r\v\f]/g, '\\$&');
    if (t === 'posix_basic') return pyStr(v).replace(/[\].[^*$]/g, '\\$&');
    throw new ExprError(t === 'posix_extended' ? `Regex type (${t}) not yet implemented` : `Invalid regex type (${t})`);
  },
  basename: (v) => pyStr(v).slice(pyStr(v).lastIndexOf('/') + 1),
  expanduser: (v) => expanduser(pyStr(v)),
  dirname: (v) => {
    const s = pyStr(v);
    const head = s.slice(0, s.lastIndexOf('/') + 1);
    return /^\/+$/.test(head) ? head : head.replace(/\/+$/, '');
  },
  splitext: (v) => {
    const s = pyStr(v);
    const m = /^(.*?[^/.][^/]*?)(\.[^./]*)$/.exec(s);
    return m ? [m[1], m[2]] : [s, ''];
  },
  b64encode: (v, [encoding = 'utf-8'], kw) => Buffer.from(pyStr(v), codec(kw.encoding ?? encoding)).toString('base64'),
  b64decode: (v, [encoding = 'utf-8'], kw) => Buffer.from(pyStr(v), 'base64').toString(codec(kw.encoding ?? encoding)),
  hash: (v, [alg = 'sha1']) => {
    const name = pyStr(alg);
    // hashlib.new's names: OpenSSL's, which node's are (an unknown one is Python's ValueError text)
    if (!getHashes().includes(name.toLowerCase())) throw new ExprError(`unsupported hash type ${name}`);
    return createHash(name.toLowerCase()).update(pyStr(v)).digest('hex');
  },
  checksum: (v) => createHash('sha1').update(pyStr(v)).digest('hex'),
  // shlex.quote (None is ''): a word of only safe characters as it is, else in single quotes
  quote: (v) => {
    const s = v === null ? '' : pyStr(v);
    if (s === '') return "''";
    return /[^\w@%+=:,./-]/.test(s) || /[^\x00-\x7f]/.test(s) ? `'${s.replaceAll("'", `'"'"'`)}'` : s;
  },
  split: (v, [sep, max]) => pySplit(pyStr(v), sep, max),
  ternary: (v, [a, b, none]) => (v === null && none !== undefined ? none : truthy(v) ? a : b),
  type_debug: (v) => typeName(v),
  indent: (v, [width = 4, first = false, blank = false], kw) => {
    const pad = typeof width === 'string' ? width : ' '.repeat(Number(width));
    const lines = pyStr(v).split('\n');
    return lines.map((l, i) => ((i === 0 ? (kw.first ?? first) : l !== '' || (kw.blank ?? blank)) ? pad + l : l)).join('\n');
  },
  format: (v, args) => pyFormat(pyStr(v), args),
  center: (v, [width = 80]) => {
    const s = pyStr(v);
    const n = Math.max(0, Number(width) - s.length);
    return ' '.repeat(Math.floor(n / 2) + (n % 2 && Number(width) % 2 ? 1 : 0)) + s + ' '.repeat(n - Math.floor(n / 2) - (n % 2 && Number(width) % 2 ? 1 : 0));
  },
  wordcount: (v) => pyStr(v).split(/\s+/).filter(Boolean).length,
  mandatory: (v) => v, // undefined handled in expr.ts
  // controller-side, relative to skiff's working directory, as Ansible's (glob.glob; sorted here)
  fileglob: (v) => {
    const p = pyStr(v);
    if (/[*?[]/.test(dirname(p))) throw new ExprError(`fileglob: ${JSON.stringify(p)}: a wildcard in a directory name is not supported by skiff: expected one in the file name only`);
    return globFiles(resolve(dirname(p)), basename(p), p.includes('/') ? dirname(p) : '');
  },
  realpath: (v) => {
    const p = resolve(pyStr(v));
    try {
      return realpathSync(p);
    } catch {
      return p; // os.path.realpath does not need the path to exist
    }
  },
  urlsplit: (v, [query = '']) => {
    const parts = urlSplit(pyStr(v));
    if (query === '') return parts;
    if (!Object.hasOwn(parts, String(query))) throw new ExprError(`urlsplit: unknown URL component ${JSON.stringify(query)}: expected one of ${Object.keys(parts).join(', ')}`);
    return parts[String(query)];
  },
  // itertools.product: every combination, one item from each list
  product: (v, args) => [items(v), ...args.map((a) => items(a))].reduce<unknown[][]>((acc, xs) => acc.flatMap((a) => xs.map((x) => [...a, x])), [[]]),
};

/** Python's urllib.parse.urlsplit, as Ansible's urlsplit filter shows it (port a number, absent parts ''/None). */
function urlSplit(url: string): Dict {
  const m = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(url)!;
  const netloc = m[2] ?? '';
  const at = netloc.lastIndexOf('@');
  const userinfo = at >= 0 ? netloc.slice(0, at) : null;
  const hostport = netloc.slice(at + 1);
  const hp = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(hostport);
  const host = hp?.[1].replace(/^\[|\]$/g, '') ?? '';
  const colon = userinfo?.indexOf(':') ?? -1;
  return {
    fragment: m[5] ?? '',
    hostname: host ? host.toLowerCase() : null,
    netloc,
    password: userinfo !== null && colon >= 0 ? userinfo.slice(colon + 1) : null,
    path: m[3],
    port: hp?.[2] ? Number(hp[2]) : null,
    query: m[4] ?? '',
    scheme: (m[1] ?? '').toLowerCase(),
    username: userinfo !== null ? (colon >= 0 ? userinfo.slice(0, colon) : userinfo) : null,
  };
}
/** On a list holding an undefined item (map's missing attribute): Jinja2's text of that Undefined. */
export const UNDEFINED_ITEM: unique symbol = Symbol('undefined item');

/** map('filter', args) / map(attribute='a.b'); select/reject('test', args); selectattr/rejectattr('a.b', 'test', args). */
function named<T extends (v: unknown, args: unknown[], kw: Dict) => unknown>(table: Record<string, T>, kind: 'filter' | 'test', name: unknown): T {
  const full = String(name);
  const n = full.replace(/^.*\./, '');
  if (ownName(full, kind) && Object.hasOwn(table, n)) return table[n];
  // Ansible's plugin loader's words for a name that cannot be a plugin's
  if (!/^[A-Za-z_][\w.]*$/.test(full)) throw new TemplateSyntaxError(`Could not load "${full}": 'invalid plugin name: ansible.builtin.${full}'`);
  // one skiff lacks is ansible-core's (a collection's, a filter_plugins/ one); one nothing provides is
  // Jinja2's TemplateSyntaxError, raised as map() or select() runs
  return ((v, args, kw) => {
    try {
      const r = callPlugin({ kind, name: full, value: v, args, kw });
      return kind === 'test' ? truthy(r) : r;
    } catch (e) {
      throw e instanceof UnknownPlugin ? new TemplateSyntaxError(e.message) : e;
    }
  }) as T;
}
const pick = (v: unknown, [test, ...args]: unknown[], keep: boolean, path?: unknown, kw: Dict = {}) =>
  items(v).filter((x) => {
    const y = path === undefined ? x : attr(x, path);
    return (test === undefined ? truthy(y) : named(TESTS, 'test', test)(y, args, kw)) === keep;
  });
FILTERS.map = (v, [name, ...args], kw) => {
  const out = items(v).map((x) => (kw.attribute !== undefined ? (attr(x, kw.attribute) ?? kw.default) : named(FILTERS, 'filter', name)(x, args, {})));
  // an item without the attribute is Jinja2's Undefined there: its text, for when the list is read
  const missing = kw.attribute !== undefined ? items(v).find((x, i) => out[i] === undefined) : undefined;
  if (missing !== undefined) Object.defineProperty(out, UNDEFINED_ITEM, { value: `'${isDict(missing) ? 'dict' : typeName(missing)} object' has no attribute '${pyStr(kw.attribute).split('.').pop()}'`, enumerable: false });
  return out;
};
// a test's keyword arguments pass through (`select('version', '2.0', '>=', version_type='semver')`)
FILTERS.select = (v, args, kw) => pick(v, args, true, undefined, kw);
FILTERS.reject = (v, args, kw) => pick(v, args, false, undefined, kw);
FILTERS.selectattr = (v, [path, ...args], kw) => pick(v, args, true, path, kw);
FILTERS.rejectattr = (v, [path, ...args], kw) => pick(v, args, false, path, kw);
FILTERS.d = FILTERS.default;
FILTERS.count = FILTERS.length;
FILTERS.e = FILTERS.escape = (v) => pyStr(v).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');

function pySplit(s: string, sep: unknown, max: unknown): string[] {
  const n = max === undefined || max === null ? -1 : Number(max);
  if (sep === undefined || sep === null) {
    const parts = s.trim().split(/\s+/).filter(Boolean);
    return n < 0 || parts.length <= n + 1 ? parts : [...parts.slice(0, n), s.trim().split(/\s+/).slice(n).join(' ')];
  }
  const parts = s.split(pyStr(sep));
  return n < 0 || parts.length <= n + 1 ? parts : [...parts.slice(0, n), parts.slice(n).join(pyStr(sep))];
}

const result = (v: unknown, test: string, key: string): unknown => {
  if (!isDict(v)) throw new ExprError(`The '${test}' test expects a dictionary`);
  return v[key] ?? false;
};

/** changed: the result's own `changed`, else whether any of its loop `results` changed. */
function changed(v: unknown): boolean {
  if (!isDict(v)) throw new ExprError("The 'changed' test expects a dictionary");
  if (Object.hasOwn(v, 'changed')) return truthy(v.changed);
  const rs = v.results;
  return Array.isArray(rs) && isDict(rs[0]) && rs.some((r) => isDict(r) && truthy(r.changed ?? false));
}

/** started/finished of an async result (0 or 1); a result that is not async counts as both (Ansible warns). */
const asyncState = (test: string) => (v: unknown) => {
  if (!isDict(v)) throw new ExprError(`The '${test}' test expects a dictionary`);
  return Object.hasOwn(v, test) ? v[test] === 1 || v[test] === true : true;
};

/** Ansible's boolean() (module_utils/parsing/convert_bool.py); undefined for what is none of its words. */
function strictBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  const n = typeof v === 'string' ? v.toLowerCase().trim() : v;
  if (['y', 'yes', 'on', '1', 'true', 't', 1].includes(n as string)) return true;
  if (['n', 'no', 'off', '0', 'false', 'f', 0].includes(n as string)) return false;
  return undefined;
}
const truthyTest = (v: unknown, [convert = false]: unknown[], kw: Dict) => truthy(truthy(kw.convert_bool ?? convert) ? (strictBool(v) ?? v) : v);

/** Python's re.search / re.match (match: at the string's start only, whatever multiline says). */
function reTest(v: unknown, [p = '', ignorecase = false, multiline = false, type = 'search']: unknown[], kw: Dict): boolean {
  const re = regex(kw.pattern ?? p, reFlags({ ignorecase: kw.ignorecase ?? ignorecase, multiline: kw.multiline ?? multiline }, (kw.match_type ?? type) === 'match' ? 'y' : ''));
  return re.test(pyStr(v));
}

/** urllib.parse.urlparse as is_uri reads it: a scheme, if any, among `schemes`. */
function isUri(v: unknown, schemes: unknown): boolean {
  if (typeof v !== 'string') return false;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(v)?.[1].toLowerCase() ?? '';
  return !truthy(schemes) || (Array.isArray(schemes) ? schemes : items(schemes)).includes(scheme);
}

export const TESTS: Record<string, (v: unknown, args: unknown[], kw: Dict) => boolean> = {
  // for selectattr('a', 'defined'): a missing attribute is undefined there (expr.ts handles `x is defined`)
  defined: (v) => v !== undefined,
  undefined: (v) => v === undefined,
  none: (v) => v === null,
  number: (v) => isNumber(v),
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  float: (v) => isFloat(v),
  string: (v) => typeof v === 'string',
  boolean: (v) => typeof v === 'boolean',
  true: (v) => v === true,
  false: (v) => v === false,
  mapping: (v) => isDict(v),
  sequence: (v) => Array.isArray(v) || typeof v === 'string' || isDict(v),
  iterable: (v) => Array.isArray(v) || typeof v === 'string' || isDict(v),
  callable: () => false,
  lower: (v) => typeof v === 'string' && v === v.toLowerCase(),
  upper: (v) => typeof v === 'string' && v === v.toUpperCase(),
  eq: (v, [o]) => same(v, o),
  ne: (v, [o]) => !same(v, o),
  lt: (v, [o]) => order(v, o) < 0,
  le: (v, [o]) => order(v, o) <= 0,
  gt: (v, [o]) => order(v, o) > 0,
  ge: (v, [o]) => order(v, o) >= 0,
  in: (v, [o]) => pyIn(v, o),
  sameas: (v, [o]) => v === o,
  divisibleby: (v, [n]) => Number(v) % Number(n) === 0,
  even: (v) => Number(v) % 2 === 0,
  odd: (v) => Math.abs(Number(v) % 2) === 1,
  changed,
  failed: (v) => truthy(result(v, 'failed', 'failed')),
  succeeded: (v) => !truthy(result(v, 'failed', 'failed')),
  unreachable: (v) => truthy(result(v, 'unreachable', 'unreachable')),
  reachable: (v) => !truthy(result(v, 'unreachable', 'unreachable')),
  skipped: (v) => truthy(result(v, 'skipped', 'skipped')),
  started: asyncState('started'),
  finished: asyncState('finished'),
  version: versionTest,
  truthy: truthyTest,
  falsy: (v, args, kw) => !truthyTest(v, args, kw),
  // a vaulted value is its plaintext in skiff: the text decrypted from a vault (any copy of it)
  vault_encrypted: (v) => v instanceof VaultEncrypted || (typeof v === 'string' && isRevealed(v)),
  nan: (v) => isNumber(v) && Number.isNaN(numOf(v)),
  uri: (v, [schemes], kw) => isUri(v, kw.schemes ?? schemes),
  url: (v, [schemes], kw) => isUri(v, kw.schemes ?? schemes) && (/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]/.test(String(v)) || /^file:/i.test(String(v))),
  urn: (v) => isUri(v, ['urn']),
  search: (v, [p, ignorecase, multiline], kw) => reTest(v, [p, ignorecase, multiline, 'search'], { ...kw, match_type: 'search' }),
  match: (v, [p, ignorecase, multiline], kw) => reTest(v, [p, ignorecase, multiline, 'match'], { ...kw, match_type: 'match' }),
  regex: reTest,
  // Ansible's `value in seq`: a substring of a string
  contains: (v, [x]) => pyIn(x, v),
  any: (v) => items(v).some(truthy),
  all: (v) => items(v).every(truthy),
  subset: (v, [o]) => items(v).every((x) => items(o).some((y) => same(x, y))),
  superset: (v, [o]) => items(o).every((x) => items(v).some((y) => same(x, y))),
  abs: (v) => pyStr(v).startsWith('/'),
  // Ansible's path tests look at the controller's file system, as these do
  exists: (v) => !!statSync(pyStr(v), { throwIfNoEntry: false }),
  file: (v) => !!statSync(pyStr(v), { throwIfNoEntry: false })?.isFile(),
  directory: (v) => !!statSync(pyStr(v), { throwIfNoEntry: false })?.isDirectory(),
  link: (v) => !!lstatSync(pyStr(v), { throwIfNoEntry: false })?.isSymbolicLink(),
  // os.path.ismount: another device than its parent's, or the root
  mount: (v) => {
    const p = resolve(pyStr(v));
    const [a, b] = [lstatSync(p, { throwIfNoEntry: false }), statSync(resolve(p, '..'), { throwIfNoEntry: false })];
    return !!a && !!b && !a.isSymbolicLink() && (a.dev !== b.dev || a.ino === b.ino);
  },
  link_exists: (v) => !!lstatSync(pyStr(v), { throwIfNoEntry: false }),
  same_file: (v, [o]) => {
    const [a, b] = [statSync(pyStr(v)), statSync(pyStr(o))];
    return a.dev === b.dev && a.ino === b.ino;
  },
};
TESTS.equalto = TESTS['=='] = TESTS.eq;
TESTS['!='] = TESTS.ne;
TESTS.lessthan = TESTS['<'] = TESTS.lt;
TESTS.greaterthan = TESTS['>'] = TESTS.gt;
TESTS['<='] = TESTS.le;
TESTS['>='] = TESTS.ge;
TESTS.version_compare = TESTS.version;
TESTS.is_dir = TESTS.directory;
TESTS.is_file = TESTS.file;
TESTS.is_link = TESTS.link;
TESTS.is_abs = TESTS.abs;
TESTS.is_same_file = TESTS.same_file;
TESTS.issubset = TESTS.subset;
TESTS.issuperset = TESTS.superset;
TESTS.isnan = TESTS.nan;
TESTS.is_mount = TESTS.mount;
TESTS.success = TESTS.successful = TESTS.succeeded;
TESTS.failure = TESTS.failed;
TESTS.change = TESTS.changed;
TESTS.skip = TESTS.skipped;

/** Python's methods on str, dict and list that templates call (`.split('.')`, `.keys()`, `.get(k, d)`). */
export function method(obj: unknown, name: string, args: unknown[], kw: Dict = {}): { found: true; value: unknown } | { found: false } {
  const s = typeof obj === 'string' ? obj : undefined;
  const a = args.map((x) => x);
  const ok = (value: unknown) => ({ found: true as const, value });
  if (isPyObject(obj)) return obj.method(name, args, kw);
  if (s !== undefined) {
    switch (name) {
      case 'split': return ok(pySplit(s, a[0], a[1]));
      case 'splitlines': return ok(s.split(/\r\n|\n|\r/).filter((l, i, all) => i < all.length - 1 || l !== ''));
      case 'strip': return ok(FILTERS.trim(s, a.slice(0, 1), {}));
      case 'lstrip': return ok(a[0] === undefined ? s.trimStart() : s.replace(new RegExp(`^[${String(a[0]).replace(/[\]\\^-]/g, '\\$&')}]+`), ''));
      case 'rstrip': return ok(a[0] === undefined ? s.trimEnd() : s.replace(new RegExp(`[${String(a[0]).replace(/[\]\\^-]/g, '\\$&')}]+$`), ''));
      case 'lower': return ok(s.toLowerCase());
      case 'upper': return ok(s.toUpperCase());
      case 'capitalize': return ok(FILTERS.capitalize(s, [], {}));
      case 'title': return ok(FILTERS.title(s, [], {}));
      case 'startswith': return ok((Array.isArray(a[0]) ? a[0] : [a[0]]).some((p) => s.startsWith(String(p))));
      case 'endswith': return ok((Array.isArray(a[0]) ? a[0] : [a[0]]).some((p) => s.endsWith(String(p))));
      case 'replace': return ok(FILTERS.replace(s, a, {}));
      case 'find': return ok(s.indexOf(String(a[0])));
      case 'count': return ok(s.split(String(a[0])).length - 1);
      case 'join': return ok(items(a[0]).map(pyStr).join(s));
      case 'isdigit': return ok(/^\d+$/.test(s));
      case 'format': return ok(s.replace(/\{(\d*)\}/g, (_, i: string, off: number) => pyStr(a[i === '' ? s.slice(0, off).split(/\{\d*\}/).length - 1 : Number(i)])));
    }
  }
  if (isDict(obj)) {
    switch (name) {
      case 'keys': return ok(Object.keys(obj));
      case 'values': return ok(Object.values(obj));
      case 'items': return ok(Object.entries(obj));
      case 'get': return ok(Object.hasOwn(obj, String(a[0])) ? obj[String(a[0])] : (a[1] ?? null));
      // Ansible's Jinja2 is not sandboxed: a template may fill a dict it made (`{% set _ = d.update({k: v}) %}`,
      // the CIS roles' mount facts); the call's value is None
      case 'update': {
        const add = a[0] === undefined ? {} : isDict(a[0]) ? a[0] : Object.fromEntries(items(a[0]).map((kv) => items(kv) as [string, unknown]));
        Object.assign(obj, add, kw);
        return ok(null);
      }
      case 'setdefault': {
        const k = String(a[0]);
        if (!Object.hasOwn(obj, k)) obj[k] = a[1] ?? null;
        return ok(obj[k]);
      }
    }
  }
  if (Array.isArray(obj)) {
    switch (name) {
      case 'index': {
        const i = obj.findIndex((x) => same(x, a[0]));
        if (i < 0) throw new ExprError(`${pyStr(a[0])} is not in list`);
        return ok(i);
      }
      case 'count': return ok(obj.filter((x) => same(x, a[0])).length);
      // as dict's update: a template may fill a list it made; None
      case 'append': return (obj.push(a[0]), ok(null));
      case 'extend': return (obj.push(...items(a[0])), ok(null));
      case 'insert': return (obj.splice(Number(a[0]) < 0 ? Math.max(0, obj.length + Number(a[0])) : Number(a[0]), 0, a[1]), ok(null));
    }
  }
  return { found: false };
}

/** os.path.expanduser on the controller: `~` is $HOME, `~user` that user's home (passwd); else unchanged. */
export function expanduser(path: string): string {
  const m = /^~([^/]*)/.exec(path);
  if (!m) return path;
  let home: string | undefined;
  if (!m[1]) home = process.env.HOME ?? userInfo().homedir;
  else {
    const line = existsSync('/etc/passwd') ? readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.split(':')[0] === m[1]) : undefined;
    home = line?.split(':')[5];
  }
  if (home === undefined) return path;
  return (home === '/' ? '' : home.replace(/\/+$/, '')) + path.slice(m[0].length) || '/';
}
