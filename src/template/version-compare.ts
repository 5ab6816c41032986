// Ansible's `version` test (plugins/test/core.py version_compare) and the version classes it compares
// with: LooseVersion and StrictVersion (module_utils/compat/version.py), SemanticVersion
// (utils/version.py) and packaging's PEP 440 Version. Each error is Ansible's AnsibleFilterError text,
// which a task shows as its failure message.
import { ExprError, pyStr, truthy } from './expr-error.ts';

type Part = number | string;

/** Python's `a < b` of two list items; a TypeError (Ansible's message quotes it) between a number and a word. */
function lessThan(a: Part, b: Part): boolean {
  if (typeof a !== typeof b) throw new Error(`'<' not supported between instances of '${typeof a === 'number' ? 'int' : 'str'}' and '${typeof b === 'number' ? 'int' : 'str'}'`);
  return a < b;
}

/** Python's comparison of two lists (or tuples): the first items that differ decide, else the shorter is less. */
function cmpList(x: Part[], y: Part[]): number {
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] === y[i]) continue;
    return lessThan(x[i], y[i]) ? -1 : 1;
  }
  return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
}

/** LooseVersion: numbers, runs of lower-case letters and any other text, the dots dropped; never invalid. */
function loose(s: string): Part[] {
  return s
    .split(/(\d+|[a-z]+|\.)/)
    .filter((x) => x && x !== '.')
    .map((x) => (/^\d+$/.test(x) ? Number(x) : x));
}

const cmpLoose = (a: string, b: string): number => {
  const [x, y] = [loose(a), loose(b)];
  return cmpList(x, y);
};

/** StrictVersion: N.N[.N] with an optional a<N> or b<N> pre-release, which comes before the release. */
function strict(s: string): { version: number[]; pre: [string, number] | null } {
  const m = /^(\d+)\.(\d+)(\.(\d+))?([ab](\d+))?$/.exec(s);
  if (!m) throw new Error(`invalid version number '${s}'`);
  return { version: [Number(m[1]), Number(m[2]), Number(m[4] ?? 0)], pre: m[5] ? [m[5][0], Number(m[6])] : null };
}

function cmpStrict(a: string, b: string): number {
  const [x, y] = [strict(a), strict(b)];
  const c = cmpList(x.version, y.version);
  if (c) return c;
  if (!x.pre || !y.pre) return x.pre ? -1 : y.pre ? 1 : 0;
  return cmpList(x.pre, y.pre);
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** SemanticVersion: semver 2.0.0; in a pre-release a number comes before a word, and build metadata is ignored. */
function cmpSemantic(a: string, b: string): number {
  const parse = (s: string) => {
    const m = SEMVER.exec(s);
    if (!m) throw new Error(`invalid semantic version '${s}'`);
    return { core: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] ? m[4].split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)) : [] };
  };
  const [x, y] = [parse(a), parse(b)];
  const c = cmpList(x.core, y.core);
  if (c) return c;
  if (!x.pre.length || !y.pre.length) return x.pre.length ? -1 : y.pre.length ? 1 : 0;
  // _Numeric < _Alpha: a number is less than a word rather than a TypeError
  for (let i = 0; i < Math.min(x.pre.length, y.pre.length); i++) {
    const [p, q] = [x.pre[i], y.pre[i]];
    if (p === q) continue;
    if (typeof p !== typeof q) return typeof p === 'number' ? -1 : 1;
    return p < q ? -1 : 1;
  }
  return x.pre.length === y.pre.length ? 0 : x.pre.length < y.pre.length ? -1 : 1;
}

