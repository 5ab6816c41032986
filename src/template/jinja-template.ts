// Jinja2 text templates: `{{ expr }}`, `{% if/elif/else %}`, `{% for x in xs [if c] %}` with `loop.*`
// and `{% else %}`, `{% set %}`, `{% raw %}`, `{% macro %}`, `{% include %}`, `{% import %}`, `{% from %}`,
// `{# comments #}`, `-`/`+` whitespace control, and the environment's settings (Syntax: delimiters,
// trim_blocks as Ansible has it on, lstrip_blocks, newline_sequence, line_statement_prefix).
// While validating, a condition or a loop over a value only known at run time (LATER) still checks
// every branch and the loop body once, and makes the whole text LATER.
import { Callable, ExprError, isNamespace, LATER, LATER_AS_TEXT, pyStr, truthy, Undef, undefinedText } from './expr-error.ts';
import { evalNode, type Scope } from './expr.ts';
import { items } from './jinja-filters.ts';
import { Parser, lex, type Node } from './jinja-parse.ts';
import { NATIVE, textBits, tracked } from './unsafe.ts';

type TNode =
  | { t: 'text'; s: string }
  | { t: 'out'; e: Node; line: number }
  | { t: 'if'; branches: { cond?: Node; body: TNode[] }[]; line: number }
  | { t: 'for'; names: string[]; iter: Node; cond?: Node; body: TNode[]; empty: TNode[]; line: number }
  /** `attr`: `{% set ns.attr = e %}`, an attribute of the namespace names[0] */
  | { t: 'set'; names: string[]; attr?: string; e: Node; line: number }
  | { t: 'macro'; name: string; params: { name: string; def?: Node }[]; body: TNode[]; line: number }
  /** `include`, `import ... as`, `from ... import`: another template, found by the render's loader */
  | { t: 'include'; src: Node; ignoreMissing: boolean; context: boolean; line: number }
  | { t: 'import'; src: Node; as: string; context: boolean; line: number }
  | { t: 'from'; src: Node; names: [string, string][]; context: boolean; line: number }
  /** `{% block %}`: its body here, unless a template that extends this one has its own */
  | { t: 'block'; name: string; body: TNode[]; line: number }
  /** `{% extends %}`: the rest of this template is its blocks, put in the other one's */
  | { t: 'extends'; src: Node; line: number };

