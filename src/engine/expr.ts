// The small expression language of `{{ ... }}` and `when:`: dotted paths, ['key'] / [0] indexing,
// string/number/bool literals, lists, == != < <= > >=, in, not, and, or, `is defined`, `is not defined`,
// and a few filters (default, join, int, string, lower, upper, length, bool, quote).
// An unknown variable is an error, never an empty string.
import { didYouMean } from '../util/errors.ts';
import { shq } from '../transport/quote.ts';

/** Value of a variable that only exists at run time (a `register`), seen while validating. */
export const LATER: unique symbol = Symbol('known at run time');

export class ExprError extends Error {}

type Tok = { t: 'id' | 'num' | 'str' | 'op'; v: string };

function lex(src: string): Tok[] {
  const out: Tok[] = [];
  const re = /\s*(?:([A-Za-z_][A-Za-z0-9_]*)|(\d+(?:\.\d+)?)|'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|(==|!=|<=|>=|[<>.()[\],|]))/y;
  let i = 0;
  while (i < src.length) {
    if (/^\s*$/.test(src.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(src);
    if (!m) throw new ExprError(`cannot read expression at ${JSON.stringify(src.slice(i).trim())}`);
    i = re.lastIndex;
    if (m[1] !== undefined) out.push({ t: 'id', v: m[1] });
    else if (m[2] !== undefined) out.push({ t: 'num', v: m[2] });
    else if (m[3] !== undefined) out.push({ t: 'str', v: m[3].replace(/\\(.)/g, '$1') });
    else if (m[4] !== undefined) out.push({ t: 'str', v: m[4].replace(/\\(.)/g, '$1') });
    else out.push({ t: 'op', v: m[5] });
  }
  return out;
}

export type Scope = (name: string) => { found: true; value: unknown } | { found: false; names: string[] };

class Parser {
  i = 0;
  constructor(
    private toks: Tok[],
    private scope: Scope,
  ) {}
  peek(v?: string) {
    const t = this.toks[this.i];
    return t && (v === undefined || t.v === v) ? t : undefined;
  }
  eat(v: string) {
    if (!this.peek(v)) throw new ExprError(`expected ${JSON.stringify(v)}${this.toks[this.i] ? ` near ${JSON.stringify(this.toks[this.i].v)}` : ' at end'}`);
    this.i++;
  }
  parse(): unknown {
    const v = this.or();
    if (this.i < this.toks.length) throw new ExprError(`unexpected ${JSON.stringify(this.toks[this.i].v)}`);
    return v;
  }
  /** Parses the right side of and/or; when the left side already decides, its errors do not count. */
  lazy(decided: boolean, side: () => unknown): unknown {
    if (!decided) return side();
    try {
      return side();
    } catch (e) {
      if (!(e instanceof ExprError)) throw e;
      // skip the rest of this operand: up to the next and/or/closing bracket at this depth
      let depth = 0;
      for (; this.i < this.toks.length; this.i++) {
        const v = this.toks[this.i].v;
        if (v === '(' || v === '[') depth++;
        else if (v === ')' || v === ']') {
          if (depth === 0) break;
          depth--;
        } else if (depth === 0 && (v === 'and' || v === 'or') && this.toks[this.i].t === 'id') break;
      }
      return undefined;
    }
  }
  or(): unknown {
    let l = this.and();
    while (this.peek('or')) {
      this.i++;
      const r = this.lazy(l !== LATER && truthy(l), () => this.and());
      l = l === LATER || r === LATER ? LATER : truthy(l) || truthy(r);
    }
    return l;
  }
  and(): unknown {
    let l = this.not();
    while (this.peek('and')) {
      this.i++;
      const r = this.lazy(l !== LATER && !truthy(l), () => this.not());
      l = l === LATER || r === LATER ? LATER : truthy(l) && truthy(r);
    }
    return l;
  }
  not(): unknown {
    if (this.peek('not')) {
      this.i++;
      const v = this.not();
      return v === LATER ? LATER : !truthy(v);
    }
    return this.cmp();
  }
  cmp(): unknown {
    // `x is defined` must not fail on an unknown x: parse the path leniently.
    const start = this.i;
    const save = this.toks[this.i];
    if (save?.t === 'id') {
      const isAt = this.toks.findIndex((t, k) => k > start && t.v === 'is');
      if (isAt > start && this.toks.slice(start + 1, isAt).every((t) => t.t === 'id' || t.v === '.')) {
        const path = this.toks.slice(start, isAt).filter((t) => t.t === 'id').map((t) => t.v);
        this.i = isAt + 1;
        const neg = !!this.peek('not') && (this.i++, true);
        const what = this.toks[this.i++]?.v;
        if (what !== 'defined' && what !== 'undefined') throw new ExprError(`expected "defined" after "is"`);
        const d = this.defined(path);
        if (d === LATER) return LATER;
        return (what === 'defined') !== neg ? d : !d;
      }
    }
    let l = this.filtered();
    for (;;) {
      const op = this.peek()?.v;
      if (op && ['==', '!=', '<', '<=', '>', '>='].includes(op)) {
        this.i++;
        const r = this.filtered();
        if (l === LATER || r === LATER) l = LATER;
        else l = compare(op, l, r);
      } else if (op === 'in' || (op === 'not' && this.toks[this.i + 1]?.v === 'in')) {
        const neg = op === 'not';
        this.i += neg ? 2 : 1;
        const r = this.filtered();
        if (l === LATER || r === LATER) l = LATER;
        else {
          const has = Array.isArray(r) ? r.some((x) => x === l) : typeof r === 'string' ? r.includes(String(l)) : r && typeof r === 'object' ? Object.hasOwn(r, String(l)) : false;
          l = neg ? !has : has;
        }
      } else return l;
    }
  }
  defined(path: string[]): boolean | typeof LATER {
    const root = this.scope(path[0]);
    if (!root.found) return false;
    let v = root.value;
    for (const k of path.slice(1)) {
      if (v === LATER) return LATER;
      if (v === null || typeof v !== 'object' || !Object.hasOwn(v, k)) return false;
      v = (v as Record<string, unknown>)[k];
    }
    return v !== undefined;
  }
  filtered(): unknown {
    let v = this.primary();
    while (this.peek('|')) {
      this.i++;
      const name = this.toks[this.i++];
      if (!name || name.t !== 'id') throw new ExprError('expected a filter name after "|"');
      const args: unknown[] = [];
      if (this.peek('(')) {
        this.i++;
        while (!this.peek(')')) {
          args.push(this.or());
          if (!this.peek(')')) this.eat(',');
        }
        this.eat(')');
      }
      v = applyFilter(name.v, v, args);
    }
    return v;
  }
  primary(): unknown {
    const t = this.toks[this.i];
    if (!t) throw new ExprError('expression ends too early');
    if (t.v === '(') {
      this.i++;
      const v = this.or();
      this.eat(')');
      return v;
    }
    if (t.v === '[') {
      this.i++;
      const items: unknown[] = [];
      while (!this.peek(']')) {
        items.push(this.or());
        if (!this.peek(']')) this.eat(',');
      }
      this.eat(']');
      return items.includes(LATER) ? LATER : items;
    }
    this.i++;
    if (t.t === 'num') return Number(t.v);
    if (t.t === 'str') return t.v;
    if (t.t !== 'id') throw new ExprError(`unexpected ${JSON.stringify(t.v)}`);
    if (t.v === 'true' || t.v === 'True') return true;
    if (t.v === 'false' || t.v === 'False') return false;
    if (t.v === 'none' || t.v === 'None' || t.v === 'null') return null;
    const root = this.scope(t.v);
    // `x | default(...)` must accept an unknown x: look ahead for it.
    const defaulted = () => this.peek('|') && this.toks[this.i + 1]?.v === 'default';
    if (!root.found) {
      if (defaulted()) return undefined;
      throw new ExprError(`unknown variable ${JSON.stringify(t.v)}${didYouMean(t.v, root.names)}`);
    }
    let v = root.value;
    const path = [t.v];
    for (;;) {
      let key: string | number;
      if (this.peek('.')) {
        this.i++;
        const k = this.toks[this.i++];
        if (!k || (k.t !== 'id' && k.t !== 'num')) throw new ExprError(`expected a name after "${path.join('.')}."`);
        key = k.t === 'num' ? Number(k.v) : k.v;
      } else if (this.peek('[')) {
        this.i++;
        const k = this.or();
        this.eat(']');
        if (k === LATER) return LATER;
        key = k as string | number;
      } else break;
      if (v === LATER) continue;
      // own keys only: every object inherits `constructor`, `toString`, ... which no var defines
      if (v === null || typeof v !== 'object' || !Object.hasOwn(v, String(key))) {
        if (v !== null && typeof v === 'object' && defaulted()) return undefined;
        const keys = v && typeof v === 'object' ? Object.keys(v) : [];
        throw new ExprError(`${path.join('.')} has no key ${JSON.stringify(key)}${didYouMean(String(key), keys)}${keys.length && keys.length < 12 ? ` (it has: ${keys.join(', ')})` : ''}`);
      }
      v = (v as Record<string, unknown>)[String(key)];
      path.push(String(key));
    }
    return v;
  }
}

export function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v && typeof v === 'object') return Object.keys(v).length > 0;
  if (typeof v === 'string') return v !== '' && !/^(false|no|off|0)$/i.test(v);
  return !!v;
}

function compare(op: string, l: unknown, r: unknown): boolean {
  if (typeof l === 'number' && typeof r === 'string' && r !== '' && !isNaN(Number(r))) r = Number(r);
  if (typeof r === 'number' && typeof l === 'string' && l !== '' && !isNaN(Number(l))) l = Number(l);
  switch (op) {
    case '==':
      return JSON.stringify(l) === JSON.stringify(r);
    case '!=':
      return JSON.stringify(l) !== JSON.stringify(r);
    case '<':
      return (l as number) < (r as number);
    case '<=':
      return (l as number) <= (r as number);
    case '>':
      return (l as number) > (r as number);
    default:
      return (l as number) >= (r as number);
  }
}

const FILTERS: Record<string, (v: unknown, args: unknown[]) => unknown> = {
  default: (v, [d]) => (v === undefined || v === null ? d : v),
  join: (v, [sep = '']) => (Array.isArray(v) ? v.join(String(sep)) : v),
  int: (v) => parseInt(String(v), 10),
  string: (v) => (typeof v === 'string' ? v : JSON.stringify(v)),
  lower: (v) => String(v).toLowerCase(),
  upper: (v) => String(v).toUpperCase(),
  length: (v) => (Array.isArray(v) || typeof v === 'string' ? v.length : v && typeof v === 'object' ? Object.keys(v).length : 0),
  bool: (v) => truthy(v),
  quote: (v) => shq(String(v)),
  to_json: (v) => JSON.stringify(v),
};

function applyFilter(name: string, v: unknown, args: unknown[]): unknown {
  // own keys only: `| constructor` or `| __proto__` would call (or fail to call) Object's
  const f = Object.hasOwn(FILTERS, name) ? FILTERS[name] : undefined;
  if (!f) throw new ExprError(`unknown filter ${JSON.stringify(name)}${didYouMean(name, Object.keys(FILTERS))}: expected one of ${Object.keys(FILTERS).join(', ')}`);
  if (v === LATER || args.includes(LATER)) return LATER;
  return f(v, args);
}

export function evaluate(src: string, scope: Scope): unknown {
  return new Parser(lex(src), scope).parse();
}
