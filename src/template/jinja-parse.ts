// Jinja2's expression grammar, parsed to a tree before anything is evaluated: a syntax error is an
// error even on a branch that would not run, and and/or/if-else can then skip the side that does not
// count without re-scanning tokens. Precedence follows jinja2/parser.py: `x if c else y` < or < and <
// not < comparisons (== != < <= > >= in, not in) < + - < ~ < * / // % < ** < unary - < postfix
// (.attr, [key], (call)) < | filter and `is` test.
import { pyFloat } from './py-float.ts';
import { ExprError } from './expr-error.ts';

export type Node =
  | { k: 'lit'; v: unknown }
  | { k: 'name'; n: string }
  | { k: 'get'; obj: Node; key: Node; dot: boolean }
  | { k: 'slice'; obj: Node; from?: Node; to?: Node; step?: Node }
  | { k: 'call'; fn: Node; args: Node[]; kw: Record<string, Node> }
  // `full`: the name as written, when it has a collection's namespace (`community.general.json_query`)
  | { k: 'filter'; v: Node; name: string; full?: string; args: Node[]; kw: Record<string, Node> }
  | { k: 'test'; v: Node; name: string; full?: string; args: Node[]; kw: Record<string, Node>; neg: boolean }
  | { k: 'not'; v: Node }
  | { k: 'neg'; v: Node }
  | { k: 'and' | 'or'; l: Node; r: Node }
  | { k: 'bin'; op: string; l: Node; r: Node }
  | { k: 'if'; cond: Node; then: Node; else?: Node }
  | { k: 'list'; items: Node[] }
  | { k: 'dict'; pairs: [Node, Node][] }
  /** `*xs` among a call's arguments: the items of xs as arguments */
  | { k: 'splat'; v: Node };

type Tok = { t: 'id' | 'num' | 'str' | 'op'; v: string };

const ESC: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };

/** Python string-literal escapes; an unknown escape (`\s`, `\.`, `\1`) keeps its backslash, as Python does. */
function unescape(s: string): string {
  return s.replace(/\\(.)/gs, (m, c: string) => ESC[c] ?? m);
}

/**
 * `pyEscapes`: string literals read backslash escapes as Python does. Ansible turns that off for `{{ }}`
 * in playbook values (Templar's escape_backslashes: `'\d+'` is a regex, `'\n'` two characters) and keeps
 * it for template files; a backslash before the closing quote still does not close the string.
 */
