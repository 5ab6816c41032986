// Jinja2 text templates: `{{ expr }}`, `{% if/elif/else %}`, `{% for x in xs [if c] %}` with `loop.*`
// and `{% else %}`, `{% set %}`, `{% raw %}`, `{# comments #}`, `-` whitespace control, and Ansible's
// settings (trim_blocks on: the newline after a statement or comment goes; trailing newlines as Ansible keeps them).
// While validating, a condition or a loop over a value only known at run time (LATER) still checks
// every branch and the loop body once, and makes the whole text LATER.
import { ExprError, LATER, pyStr, truthy, undefinedText } from './expr-error.ts';
import { evalNode, type Scope } from './expr.ts';
import { items } from './jinja-filters.ts';
import { Parser, lex, type Node } from './jinja-parse.ts';

type TNode =
  | { t: 'text'; s: string }
  | { t: 'out'; e: Node; line: number }
  | { t: 'if'; branches: { cond?: Node; body: TNode[] }[]; line: number }
  | { t: 'for'; names: string[]; iter: Node; cond?: Node; body: TNode[]; empty: TNode[]; line: number }
  | { t: 'set'; names: string[]; e: Node; line: number };

/** An error in a template, with the 1-based line of the tag it comes from. */
export class TemplateError extends ExprError {
  constructor(
    message: string,
    readonly line: number,
    /** an undefined variable's Jinja2 text (UndefinedError's), kept through the wrapping */
    readonly jinja?: string,
  ) {
    super(message);
  }
}

export type Tag = { kind: 'text'; s: string } | { kind: '{{' | '{%'; s: string; line: number };

const lineAt = (src: string, i: number) => src.slice(0, i).split('\n').length;

/** End of a tag that starts at `from` (just after its opener): the closer outside strings and brackets (`{{ {'a': {}} }}`). */
function tagEnd(src: string, from: number, closer: string): number {
  let q = '';
  let depth = 0;
  for (let i = from; i < src.length; i++) {
    const c = src[i];
    if (q) {
      if (c === '\\') i++;
      else if (c === q) q = '';
    } else if (c === "'" || c === '"') q = c;
    else if (depth === 0 && src.startsWith(closer, i)) return i;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c) && depth > 0) depth--;
  }
  return -1;
}

