// Ansible's builtin lookups that loops use (`with_<name>:` is a loop over lookup('<name>')'s list),
// as lib/ansible/plugins/lookup/*.py of ansible-core 2.14: items, list, indexed_items, dict, together,
// nested, subelements, sequence (pure: they only reshape the values they are given); and file, env,
// pipe and lines, which read the controller.
import { LATER, pyRepr, pyStr } from '../template/expr-error.ts';
import { parseKv } from '../playbook/kv.ts';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { globFiles } from '../util/glob.ts';
import { matchPattern } from '../inventory/pattern.ts';
import type { Inventory } from '../inventory/types.ts';
import { createHash, randomInt } from 'node:crypto';
import { passwordHash } from '../template/password-hash.ts';
import { spawnSync } from 'node:child_process';
import { findInSearchPath } from '../template/lookup-first-found.ts';
import { LookupError, readLookupFile, type Lookup, type LookupFiles } from './base.ts';
import { iniLookup } from './ini.ts';
import { csvfileLookup } from './csvfile.ts';
import { configLookup } from './config.ts';

export { LOOKUP_FAILED, LookupError, type Lookup, type LookupFiles } from './base.ts';

const isMap = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);

/**
 * Ansible's listify_lookup_plugin_terms, once the terms are rendered: a string (or anything Python
 * cannot iterate) is a list of one; a list stays; a map stays a map (iterating it gives its keys).
 */
export function listify(terms: unknown): unknown[] | Record<string, unknown> {
  return Array.isArray(terms) || isMap(terms) ? terms : [terms];
}

/** What Python's `for x in terms` gives: a map's keys, a string's characters. */
function iter(terms: unknown): unknown[] {
  if (Array.isArray(terms)) return terms;
  if (isMap(terms)) return Object.keys(terms);
  if (typeof terms === 'string') return [...terms];
  throw new LookupError(`${pyRepr(terms)} is not iterable: expected a list`);
}

/** LookupBase._flatten: one level (a list inside the terms gives its items). */
export const flatten = (terms: unknown): unknown[] => iter(terms).flatMap((t) => (Array.isArray(t) ? t : [t]));

function together(terms: unknown): unknown[] {
  const lists = iter(terms).map((x) => iter(listify(x)));
  if (!lists.length) throw new LookupError('with_together requires at least one element in each list');
  const n = Math.max(...lists.map((l) => l.length));
  // itertools.zip_longest(fillvalue=None), each tuple flattened one level
  return Array.from({ length: n }, (_, i) => flatten(lists.map((l) => (i < l.length ? l[i] : null))));
}

function nested(terms: unknown): unknown[] {
  const lists = iter(terms).map((x) => iter(listify(x)));
  if (!lists.length) throw new LookupError('with_nested requires at least one element in the nested list');
  // LookupBase._combine, left to right: each pair flattened one level
  let result = lists[0];
  for (const next of lists.slice(1)) result = result.flatMap((x) => next.map((y) => flatten([x, y])));
  return result.map((x) => flatten(x));
}

function indexedItems(terms: unknown): unknown[] {
  if (!Array.isArray(terms)) throw new LookupError('with_indexed_items expects a list');
  return flatten(terms).map((x, i) => [i, x]);
}

function dict(terms: unknown): unknown[] {
  return (Array.isArray(terms) ? terms : [terms]).flatMap((t) => {
    if (!isMap(t)) throw new LookupError('with_dict expects a dict');
    return Object.entries(t).map(([key, value]) => ({ key, value }));
  });
}

function list(terms: unknown): unknown[] {
  // a Python Sequence: a map is not one
  if (isMap(terms)) throw new LookupError('with_list expects a list');
  return iter(terms);
}

/** Ansible's boolean(x, strict=False). */
const boolish = (x: unknown): boolean => x === true || (typeof x === 'string' && ['yes', 'on', '1', 'true', 'y', 't'].includes(x.toLowerCase())) || x === 1;