export function lex(src: string, pyEscapes = false): Tok[] {
  const unq = pyEscapes ? unescape : (s: string) => s;
  const out: Tok[] = [];
  const re = /\s*(?:([A-Za-z_][A-Za-z0-9_]*)|(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|(\*\*|\/\/|==|!=|<=|>=|[<>.()[\]{},|:+\-*/%~=]))/sy;
  let i = 0;
  while (i < src.length) {
    if (/^\s*$/.test(src.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(src);
    if (!m) throw new ExprError(`cannot read expression at ${JSON.stringify(src.slice(i).trim())}`);
    i = re.lastIndex;
    if (m[1] !== undefined) out.push({ t: 'id', v: m[1] });
    else if (m[2] !== undefined) out.push({ t: 'num', v: m[2] });
    else if (m[3] !== undefined) out.push({ t: 'str', v: unq(m[3]) });
    else if (m[4] !== undefined) out.push({ t: 'str', v: unq(m[4]) });
    else out.push({ t: 'op', v: m[5] });
  }
  return out;
}

const COMPARE = ['==', '!=', '<', '<=', '>', '>='];
/** Words that end an expression: a test's argument written without parentheses stops before them. */
const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'is', 'if', 'else', 'for']);

export class Parser {
  i = 0;
  constructor(private toks: Tok[]) {}

  static expression(src: string, pyEscapes = false): Node {
    const p = new Parser(lex(src, pyEscapes));
    const n = p.expr();
    p.end();
    return n;
  }

  end() {
    if (this.i < this.toks.length) throw new ExprError(`unexpected ${JSON.stringify(this.toks[this.i].v)}`);
  }
  peek(v?: string, ahead = 0) {
    const t = this.toks[this.i + ahead];
    return t && (v === undefined || (t.v === v && (t.t === 'op' || t.t === 'id'))) ? t : undefined;
  }
  take(v: string): boolean {
    if (!this.peek(v)) return false;
    this.i++;
    return true;
  }
  eat(v: string) {
    if (!this.take(v)) throw new ExprError(`expected ${JSON.stringify(v)}${this.toks[this.i] ? ` near ${JSON.stringify(this.toks[this.i].v)}` : ' at end'}`);
  }
  name(what: string): string {
    const t = this.toks[this.i++];
    if (!t || t.t !== 'id') throw new ExprError(`expected ${what}${t ? ` near ${JSON.stringify(t.v)}` : ' at end'}`);
    return t.v;
  }

  expr(): Node {
    const then = this.or();
    if (!this.take('if')) return then;
    const cond = this.or();
    return { k: 'if', cond, then, else: this.take('else') ? this.expr() : undefined };
  }
  or(): Node {
    let l = this.and();
    while (this.take('or')) l = { k: 'or', l, r: this.and() };
    return l;
  }
  and(): Node {
    let l = this.not();
    while (this.take('and')) l = { k: 'and', l, r: this.not() };
    return l;
  }
  not(): Node {
    if (this.peek('not') && !this.peek('in', 1)) {
      this.i++;
      return { k: 'not', v: this.not() };
    }
    return this.compare();
  }
  compare(): Node {
    let l = this.math1();
    for (;;) {
      const op = this.peek()?.t === 'op' || this.peek()?.t === 'id' ? this.peek()!.v : '';
      if (COMPARE.includes(op)) {
        this.i++;
        l = { k: 'bin', op, l, r: this.math1() };
      } else if (op === 'in') {
        this.i++;
        l = { k: 'bin', op: 'in', l, r: this.math1() };
      } else if (op === 'not' && this.peek('in', 1)) {
        this.i += 2;
        l = { k: 'not', v: { k: 'bin', op: 'in', l, r: this.math1() } };
      } else return l;
    }
  }
  binary(ops: string[], next: () => Node): Node {
    let l = next();
    while (this.peek()?.t === 'op' && ops.includes(this.peek()!.v)) {
      const op = this.toks[this.i++].v;
      l = { k: 'bin', op, l, r: next() };
    }
    return l;
  }
  math1 = (): Node => this.binary(['+', '-'], this.concat);
  concat = (): Node => this.binary(['~'], this.math2);
  math2 = (): Node => this.binary(['*', '/', '//', '%'], this.pow);
  pow = (): Node => this.binary(['**'], () => this.unary(true));
  unary(withFilter: boolean): Node {
    let n: Node;
    if (this.peek('-') && this.peek()!.t === 'op') {
      this.i++;
      n = { k: 'neg', v: this.unary(false) };
    } else if (this.peek('+') && this.peek()!.t === 'op') {
      this.i++;
      n = this.unary(false);
    } else n = this.postfix(this.primary());
    return withFilter ? this.filters(n) : n;
  }
  args(close: string): { args: Node[]; kw: Record<string, Node> } {
    const args: Node[] = [];
    const kw: Record<string, Node> = {};
    while (!this.take(close)) {
      if (this.peek()?.t === 'id' && this.peek('=', 1)) {
        const k = this.name('an argument name');
        this.i++;
        kw[k] = this.expr();
      } else if (this.take('*')) args.push({ k: 'splat', v: this.expr() });
      else args.push(this.expr());
      if (!this.peek(close)) this.eat(',');
    }
    return { args, kw };
  }
  postfix(n: Node): Node {
    for (;;) {
      if (this.take('.')) {
        const t = this.toks[this.i++];
        if (!t || (t.t !== 'id' && t.t !== 'num')) throw new ExprError('expected a name after "."');
        n = { k: 'get', obj: n, key: { k: 'lit', v: t.t === 'num' ? Number(t.v) : t.v }, dot: true };
      } else if (this.take('[')) {
        const key = this.peek(':') ? undefined : this.expr();
        if (this.take(':')) {
          // a slice: [from:to:step], each part optional
          const to = this.peek(':') || this.peek(']') ? undefined : this.expr();
          const step = this.take(':') && !this.peek(']') ? this.expr() : undefined;
          this.eat(']');
          n = { k: 'slice', obj: n, from: key, to, step };
          continue;
        }
        this.eat(']');
        n = { k: 'get', obj: n, key: key!, dot: false };
      } else if (this.take('(')) n = { k: 'call', fn: n, ...this.args(')') };
      else return n;
    }
  }
  filters(n: Node): Node {
    for (;;) {
      if (this.take('|')) {
        const { name, full } = this.dotted('a filter name after "|"');
        const { args, kw } = this.take('(') ? this.args(')') : { args: [], kw: {} };
        n = { k: 'filter', v: n, name, ...(full ? { full } : {}), args, kw };
      } else if (this.take('is')) {
        const neg = this.take('not');
        const { name, full } = this.dotted('a test name after "is"');
        let args: Node[] = [];
        let kw: Record<string, Node> = {};
        if (this.take('(')) ({ args, kw } = this.args(')'));
        else {
          // `x is divisibleby 3`, `x is sameas none`: one argument without parentheses
          const t = this.peek();
          if (t && (t.t === 'num' || t.t === 'str' || (t.t === 'id' && !KEYWORDS.has(t.v)) || t.v === '[' || t.v === '{')) args = [this.postfix(this.primary())];
        }
        n = { k: 'test', v: n, name, ...(full ? { full } : {}), args, kw, neg };
      } else return n;
    }
  }
  /** `ansible.builtin.regex_replace`: its last name, and the whole name when it has a namespace. */
  dotted(what: string): { name: string; full?: string } {
    const parts = [this.name(what)];
    while (this.peek('.') && this.peek(undefined, 1)?.t === 'id') {
      this.i++;
      parts.push(this.name(what));
    }
    return { name: parts[parts.length - 1], ...(parts.length > 1 ? { full: parts.join('.') } : {}) };
  }
  primary(): Node {
    const t = this.toks[this.i];
    if (!t) throw new ExprError('expression ends too early');
    this.i++;
    // Jinja2's float literal (`2.0`, `1e3`) stays a float when whole (py-float.ts)
    if (t.t === 'num') return { k: 'lit', v: /[.eE]/.test(t.v) ? pyFloat(Number(t.v)) : Number(t.v) };
    if (t.t === 'str') {
      // adjacent string literals are one, as in Python
      let v = t.v;
      while (this.peek()?.t === 'str') v += this.toks[this.i++].v;
      return { k: 'lit', v };
    }
    if (t.t === 'id') {
      if (t.v === 'true' || t.v === 'True') return { k: 'lit', v: true };
      if (t.v === 'false' || t.v === 'False') return { k: 'lit', v: false };
      if (t.v === 'none' || t.v === 'None' || t.v === 'null') return { k: 'lit', v: null };
      if (KEYWORDS.has(t.v)) throw new ExprError(`unexpected ${JSON.stringify(t.v)}`);
      return { k: 'name', n: t.v };
    }
    if (t.v === '(') {
      // a parenthesised expression, or a tuple (a list here)
      if (this.take(')')) return { k: 'list', items: [] };
      const first = this.expr();
      if (this.take(')')) return first;
      const items = [first];
      while (this.take(',')) if (!this.peek(')')) items.push(this.expr());
      this.eat(')');
      return { k: 'list', items };
    }
    if (t.v === '[') return { k: 'list', items: this.args(']').args };
    if (t.v === '{') {
      const pairs: [Node, Node][] = [];
      while (!this.take('}')) {
        const key = this.expr();
        this.eat(':');
        pairs.push([key, this.expr()]);
        if (!this.peek('}')) this.eat(',');
      }
      return { k: 'dict', pairs };
    }
    throw new ExprError(`unexpected ${JSON.stringify(t.v)}`);
  }
}