/** Splits text into text, `{{ }}` and `{% %}` tags, applying comments, raw blocks and whitespace control. */
export function scan(src: string): Tag[] {
  const out: Tag[] = [];
  let i = 0;
  let stripNext = false; // a `-` before the previous closer: drop the whitespace that follows
  let trimNext = false; // trim_blocks: drop one newline after a statement or comment
  const text = (s: string, stripEnd: boolean) => {
    if (stripNext) s = s.replace(/^\s+/, '');
    else if (trimNext) s = s.replace(/^\r?\n/, '');
    if (stripEnd) s = s.replace(/\s+$/, '');
    if (s) out.push({ kind: 'text', s });
  };
  while (i <= src.length) {
    const open = src.slice(i).search(/\{[{%#]/);
    if (open < 0) {
      text(src.slice(i), false);
      break;
    }
    const at = i + open;
    const kind = src.slice(at, at + 2);
    const minus = src[at + 2] === '-';
    text(src.slice(i, at), minus);
    const closer = kind === '{{' ? '}}' : kind === '{%' ? '%}' : '#}';
    const start = at + 2 + (minus || src[at + 2] === '+' ? 1 : 0);
    const end = kind === '{#' ? src.indexOf('#}', start) : tagEnd(src, start, closer);
    if (end < 0) throw new TemplateError(`${kind} is never closed with ${closer}`, lineAt(src, at));
    const strip = src[end - 1] === '-';
    const body = src.slice(start, strip ? end - 1 : end).trim();
    i = end + 2;
    stripNext = strip;
    trimNext = kind !== '{{';
    if (kind === '{#') continue;
    if (kind === '{%' && /^raw$/.test(body)) {
      const m = /\{%-?\s*endraw\s*-?%\}/.exec(src.slice(i));
      if (!m) throw new TemplateError('{% raw %} is never closed with {% endraw %}', lineAt(src, at));
      text(src.slice(i, i + m.index), m[0][2] === '-');
      stripNext = m[0].at(-3) === '-';
      trimNext = true;
      i += m.index + m[0].length;
      continue;
    }
    out.push({ kind: kind as '{{' | '{%', s: body, line: lineAt(src, at) });
  }
  return out;
}

const UNSUPPORTED = new Set(['macro', 'call', 'include', 'import', 'from', 'extends', 'block', 'filter', 'with', 'autoescape', 'do', 'break', 'continue']);

class TemplateParser {
  i = 0;
  constructor(
    private tags: Tag[],
    private pyEscapes: boolean,
  ) {}

  /** Nodes up to one of the `stops` statements (returned with it), or to the end when `stops` is empty. */
  body(stops: string[]): { nodes: TNode[]; stop?: string; rest?: Parser } {
    const nodes: TNode[] = [];
    while (this.i < this.tags.length) {
      const tag = this.tags[this.i++];
      if (tag.kind === 'text') nodes.push({ t: 'text', s: tag.s });
      else if (tag.kind === '{{') nodes.push({ t: 'out', e: this.expr(tag, tag.s), line: tag.line });
      else {
        const word = /^\w+/.exec(tag.s)?.[0] ?? '';
        const p = this.parser(tag, tag.s.slice(word.length));
        if (stops.includes(word)) return { nodes, stop: word, rest: p };
        nodes.push(this.statement(tag, word, p, stops));
      }
    }
    if (stops.length) throw new ExprError(`expected {% ${stops.filter((s) => s.startsWith('end')).join(' or ')} %} before the end`);
    return { nodes };
  }

  statement(tag: { s: string; line: number }, word: string, p: Parser, outer: string[]): TNode {
    const at = <T>(f: () => T) => this.at(tag, f);
    if (word === 'if') {
      const branches: { cond?: Node; body: TNode[] }[] = [];
      let cond: Node | undefined = at(() => this.whole(p, () => p.expr()));
      for (;;) {
        const b = this.body(['elif', 'else', 'endif']);
        branches.push({ cond, body: b.nodes });
        if (b.stop === 'endif') return { t: 'if', branches, line: tag.line };
        cond = b.stop === 'elif' ? at(() => this.whole(b.rest!, () => b.rest!.expr())) : undefined;
        if (b.stop === 'else') {
          branches.push({ cond: undefined, body: this.body(['endif']).nodes });
          return { t: 'if', branches, line: tag.line };
        }
      }
    }
    if (word === 'for') {
      const { names, iter, cond } = at(() =>
        this.whole(p, () => {
          const names = [p.name('a loop variable')];
          while (p.take(',')) names.push(p.name('a loop variable'));
          p.eat('in');
          const iter = p.or();
          return { names, iter, cond: p.take('if') ? p.expr() : undefined };
        }),
      );
      const b = this.body(['else', 'endfor']);
      const empty = b.stop === 'else' ? this.body(['endfor']).nodes : [];
      return { t: 'for', names, iter, cond, body: b.nodes, empty, line: tag.line };
    }
    if (word === 'set') {
      return at(() =>
        this.whole(p, () => {
          const names = [p.name('a variable name')];
          while (p.take(',')) names.push(p.name('a variable name'));
          p.eat('=');
          return { t: 'set' as const, names, e: p.expr(), line: tag.line };
        }),
      );
    }
    if (/^(end\w+|elif|else)$/.test(word)) throw new TemplateError(`unexpected {% ${word} %}${outer.length ? `: expected ${outer.join(' or ')}` : ''}`, tag.line);
    if (UNSUPPORTED.has(word)) throw new TemplateError(`Jinja2 statement {% ${word} %} is not supported by skiff: expected if, for, set, raw`, tag.line);
    throw new TemplateError(`unknown Jinja2 statement {% ${tag.s} %}: expected if, for, set, raw`, tag.line);
  }

  at<T>(tag: { line: number }, f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof ExprError && !(e instanceof TemplateError)) throw new TemplateError(e.message, tag.line, undefinedText(e));
      throw e;
    }
  }
  whole<T>(p: Parser, f: () => T): T {
    const v = f();
    p.end();
    return v;
  }
  parser(tag: { line: number }, s: string): Parser {
    return this.at(tag, () => new Parser(lex(s, this.pyEscapes)));
  }
  expr(tag: { line: number }, s: string): Node {
    return this.at(tag, () => Parser.expression(s, this.pyEscapes));
  }
}

/** `pyEscapes`: Python escapes in string literals, as in template files (see lex()). */
export function parseTemplate(src: string, pyEscapes = false): TNode[] {
  return new TemplateParser(scan(src), pyEscapes).body([]).nodes;
}

/** How a value reads in text: Ansible renders None as ''. */
function text(v: unknown): string {
  return v === null || v === undefined ? '' : pyStr(v);
}

export interface OutputOptions {
  /** a template file: Python escapes in string literals (values in playbooks have none, as in Ansible) */
  pyEscapes?: boolean;
  /** applied to every `{{ }}` value (shell quoting of command params); the template's own text is kept */
  each?: (s: string) => string;
}

/** Renders parsed template nodes: the text, or LATER when any part depends on a run-time value. */
export function renderNodes(nodes: TNode[], scope: Scope, opts: OutputOptions = {}): string | typeof LATER {
  let later = false;
  const frame = new Map<string, unknown>();
  const local = (outer: Scope, f: Map<string, unknown>): Scope => (n) => (f.has(n) ? { found: true, value: f.get(n) } : outer(n));
  const ev = (e: Node, s: Scope, line: number) => {
    try {
      return evalNode(e, s);
    } catch (err) {
      if (err instanceof ExprError && !(err instanceof TemplateError)) throw new TemplateError(err.message, line, undefinedText(err));
      throw err;
    }
  };
  const run = (ns: TNode[], s: Scope, f: Map<string, unknown>): string => {
    let out = '';
    for (const n of ns) {
      if (n.t === 'text') out += n.s;
      else if (n.t === 'out') {
        const v = ev(n.e, s, n.line);
        if (v === LATER) later = true;
        else out += opts.each ? opts.each(text(v)) : text(v);
      } else if (n.t === 'set') {
        const v = ev(n.e, s, n.line);
        if (n.names.length === 1) f.set(n.names[0], v);
        else n.names.forEach((name, i) => f.set(name, v === LATER ? LATER : unpack(v, n.names.length, n.line)[i]));
      } else if (n.t === 'if') {
        for (const b of n.branches) {
          const c = b.cond ? ev(b.cond, s, n.line) : true;
          if (c === LATER) {
            // every branch is checked, the conditions after this one too; none is chosen
            later = true;
            for (const x of n.branches.slice(n.branches.indexOf(b) + 1)) if (x.cond) ev(x.cond, s, n.line);
            for (const x of n.branches) run(x.body, s, f);
            break;
          }
          if (truthy(c)) {
            out += run(b.body, s, f);
            break;
          }
        }
      } else {
        const seq = ev(n.iter, s, n.line);
        if (seq === LATER) {
          later = true;
          const inner = new Map<string, unknown>(n.names.map((name) => [name, LATER]));
          inner.set('loop', LATER);
          if (n.cond) ev(n.cond, local(s, inner), n.line);
          run(n.body, local(s, inner), inner);
          run(n.empty, s, f);
          continue;
        }
        const all = items(seq, 'a {% for %} over this value');
        const bind = (x: unknown): Map<string, unknown> => new Map(n.names.length === 1 ? [[n.names[0], x]] : n.names.map((name, i) => [name, unpack(x, n.names.length, n.line)[i]]));
        const kept = n.cond ? all.filter((x) => truthy(ev(n.cond!, local(s, bind(x)), n.line))) : all;
        if (kept.some((x) => x === LATER)) later = true;
        kept.forEach((x, i) => {
          const inner = bind(x);
          const length = kept.length;
          inner.set('loop', { index: i + 1, index0: i, revindex: length - i, revindex0: length - i - 1, first: i === 0, last: i === length - 1, length, previtem: kept[i - 1], nextitem: kept[i + 1] });
          out += run(n.body, local(s, inner), inner);
        });
        if (!kept.length) out += run(n.empty, s, f);
      }
    }
    return out;
  };
  const out = run(nodes, local(scope, frame), frame);
  return later ? LATER : out;
}

function unpack(v: unknown, n: number, line: number): unknown[] {
  if (Array.isArray(v) && v.length === n) return v;
  throw new TemplateError(`cannot unpack ${pyStr(v)} into ${n} names`, line);
}

/**
 * As Ansible renders: Jinja2 drops one trailing newline of the source (keep_trailing_newline off), then
 * Ansible adds back as many as the output lacks against the source's count (preserve_trailing_newlines):
 * the same text unless what ends the template already ends in newlines (`{{ x | to_nice_yaml }}` last).
 */
export function renderText(src: string, scope: Scope, opts: OutputOptions = {}): string | typeof LATER {
  const out = renderNodes(parseTemplate(src.replace(/\n$/, ''), opts.pyEscapes), scope, opts);
  if (out === LATER) return out;
  const want = trailingNewlines(src) - trailingNewlines(out);
  return want > 0 ? out + '\n'.repeat(want) : out;
}

const trailingNewlines = (s: string) => s.length - s.replace(/\n+$/, '').length;