/** An error in a template, with the 1-based line of the tag it comes from. */
export class TemplateError extends ExprError {
  constructor(
    message: string,
    readonly line: number,
    /** an undefined variable's Jinja2 text (UndefinedError's), kept through the wrapping */
    readonly jinja?: string,
    /** the expression's own error it wraps (a filter's, a Python exception): what the task's failure says */
    readonly origin?: ExprError,
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

/**
 * The Jinja2 environment settings a template may change (the template module's options, a `#jinja2:`
 * first line): delimiters, trim_blocks, lstrip_blocks, line_statement_prefix, newline_sequence.
 * Ansible's environment has trim_blocks on.
 */
export interface Syntax {
  block_start_string: string;
  block_end_string: string;
  variable_start_string: string;
  variable_end_string: string;
  comment_start_string: string;
  comment_end_string: string;
  trim_blocks: boolean;
  lstrip_blocks: boolean;
  line_statement_prefix?: string;
  newline_sequence: string;
}

export const ANSIBLE_SYNTAX: Syntax = {
  block_start_string: '{%',
  block_end_string: '%}',
  variable_start_string: '{{',
  variable_end_string: '}}',
  comment_start_string: '{#',
  comment_end_string: '#}',
  trim_blocks: true,
  lstrip_blocks: false,
  newline_sequence: '\n',
};

const reEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Splits text into text, `{{ }}` and `{% %}` tags (kinds named by the default delimiters whatever the
 * syntax's are), applying comments, raw blocks, whitespace control, trim_blocks and lstrip_blocks as
 * Jinja2's lexer does.
 */
export function scan(src: string, syn: Syntax = ANSIBLE_SYNTAX): Tag[] {
  const out: Tag[] = [];
  // longest opener first where two start at the same place, as Jinja2 orders its rules
  const openers = (
    [
      ['{{', syn.variable_start_string, syn.variable_end_string],
      ['{%', syn.block_start_string, syn.block_end_string],
      ['{#', syn.comment_start_string, syn.comment_end_string],
    ] as const
  ).slice().sort((a, b) => b[1].length - a[1].length);
  const lineStmt = syn.line_statement_prefix ? new RegExp(`(?:^|(?<=\\n))[ \\t\\v]*${reEscape(syn.line_statement_prefix)}`, 'g') : undefined;
  const endraw = new RegExp(`${reEscape(syn.block_start_string)}([-+]?)\\s*endraw\\s*(-?)${reEscape(syn.block_end_string)}`);
  let i = 0;
  let stripNext = false; // a `-` before the previous closer: drop the whitespace that follows
  let trimNext = false; // trim_blocks: drop one newline after a statement or comment
  let lineStarting = true; // what follows begins a line (Jinja2's line_starting, for lstrip_blocks)
  const text = (s: string, stripEnd: boolean, lstrip = false) => {
    const before = s;
    if (stripNext) s = s.replace(/^\s+/, '');
    else if (trimNext) s = s.replace(/^\r?\n/, '');
    const starts = lineStarting || (before !== s && /\n$/.test(before.slice(0, before.length - s.length)));
    if (stripEnd) s = s.replace(/\s+$/, '');
    else if (lstrip) {
      // the spaces before a statement or comment alone at the start of its line go
      const lineAt = s.lastIndexOf('\n') + 1;
      if ((lineAt > 0 || starts) && /^[ \t]*$/.test(s.slice(lineAt))) s = s.slice(0, lineAt);
    }
    if (syn.newline_sequence !== '\n') s = s.replace(/\n/g, syn.newline_sequence);
    if (s) out.push({ kind: 'text', s });
  };
  while (i <= src.length) {
    let at = -1;
    let which: (typeof openers)[number] | undefined;
    for (const o of openers) {
      const k = src.indexOf(o[1], i);
      if (k >= 0 && (at < 0 || k < at)) [at, which] = [k, o];
    }
    if (lineStmt) {
      lineStmt.lastIndex = i;
      const m = lineStmt.exec(src);
      if (m && (at < 0 || m.index < at)) {
        // `PREFIX statement` on a line of its own: the line, its newline too, is that statement
        text(src.slice(i, m.index), false);
        const eol = src.indexOf('\n', m.index);
        const end = eol < 0 ? src.length : eol;
        out.push({ kind: '{%', s: src.slice(m.index + m[0].length, end).trim(), line: lineAt(src, m.index) });
        i = end + 1;
        [stripNext, trimNext, lineStarting] = [false, false, true];
        continue;
      }
    }
    if (!which) {
      text(src.slice(i), false);
      break;
    }
    const [kind, opener, closer] = which;
    const mark = src[at + opener.length];
    const minus = mark === '-';
    text(src.slice(i, at), minus, kind !== '{{' && mark !== '+' && syn.lstrip_blocks);
    const start = at + opener.length + (minus || mark === '+' ? 1 : 0);
    const end = kind === '{#' ? src.indexOf(closer, start) : tagEnd(src, start, closer);
    if (end < 0) throw new TemplateError(`${opener} is never closed with ${closer}`, lineAt(src, at));
    const strip = src[end - 1] === '-';
    const keep = src[end - 1] === '+';
    const body = src.slice(start, strip || keep ? end - 1 : end).trim();
    i = end + closer.length;
    stripNext = strip;
    trimNext = kind !== '{{' && !keep && syn.trim_blocks;
    lineStarting = false;
    if (kind === '{#') continue;
    if (kind === '{%' && /^raw$/.test(body)) {
      const m = endraw.exec(src.slice(i));
      if (!m) throw new TemplateError(`${opener} raw ${closer} is never closed with ${opener} endraw ${closer}`, lineAt(src, at));
      text(src.slice(i, i + m.index), m[1] === '-');
      stripNext = m[2] === '-';
      trimNext = syn.trim_blocks;
      i += m.index + m[0].length;
      continue;
    }
    out.push({ kind, s: body, line: lineAt(src, at) });
  }
  return out;
}

const UNSUPPORTED = new Set(['call', 'filter', 'with', 'autoescape', 'do', 'break', 'continue']);

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
          // Jinja2's parse_assign_target(with_namespace=True): `ns.attr`, alone
          const attr = p.take('.') ? p.name('an attribute name') : undefined;
          while (!attr && p.take(',')) names.push(p.name('a variable name'));
          p.eat('=');
          return { t: 'set' as const, names, attr, e: p.expr(), line: tag.line };
        }),
      );
    }
    if (word === 'macro') {
      const head = at(() =>
        this.whole(p, () => {
          const name = p.name('a macro name');
          const params: { name: string; def?: Node }[] = [];
          p.eat('(');
          while (!p.take(')')) {
            const param = p.name('a macro parameter');
            params.push({ name: param, def: p.take('=') ? p.expr() : undefined });
            if (!p.peek(')')) p.eat(',');
          }
          return { name, params };
        }),
      );
      return { t: 'macro', ...head, body: this.body(['endmacro']).nodes, line: tag.line };
    }
    if (word === 'include') {
      return at(() =>
        this.whole(p, () => {
          const src = p.expr();
          const ignoreMissing = p.take('ignore') ? (p.eat('missing'), true) : false;
          return { t: 'include' as const, src, ignoreMissing, context: this.context(p, true), line: tag.line };
        }),
      );
    }
    if (word === 'import') {
      return at(() =>
        this.whole(p, () => {
          const src = p.expr();
          p.eat('as');
          return { t: 'import' as const, src, as: p.name('a name after "as"'), context: this.context(p, false), line: tag.line };
        }),
      );
    }
    if (word === 'from') {
      return at(() =>
        this.whole(p, () => {
          const src = p.expr();
          p.eat('import');
          const names: [string, string][] = [];
          do {
            if (p.peek('with') || p.peek('without')) break;
            const name = p.name('a name to import');
            names.push([name, p.take('as') ? p.name('a name after "as"') : name]);
          } while (p.take(','));
          return { t: 'from' as const, src, names, context: this.context(p, false), line: tag.line };
        }),
      );
    }
    if (word === 'block') {
      // `scoped` and `required` change nothing a template without super() or an abstract parent can see
      const name = at(() => this.whole(p, () => {
        const n = p.name('a block name');
        while (p.take('scoped') || p.take('required'));
        return n;
      }));
      return { t: 'block', name, body: this.body(['endblock']).nodes, line: tag.line };
    }
    if (word === 'extends') return at(() => this.whole(p, () => ({ t: 'extends' as const, src: p.expr(), line: tag.line })));
    if (/^(end\w+|elif|else)$/.test(word)) throw new TemplateError(`unexpected {% ${word} %}${outer.length ? `: expected ${outer.join(' or ')}` : ''}`, tag.line);
    if (UNSUPPORTED.has(word)) throw new TemplateError(`Jinja2 statement {% ${word} %} is not supported by skiff: expected if, for, set, raw, macro, include, import, from, block, extends`, tag.line);
    throw new TemplateError(`unknown Jinja2 statement {% ${tag.s} %}: expected if, for, set, raw, macro, include, import, from, block, extends`, tag.line);
  }

  /** `with context` / `without context` after an include or import, else its default */
  context(p: Parser, dflt: boolean): boolean {
    if (p.take('with')) return (p.eat('context'), true);
    if (p.take('without')) return (p.eat('context'), false);
    return dflt;
  }

  at<T>(tag: { line: number }, f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof ExprError && !(e instanceof TemplateError)) throw new TemplateError(e.message, tag.line, undefinedText(e), e);
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
export function parseTemplate(src: string, pyEscapes = false, syntax: Syntax = ANSIBLE_SYNTAX): TNode[] {
  return new TemplateParser(scan(src, syntax), pyEscapes).body([]).nodes;
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
  /** the Jinja2 settings (the template module's options); Ansible's defaults if not given */
  syntax?: Syntax;
  /** the text of another template `{% include %}`, `{% import %}` or `{% from %}` names, or undefined if there is none */
  load?: (name: string) => string | undefined;
  /**
   * jinja2_native (native-concat.ts): None reads 'None' (the native finalize keeps it), and `nodes`
   * counts the output nodes, for ansible_native_concat's None when there is none
   */
  native?: { nodes: number };
  /**
   * Set to the number of nodes the render yielded (text that is not empty, each `{{ }}`) and whether the
   * last was a NativeJinjaText (a STRING_TYPE_FILTERS filter's): ansible_eval_concat keeps one such node's NativeJinjaText as
   * it is, whatever `{% if %}` and whitespace control were around it (a variable holding one too)
   */
  emitted?: { nodes: number; native: boolean };
}