function subelements(terms: unknown): unknown[] {
  const bad = (msg = '') => new LookupError('subelements lookup expects a list of two or three items, ' + msg);
  const t = [...iter(terms)];
  t[0] = listify(t[0]);
  if (!(t.length >= 2 && t.length <= 3)) throw bad();
  if (!(Array.isArray(t[0]) || isMap(t[0])) || typeof t[1] !== 'string') throw bad('first a dict or a list, second a string pointing to the subkey');
  const keys = t[1].split('.');
  let elements: unknown[];
  if (isMap(t[0])) {
    // a registered result that was skipped as a whole
    if ((t[0] as Record<string, unknown>).skipped !== undefined && (t[0] as Record<string, unknown>).skipped !== false) return [];
    elements = Object.values(t[0]);
  } else elements = t[0];
  const flags = t.length === 3 ? t[2] : {};
  if (!isMap(flags) && !iter(flags).every((k) => typeof k === 'string' && k === 'skip_missing')) throw bad(`the optional third item must be a dict with flags ('skip_missing',)`);
  const out: unknown[] = [];
  for (const original of elements) {
    if (!isMap(original)) throw new LookupError(`subelements lookup expects a dictionary, got '${pyStr(original)}'`);
    if (original.skipped !== undefined && original.skipped !== false) continue;
    // Ansible pops the list out of (its copy of) the element: item.0 is the element without it
    const item0 = structuredClone(original);
    const skipMissing = boolish(isMap(flags) ? flags.skip_missing ?? false : false);
    let sub: Record<string, unknown> = item0;
    let sublist: unknown[] = [];
    for (const [i, key] of keys.entries()) {
      const last = i === keys.length - 1;
      if (!Object.hasOwn(sub, key)) {
        if (skipMissing) continue;
        throw new LookupError(`could not find '${key}' key in iterated item '${pyStr(sub)}'`);
      }
      const value = sub[key];
      if (!last) {
        if (!isMap(value)) {
          if (skipMissing) continue;
          throw new LookupError(`the key ${key} should point to a dictionary, got '${pyStr(value)}'`);
        }
        sub = value;
      } else {
        if (!Array.isArray(value)) throw new LookupError(`the key ${key} should point to a list, got '${pyStr(value)}'`);
        sublist = value;
        delete sub[key];
      }
    }
    for (const item1 of sublist) out.push([item0, item1]);
  }
  return out;
}

/** Python's int(text, 0): decimal without leading zeros, or 0x / 0o / 0b; NaN when Python refuses it. */
export function pyInt0(text: string): number {
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F](?:_?[0-9a-fA-F])*|0[oO][0-7](?:_?[0-7])*|0[bB][01](?:_?[01])*|0(?:_?0)*|[1-9](?:_?\d)*)\s*$/.exec(text);
  if (!m) return NaN;
  const body = m[2].replace(/_/g, '');
  const n = /^0[xob]/i.test(body) ? Number(body.toLowerCase()) : Number(body);
  return m[1] === '-' ? -n : n;
}