const PEP440 = /^\s*v?(?:(?:(\d+)!)?(\d+(?:\.\d+)*)([-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\d+)?)?((?:-(\d+))|(?:[-_.]?(post|rev|r)[-_.]?(\d+)?))?([-_.]?(dev)[-_.]?(\d+)?)?)(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$/i;

/** packaging's Version._key: epoch, release (trailing zeros dropped), pre, post, dev, local; ±Infinity for absent parts. */
function pep440Key(s: string): (number | (number | string)[][] | number[])[] {
  const m = PEP440.exec(s);
  if (!m) throw new Error(`Invalid version: '${s}'`);
  const release = m[2].split('.').map(Number);
  while (release.length > 1 && release.at(-1) === 0) release.pop();
  const preLetter = m[4] ? ({ a: 0, alpha: 0, b: 1, beta: 1, c: 2, rc: 2, pre: 2, preview: 2 } as Record<string, number>)[m[4].toLowerCase()] : undefined;
  const hasPost = m[6] !== undefined;
  const hasDev = m[10] !== undefined;
  const pre = preLetter !== undefined ? [preLetter, Number(m[5] ?? 0)] : !hasPost && hasDev ? [-Infinity] : [Infinity];
  const post = hasPost ? [Number(m[7] ?? m[9] ?? 0)] : [-Infinity];
  const dev = hasDev ? [Number(m[12] ?? 0)] : [Infinity];
  // a local segment: numbers after words
  const local = m[13] ? m[13].toLowerCase().split(/[-_.]/).map((p) => (/^\d+$/.test(p) ? [Number(p), ''] : [-Infinity, p])) : [[-Infinity]];
  return [Number(m[1] ?? 0), release, pre, post, dev, local];
}

function cmpAny(a: unknown, b: unknown): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = cmpAny(a[i], b[i]);
      if (c) return c;
    }
    return a.length - b.length;
  }
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

const cmpPep440 = (a: string, b: string) => cmpAny(pep440Key(a), pep440Key(b));

const TYPES: Record<string, (a: string, b: string) => number> = { loose: cmpLoose, strict: cmpStrict, semver: cmpSemantic, semantic: cmpSemantic, pep440: cmpPep440 };

const OPS: Record<string, (c: number) => boolean> = {
  '==': (c) => c === 0, '=': (c) => c === 0, eq: (c) => c === 0,
  '<': (c) => c < 0, lt: (c) => c < 0,
  '<=': (c) => c <= 0, le: (c) => c <= 0,
  '>': (c) => c > 0, gt: (c) => c > 0,
  '>=': (c) => c >= 0, ge: (c) => c >= 0,
  '!=': (c) => c !== 0, '<>': (c) => c !== 0, ne: (c) => c !== 0,
};

const names = (o: object) => Object.keys(o).map((k) => `'${k}'`).join(', ');

/** version_compare(value, version, operator='eq', strict=None, version_type=None), checks in Ansible's order. */
export function versionTest(value: unknown, [version, operator = 'eq', strictArg = null, typeArg = null]: unknown[], kw: Record<string, unknown>): boolean {
  const op = kw.operator ?? operator;
  const isStrict = kw.strict ?? strictArg;
  const type = kw.version_type ?? typeArg;
  version = kw.version ?? version;
  if (isStrict !== null && isStrict !== undefined && type !== null && type !== undefined) throw new ExprError("Cannot specify both 'strict' and 'version_type'");
  if (!truthy(value)) throw new ExprError('Input version value cannot be empty');
  if (!truthy(version)) throw new ExprError('Version parameter to compare against cannot be empty');
  let cmp = cmpLoose;
  if (truthy(isStrict)) cmp = cmpStrict;
  else if (truthy(type)) {
    if (!Object.hasOwn(TYPES, String(type))) throw new ExprError(`Invalid version type (${pyStr(type)}). Must be one of ${names(TYPES)}`);
    cmp = TYPES[String(type)];
  }
  if (!Object.hasOwn(OPS, String(op))) throw new ExprError(`Invalid operator type (${pyStr(op)}). Must be one of ${names(OPS)}`);
  try {
    return OPS[String(op)](cmp(pyStr(value), pyStr(version)));
  } catch (e) {
    throw new ExprError(`Version comparison failed: ${(e as Error).message}`);
  }
}