/** Renders parsed template nodes: the text, or LATER when any part depends on a run-time value. */
/** A value's text, or LATER when a value known only at run time is in it (validating). */
function asText(v: unknown): string | typeof LATER {
  try {
    return text(v);
  } catch (e) {
    if (e === LATER_AS_TEXT) return LATER;
    throw e;
  }
}

export function renderNodes(nodes: TNode[], scope: Scope, opts: OutputOptions = {}): string | typeof LATER {
  let later = false;
  const local = (outer: Scope, f: Map<string, unknown>): Scope => (n) => (f.has(n) ? { found: true, value: f.get(n) } : outer(n));
  // what a template imported without context sees: no variables, only the globals (lookup, range...)
  const bare: Scope = () => ({ found: false, names: [] });
  const parsed = new Map<string, TNode[]>();
  const ev = (e: Node, s: Scope, line: number) => {
    try {
      return evalNode(e, s);
    } catch (err) {
      if (err instanceof ExprError && !(err instanceof TemplateError)) throw new TemplateError(err.message, line, undefinedText(err), err);
      throw err;
    }
  };
  /** Another template's nodes, loaded and parsed once; undefined when it is missing and that is allowed. */
  const other = (n: { src: Node; line: number }, s: Scope, missingOk = false): TNode[] | undefined | typeof LATER => {
    const name = ev(n.src, s, n.line);
    if (name === LATER) return LATER;
    if (typeof name !== 'string') throw new TemplateError(`expected a template name, got ${pyStr(name)}`, n.line);
    if (!parsed.has(name)) {
      const src = opts.load?.(name);
      if (src === undefined) {
        if (missingOk) return undefined;
        throw new TemplateError(`template ${JSON.stringify(name)} not found${opts.load ? '' : ': a string value cannot include other templates'}`, n.line);
      }
      try {
        // each template loses one trailing newline (keep_trailing_newline off)
        parsed.set(name, parseTemplate(lines(src), opts.pyEscapes, opts.syntax));
      } catch (e) {
        if (e instanceof TemplateError) throw new TemplateError(`${name}:${e.line}: ${e.message}`, n.line, e.jinja, e.origin);
        throw e;
      }
    }
    return parsed.get(name)!;
  };
  /** A template rendered as a module: its top-level variables and macros (not `_private` ones). */
  const module = (ns: TNode[], s: Scope): Record<string, unknown> => {
    const f = new Map<string, unknown>();
    run(ns, local(s, f), f);
    return Object.fromEntries([...f].filter(([k]) => !k.startsWith('_')));
  };
  // the blocks of the templates that extend the one being rendered: the nearest one's wins
  const overrides = new Map<string, TNode[]>();
  const collect = (ns: TNode[]) => {
    for (const n of ns) if (n.t === 'block') {
      if (!overrides.has(n.name)) overrides.set(n.name, n.body);
      collect(n.body);
    }
  };
  const run = (ns: TNode[], s: Scope, f: Map<string, unknown>): string => {
    let out = '';
    for (const n of ns) {
      if (n.t === 'text') {
        out += n.s;
        if (opts.native && n.s) opts.native.nodes++;
        if (opts.emitted && n.s) Object.assign(opts.emitted, { nodes: opts.emitted.nodes + 1, native: false });
      }
      else if (n.t === 'block') out += run(overrides.get(n.name) ?? n.body, s, f);
      else if (n.t === 'extends') {
        // what follows is blocks for the other template; its own text outside them is not shown (Jinja2's)
        const parent = other(n, s);
        if (parent === LATER) {
          later = true;
          return out;
        }
        collect(ns);
        return out + run(parent!, s, f);
      }
      else if (n.t === 'out') {
        const { value: v, taint } = tracked(() => ev(n.e, s, n.line));
        // a list or map with a value known at run time in it (validating) is text known then too
        const shown = v === LATER ? LATER : asText(v);
        if (opts.emitted) Object.assign(opts.emitted, { nodes: opts.emitted.nodes + 1, native: typeof v === 'string' && (textBits(n.e, taint) & NATIVE) !== 0 });
        if (shown === LATER) later = true;
        else if (opts.native) {
          opts.native.nodes++;
          out += v === null ? 'None' : shown;
        } else out += opts.each ? opts.each(shown) : shown;
      } else if (n.t === 'set') {
        const v = ev(n.e, s, n.line);
        if (n.attr !== undefined) {
          const ns = ev({ k: 'name', n: n.names[0] }, s, n.line);
          if (ns === LATER) later = true;
          else if (!isNamespace(ns)) throw new TemplateError('cannot assign attribute on non-namespace object', n.line);
          else ns[n.attr] = v;
        } else if (n.names.length === 1) f.set(n.names[0], v);
        else n.names.forEach((name, i) => f.set(name, v === LATER ? LATER : unpack(v, n.names.length, n.line)[i]));
      } else if (n.t === 'macro') {
        // names free in the body are read where the macro was defined, when it is called
        f.set(
          n.name,
          new Callable(n.name, (args, kw) => {
            if (args.length > n.params.length) throw new ExprError(`macro '${n.name}' takes not more than ${n.params.length} argument(s)`);
            const inner = new Map<string, unknown>();
            n.params.forEach((p, i) => {
              if (i < args.length) inner.set(p.name, args[i]);
              else if (Object.hasOwn(kw, p.name)) inner.set(p.name, kw[p.name]);
              else inner.set(p.name, p.def ? ev(p.def, s, n.line) : new Undef(`macro '${n.name}' was called without ${p.name}`, false, `'${p.name}' is undefined`));
            });
            const extra = Object.keys(kw).filter((k) => !n.params.some((p) => p.name === k));
            if (extra.length) throw new ExprError(`macro '${n.name}' takes no keyword argument '${extra[0]}'`);
            return run(n.body, local(s, inner), inner);
          }),
        );
      } else if (n.t === 'include') {
        const ns2 = other(n, s, n.ignoreMissing);
        if (ns2 === LATER) later = true;
        else if (ns2) {
          const inner = new Map<string, unknown>();
          out += run(ns2, local(n.context ? s : bare, inner), inner);
        }
      } else if (n.t === 'import' || n.t === 'from') {
        const ns2 = other(n, s);
        if (ns2 === LATER) {
          later = true;
          if (n.t === 'import') f.set(n.as, LATER);
          else for (const [, as] of n.names) f.set(as, LATER);
          continue;
        }
        const m = module(ns2!, n.context ? s : bare);
        if (n.t === 'import') f.set(n.as, m);
        else
          for (const [name, as] of n.names) {
            if (!Object.hasOwn(m, name)) throw new TemplateError(`the template ${pyStr(ev(n.src, s, n.line))} (imported on this line) does not export the requested name '${name}'`, n.line);
            f.set(as, m[name]);
          }
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
  const frame = new Map<string, unknown>();
  const out = run(nodes, local(scope, frame), frame);
  return later ? LATER : out;
}

function unpack(v: unknown, n: number, line: number): unknown[] {
  if (Array.isArray(v) && v.length === n) return v;
  throw new TemplateError(`cannot unpack ${pyStr(v)} into ${n} names`, line);
}

/**
 * A first line `#jinja2: key: value, ...` changes the settings for this template (Ansible's
 * JINJA2_OVERRIDE): values are Python literals; a pair without a colon is Ansible's error.
 */
export function templateOverrides(src: string, syntax: Syntax): { src: string; syntax: Syntax } {
  if (!src.startsWith('#jinja2:')) return { src, syntax };
  const eol = src.indexOf('\n');
  // Python's data[eol + 1:] with eol -1 (no newline) keeps the whole text
  const line = src.slice('#jinja2:'.length, eol < 0 ? -1 : eol);
  const out: Syntax = { ...syntax };
  for (const pair of line.split(',')) {
    if (!pair.includes(':')) throw new TemplateError(`failed to parse jinja2 override '${pair.trim()}'. Did you use something different from colon as key-value separator?`, 1);
    const key = pair.slice(0, pair.indexOf(':')).trim();
    const raw = pair.slice(pair.indexOf(':') + 1).trim();
    if (!Object.hasOwn(ANSIBLE_SYNTAX, key) && key !== 'line_statement_prefix')
      throw new TemplateError(`jinja2 override ${key} is not supported by skiff: expected one of ${[...Object.keys(ANSIBLE_SYNTAX), 'line_statement_prefix'].join(', ')}`, 1);
    const lit = /^'((?:[^'\\]|\\.)*)'$|^"((?:[^"\\]|\\.)*)"$/.exec(raw);
    const value = lit ? (lit[1] ?? lit[2]).replace(/\\(.)/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c) : raw === 'True' ? true : raw === 'False' ? false : undefined;
    if (value === undefined || typeof value !== typeof (ANSIBLE_SYNTAX[key as keyof Syntax] ?? '')) throw new TemplateError(`failed to parse jinja2 override ${key}: expected a quoted string, True or False, got ${raw}`, 1);
    (out as unknown as Record<string, unknown>)[key] = value;
  }
  return { src: src.slice(eol + 1), syntax: out };
}

/**
 * As Ansible renders: Jinja2 drops one trailing newline of the source (keep_trailing_newline off), then
 * Ansible adds back as many as the output lacks against the source's count (preserve_trailing_newlines),
 * in the newline_sequence: the same text unless what ends the template already ends in newlines
 * (`{{ x | to_nice_yaml }}` last).
 */
export function renderText(src: string, scope: Scope, opts: OutputOptions = {}): string | typeof LATER {
  const { src: body, syntax } = templateOverrides(src, opts.syntax ?? ANSIBLE_SYNTAX);
  const out = renderNodes(parseTemplate(lines(body), opts.pyEscapes, syntax), scope, { ...opts, syntax });
  if (out === LATER) return out;
  const want = trailingNewlines(src) - trailingNewlines(out);
  return want > 0 ? out + syntax.newline_sequence.repeat(want) : out;
}

/** As Jinja2's lexer reads a source: every line end a \\n, the last one dropped (keep_trailing_newline off). */
const lines = (src: string) => src.replace(/\r\n?/g, '\n').replace(/\n$/, '');

const trailingNewlines = (s: string) => s.length - s.replace(/\n+$/, '').length;