/** Python's `format % n` for a format with one conversion (sequence's `host%02d`, `0x%02x`). */
export function percentFormat(format: string, n: number): string {
  const m = /%([-+ 0#]*)(\d*)(?:\.(\d+))?([diouxXeEfFgGcrs])/.exec(format);
  if (!m) throw new LookupError(`problem formatting ${n} with ${pyRepr(format)}`);
  const [whole, flags, width, prec, conv] = m;
  let body: string;
  const abs = Math.abs(n);
  switch (conv) {
    case 'd': case 'i': case 'u': body = String(abs); break;
    case 'o': body = (flags.includes('#') ? '0o' : '') + abs.toString(8); break;
    case 'x': body = (flags.includes('#') ? '0x' : '') + abs.toString(16); break;
    case 'X': body = (flags.includes('#') ? '0X' : '') + abs.toString(16).toUpperCase(); break;
    case 'f': case 'F': body = abs.toFixed(prec === undefined ? 6 : Number(prec)); break;
    case 'e': case 'E': { const s = abs.toExponential(prec === undefined ? 6 : Number(prec)).replace(/e([+-])(\d)$/, 'e$10$2'); body = conv === 'E' ? s.toUpperCase() : s; break; }
    case 'c': body = String.fromCodePoint(n); break;
    default: body = String(abs); // g, s, r of an int
  }
  const sign = n < 0 && conv !== 'c' ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
  const w = Number(width || 0);
  let s = sign + body;
  if (s.length < w) {
    if (flags.includes('-')) s = s.padEnd(w);
    else if (flags.includes('0') && conv !== 's' && conv !== 'r' && conv !== 'c') s = sign + body.padStart(w - sign.length, '0');
    else s = s.padStart(w);
  }
  return format.replace(whole, s);
}

/** The sequence lookup: `[start-]end[/stride][:format]`, or `start= end= count= stride= format=`. */
function sequence(terms: unknown): string[] {
  const out: string[] = [];
  for (const term of iter(terms)) {
    const s = { start: 1, end: undefined as number | undefined, count: undefined as number | undefined, stride: 1, format: '%d' };
    const text = pyStr(term);
    const m = /^((0?x?[0-9a-f]+)-)?(0?x?[0-9a-f]+)(\/(0?x?[0-9a-f]+))?(:(.+))?$/i.exec(text);
    const int = (name: string, raw: string): number => {
      const n = pyInt0(raw);
      if (Number.isNaN(n)) throw new LookupError(`can't parse ${name}=${raw} as integer`);
      return n;
    };
    if (m) {
      if (m[2] !== undefined) s.start = int('start', m[2]);
      s.end = int('end', m[3]);
      if (m[5] !== undefined) s.stride = int('stride', m[5]);
      if (m[7] !== undefined) s.format = m[7];
    } else {
      const kv = parseKv(text);
      if (!kv.ok) throw new LookupError(`unknown error parsing with_sequence arguments: ${pyRepr(text)}. Error was: ${kv.error}`);
      const args: Record<string, string> = { ...kv.value };
      for (const k of ['start', 'end', 'count', 'stride'] as const) {
        const raw = args[k];
        delete args[k];
        if (raw !== undefined) s[k] = int(k, raw);
      }
      if ('format' in args) {
        s.format = args.format;
        delete args.format;
      }
      if (Object.keys(args).length) throw new LookupError(`unrecognized arguments to with_sequence: [${Object.keys(args).map((k) => pyRepr(k)).join(', ')}]`);
    }
    // sanity_check
    if (s.count === undefined && s.end === undefined) throw new LookupError('must specify count or end in with_sequence');
    if (s.count !== undefined && s.end !== undefined) throw new LookupError("can't specify both count and end in with_sequence");
    if (s.count !== undefined) {
      if (s.count !== 0) s.end = s.start + s.count * s.stride - 1;
      else [s.start, s.end, s.stride] = [0, 0, 0];
    }
    const end = s.end!;
    if (s.stride > 0 && end < s.start) throw new LookupError('to count backwards make stride negative');
    if (s.stride < 0 && end > s.start) throw new LookupError("to count forward don't make stride negative");
    if (s.format.split('%').length !== 2) throw new LookupError(`bad formatting string: ${s.format}`);
    if (s.stride === 0) continue;
    // range(start, end + adjust, stride)
    const stop = end + (s.stride > 0 ? 1 : -1);
    for (let i = s.start; s.stride > 0 ? i < stop : i > stop; i += s.stride) out.push(percentFormat(s.format, i));
  }
  return out;
}

/** Python's str.strip() whitespace (JavaScript's trim() also takes U+FEFF, which Python does not). */
const PY_SPACE = '[\\s\\u001c-\\u001f\\u0085]';

/** The file lookup: each file's text, found along the search path (a `files/` subdirectory first); rstrip=True by default. */
function file(terms: unknown, kw: Record<string, unknown>, files?: LookupFiles): string[] {
  return iter(terms).map((term) => {
    const found = findInSearchPath(files?.searchPath ?? [], 'files', pyStr(term), files?.baseDir ?? process.cwd());
    let text: string;
    try {
      if (!found) throw new Error('not found');
      text = readLookupFile(found);
    } catch (e) {
      if (e instanceof LookupError) throw e;
      throw new LookupError(`could not locate file in lookup: ${pyStr(term)}`);
    }
    if (boolish(kw.lstrip ?? false)) text = text.replace(new RegExp(`^${PY_SPACE}+`), '');
    if (boolish(kw.rstrip ?? true)) text = text.replace(new RegExp(`${PY_SPACE}+$`), '');
    return text;
  });
}

/**
 * unvault (lookup/unvault.py): each file's text as it is (no strip), decrypted with the run's vault
 * passwords when it is vault-encrypted; found along the search path as the file lookup finds it.
 */
function unvault(terms: unknown, _kw: Record<string, unknown>, files?: LookupFiles): string[] {
  return iter(terms).map((term) => {
    const found = findInSearchPath(files?.searchPath ?? [], 'files', pyStr(term), files?.baseDir ?? process.cwd());
    // AnsibleParserError: wrapped by Templar._lookup as any error it does not know
    if (!found) throw new LookupError(`Unable to find file matching "${pyStr(term)}" `);
    return readLookupFile(found);
  });
}

/** The builtin lookups by name, each taking its (rendered) terms as Ansible's run() does. */
/**
 * While skiff checks a playbook before running it (prepare.ts), a lookup that runs a command gives
 * LATER (a value known at run time): Ansible runs the command once, when the task runs.
 */
let checking = 0;
/** Whether skiff is checking the playbook (no lookup with effects runs). */
export const isChecking = (): boolean => checking > 0;
export function checkingOnly<T>(f: () => T): T {
  checking++;
  try {
    return f();
  } finally {
    checking--;
  }
}

/** pipe and lines: a shell command's output, run on the controller in the playbook's directory (lookup/pipe.py, lines.py). */
function command(name: string, terms: unknown, files?: LookupFiles): string[] {
  return iter(listify(terms)).map((t) => {
    const r = spawnSync('/bin/sh', ['-c', pyStr(t)], { cwd: files?.baseDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (r.status !== 0) throw new LookupError(`lookup_plugin.${name}(${pyStr(t)}) returned ${r.status ?? -1}`);
    return r.stdout;
  });
}

/** Python's string module constants, as the password lookup names them in chars= */
const CHARSETS: Record<string, string> = {
  ascii_lowercase: 'abcdefghijklmnopqrstuvwxyz',
  ascii_uppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  ascii_letters: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ',
  digits: '0123456789',
  hexdigits: '0123456789abcdefABCDEF',
  octdigits: '01234567',
  punctuation: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
};

/**
 * password: a random password (lookup/password.py): kept in the file the term names (read back when it
 * is there; written 0600 in a 0700 directory when not), or not kept (/dev/null). length=, chars= and
 * seed= (the same seed, the same password) as Ansible's; encrypt= gives the password's hash, its salt
 * kept in the file after the password (` salt=`). It writes on the controller: while checking it is LATER.
 */
function password(terms: unknown, kw: Record<string, unknown>): unknown[] {
  if (checking) return [LATER];
  return iter(listify(terms)).map((t) => {
    const term = pyStr(t);
    const [path, rest = ''] = term.split(/ (.*)/s);
    const kv = parseKv(rest);
    const inline: Record<string, unknown> = kv.ok ? kv.value : {};
    if (inline._raw_params !== undefined) throw new LookupError('lookup password: a path with spaces is not supported by skiff: expected the path, then key=value parameters');
    const params: Record<string, unknown> = { ...kw, ...inline };
    const bad = Object.keys(params).filter((k) => !['length', 'chars', 'seed', 'encrypt'].includes(k));
    if (bad.length) throw new LookupError(bad.some((k) => k === 'ident') ? 'lookup password: ident is not supported by skiff: expected length, chars, seed, encrypt' : `Unrecognized parameter(s) given to password lookup: ${bad.join(', ')}`);
    const kept = path !== '/dev/null' && existsSync(path) ? readFileSync(path, 'utf8').replace(/\n$/, '') : undefined;
    let plain: string;
    let salt: string | undefined;
    let changed = false;
    if (kept === undefined) {
      const length = Number(params.length ?? 20);
      const given = params.chars === undefined ? ['ascii_letters', 'digits', '.,:-_'] : Array.isArray(params.chars) ? params.chars.map(String) : [...(String(params.chars).includes(',,') ? [','] : []), ...String(params.chars).replace(/,,/g, ',').split(',').filter(Boolean)];
      const chars = given.map((c) => CHARSETS[c] ?? c).join('');
      const pick = params.seed === undefined || params.seed === null ? () => randomInt(chars.length) : seeded(pyStr(params.seed), chars.length);
      plain = Array.from({ length }, () => chars[pick()]).join('');
      changed = true;
    } else {
      // _parse_content: `password salt=SALT`
      const at = kept.lastIndexOf(' salt=');
      [plain, salt] = at < 0 ? [kept, undefined] : [kept.slice(0, at), kept.slice(at + ' salt='.length)];
    }
    const encrypt = params.encrypt ? pyStr(params.encrypt) : '';
    if (encrypt && !salt) {
      changed = true;
      salt = Array.from({ length: encrypt.includes('sha') ? 16 : 8 }, () => SALT_CHARS[randomInt(SALT_CHARS.length)]).join('');
    }
    if (changed && path !== '/dev/null') {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      writeFileSync(path, `${salt ? `${plain} salt=${salt}` : plain}\n`, { mode: 0o600 });
    }
    return encrypt ? passwordHash(plain, [encrypt, salt], {}) : plain;
  });
}

/** random_salt's characters (ansible.utils.encrypt) */
const SALT_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./';

/** Indexes below `n` that the seed alone decides (Ansible's random.Random(seed)): sha256 of seed and a counter. */
function seeded(seed: string, n: number): () => number {
  let i = 0;
  return () => createHash('sha256').update(`${seed}\0${i++}`).digest().readUInt32BE(0) % n;
}

/**
 * fileglob (lookup/fileglob.py): the files matching each pattern's name part, in the first directory
 * that has any: a pattern with a directory looks for that directory along the search path (its files/
 * first); a bare pattern in each search path's files/, then the path itself.
 */
function fileglob(terms: unknown, _kw: Record<string, unknown>, files?: LookupFiles): string[] {
  const searchPath = files?.searchPath ?? [];
  const baseDir = files?.baseDir ?? process.cwd();
  return iter(terms).flatMap((t) => {
    const term = pyStr(t);
    const name = basename(term);
    const dirs = name !== term ? [findInSearchPath(searchPath, 'files', dirname(term), baseDir)] : (searchPath.length ? searchPath : [baseDir]).flatMap((p) => [join(p, 'files'), p]);
    for (const d of dirs) {
      const found = d ? globFiles(d, name) : [];
      if (found.length) return found;
    }
    return [];
  });
}

/** random_choice: one of the terms, at random (none when there are none). */
function randomChoice(terms: unknown): unknown[] {
  const all = iter(terms);
  return all.length ? [all[randomInt(all.length)]] : all;
}

/** varnames (lookup/varnames.py): the names of the task's variables each regular expression finds (re.search). */
function varnames(terms: unknown, _kw: Record<string, unknown>, files?: LookupFiles): string[] {
  const r = files?.scope?.('\0');
  const names = [...new Set(r && !r.found ? r.names : [])];
  return iter(terms).flatMap((term) => {
    if (typeof term !== 'string') throw new LookupError(`Invalid setting identifier, "${pyStr(term)}" is not a string, it is a <class '${pyTypeName(term)}'>`);
    let re: RegExp;
    try {
      re = new RegExp(term.replace(/\(?P<(\w+)>/g, '(?<$1>'));
    } catch (e) {
      // Python's re words it in lower case ("nothing to repeat at position 0")
      const why = (e as Error).message.replace(/^.*: /, '');
      throw new LookupError(`Unable to use "${term}" as a search parameter: ${why[0].toLowerCase()}${why.slice(1)}`);
    }
    return names.filter((n) => re.test(n));
  });
}

/**
 * inventory_hostnames (lookup/inventory_hostnames.py): the hosts a host pattern names, in an
 * inventory Ansible rebuilds from the `groups` variable; a pattern that names nothing gives none.
 */
function inventoryHostnames(terms: unknown, _kw: Record<string, unknown>, files?: LookupFiles): string[] {
  const r = files?.scope?.('groups');
  const groups = r?.found && isMap(r.value) ? (r.value as Record<string, unknown>) : {};
  const inv: Inventory = { root: '', groups: new Map(), hosts: [], hostInline: new Map(), hostFile: new Map(), hostOrigin: new Map() };
  for (const [name, hosts] of Object.entries(groups)) {
    const members = Array.isArray(hosts) ? hosts.map(String) : [];
    inv.groups.set(name, { name, hosts: new Set(members), children: new Set(), inline: { vars: {}, origins: {} } });
    for (const h of members) {
      if (inv.hostOrigin.has(h)) continue;
      inv.hosts.push(h);
      inv.hostOrigin.set(h, { file: '', line: 0, col: 0 });
    }
  }
  const m = matchPattern(inv, iter(listify(terms)).map(pyStr).join(','));
  return 'hosts' in m ? m.hosts : [];
}

/** Python's type name of a value, as `<class '...'>` shows it. */
const pyTypeName = (x: unknown) => (typeof x === 'boolean' ? 'bool' : typeof x === 'number' ? (Number.isInteger(x) ? 'int' : 'float') : Array.isArray(x) ? 'list' : x === null ? 'NoneType' : typeof x === 'object' ? 'dict' : 'str');

export const BUILTIN_LOOKUPS: Record<string, Lookup> = {
  fileglob,
  ini: iniLookup,
  csvfile: csvfileLookup,
  config: (terms, kw, files) => configLookup(terms, kw, files, checking > 0),
  unvault,
  random_choice: randomChoice,
  varnames,
  inventory_hostnames: inventoryHostnames,
  file,
  password,
  pipe: (terms, _kw, files) => (checking ? [LATER] : command('pipe', terms, files).map((out) => out.trimEnd())),
  lines: (terms, _kw, files) => (checking ? [LATER] : command('lines', terms, files).flatMap((out) => out.split(/\r\n|\n|\r/).filter((l, i, all) => i < all.length - 1 || l !== ''))),
  // the controller's environment (lookup/env.py: default='')
  env: (terms, kw) => iter(terms).map((t) => process.env[pyStr(t).split(/\s+/).filter(Boolean)[0] ?? ''] ?? kw.default ?? ''),
  items: (t) => flatten(t),
  list,
  indexed_items: indexedItems,
  dict,
  together,
  nested,
  subelements,
  sequence,
};
