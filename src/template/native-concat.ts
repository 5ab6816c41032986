// Ansible's jinja2_native mode (DEFAULT_JINJA2_NATIVE: [defaults] jinja2_native, ANSIBLE_JINJA2_NATIVE):
// a template's result is ansible_native_concat's (template/native_helpers.py) instead of
// ansible_eval_concat's. One output node keeps its value as it is (a datetime, None, a number); a text
// value, or several nodes joined as text, is ast.literal_eval'd, a string result keeping its quotes
// (`'{{ i_two }}'` is "'2'"); a STRING_TYPE_FILTERS filter's text (NativeJinjaText) is kept as text.
// Unlike the default finalize, None is not made '' (the native environment's finalize only fails on
// an undefined value). A setting of the run, as Ansible's is a constant of its process: set once by the
// CLI (cli/settings.ts) before any template is rendered.
import { evalNode, LATER, type Scope } from './expr.ts';
import { isPyObject, Undef, UndefinedError } from './expr-error.ts';
import { Parser, type Node } from './jinja-parse.ts';
import { renderText, scan } from './jinja-template.ts';
import { UNDEFINED_ITEM } from './jinja-filters.ts';
import { NATIVE, textBits, tracked } from './unsafe.ts';
import { pyLiteral } from '../inventory/py-literal.ts';

let native = false;

export function setJinja2Native(on: boolean): void {
  native = on;
}

export const jinja2Native = (): boolean => native;

/**
 * A string template rendered as Ansible's native environment renders it (Templar.template: the
 * SINGLE_VAR shortcut, then do_template with ansible_native_concat).
 */
export function renderNative(s: string, scope: Scope, text: { bits: number } = { bits: 0 }): unknown {
  const tags = scan(s);
  // Jinja2 drops one trailing newline of the source: `{{ x }}\n` is one node too
  const body = tags.length === 2 && tags[1].kind === 'text' && tags[1].s === '\n' ? tags.slice(0, 1) : tags;
  if (body.length === 1 && body[0].kind === '{{') {
    // Templar.template's shortcut: exactly `{{ name }}` of a defined var that is None is None
    const only = /^\{\{\s*(\w*)\s*\}\}\n?$/.exec(s);
    if (only) {
      const found = scope(only[1]);
      if (found.found && found.value === null) return null;
    }
    const node = Parser.expression(body[0].s);
    const { value: v, taint } = tracked(() => evalNode(node, scope));
    if (v === LATER) return v;
    failOnUndefined(v, s);
    // the one node's value as it is: its strings keep their class (unsafe.ts textBits)
    const bits = textBits(node, taint);
    if (typeof v !== 'string') {
      text.bits = bits;
      return v;
    }
    // a NativeJinjaText is kept as text; a string literal_eval reads as one is a new str, `'{quote}{v}{quote}'`
    const out = bits & NATIVE || templateLookupText(node) ? v : nativeLiteral(v);
    const kept = withNewlines(out, s);
    // text that is no literal is kept as it is, class and all; `res += '\n'` makes a str
    if (kept === v) text.bits = bits & NATIVE || templateLookupText(node) ? NATIVE : bits;
    return kept;
  }
  const native = { nodes: 0 };
  const out = renderText(s, scope, { native });
  if (out === LATER) return out;
  // no output node at all (`{% if false %}x{% endif %}`): None
  if (native.nodes === 0) return null;
  return nativeText(out, s);
}

/**
 * ansible_native_concat of renderText's text of `src`. renderText has already put back the source's
 * trailing newlines: literal_eval sees Jinja2's own output (one fewer), and a text result gets them
 * back (preserve_trailing_newlines).
 */
export function nativeText(out: string, src: string): unknown {
  const jinja = out.endsWith('\n') && src.endsWith('\n') ? out.slice(0, -1) : out;
  return withNewlines(nativeLiteral(jinja), src);
}

/**
 * ansible_native_concat's last step on text: ast.literal_eval of it (Python's own literals: `true`
 * and `yes` stay text), a string result in the quote the text starts with; text that is no literal,
 * or starts indented (Python's IndentationError), stays as it is.
 */
export function nativeLiteral(text: string): unknown {
  if (/^(?:[ \t]*(?:#[^\n]*)?\n)*[ \t]+[^\s#]/.test(text)) return text;
  const v = pyLiteral(text);
  // pyLiteral gives the text back when it is no literal; a string literal's value is always shorter
  if (typeof v !== 'string' || v === text) return v;
  const quote = text[0];
  return `${quote}${v}${quote}`;
}

/**
 * `lookup('template', ...)`: in native mode its text is NativeJinjaText (kept as text) unless the lookup
 * itself renders natively (`jinja2_native=true`) and converts data (plugins/lookup/template.py)
 */
function templateLookupText(n: Node): boolean {
  if (n.k !== 'call' || n.fn.k !== 'name' || !['lookup', 'ansible.builtin.lookup'].includes(n.fn.n)) return false;
  const plugin = n.args[0];
  if (plugin?.k !== 'lit' || !['template', 'ansible.builtin.template'].includes(String(plugin.v))) return false;
  const isTrue = (k: string) => n.kw[k]?.k === 'lit' && n.kw[k].v === true;
  const isFalse = (k: string) => n.kw[k]?.k === 'lit' && n.kw[k].v === false;
  return !isTrue('jinja2_native') || isFalse('convert_data');
}

/** preserve_trailing_newlines: a text result ends in as many newlines as the source does. */
function withNewlines(v: unknown, src: string): unknown {
  if (typeof v !== 'string') return v;
  const want = trailing(src) - trailing(v);
  return want > 0 ? v + '\n'.repeat(want) : v;
}

const trailing = (s: string) => s.length - s.replace(/\n+$/, '').length;

/** The native environment's finalize (_fail_on_undefined): an undefined value at any depth fails. */
function failOnUndefined(v: unknown, s: string): void {
  if (v instanceof Undef) throw new UndefinedError(v.message, v.jinja);
  if (holdsUndefined(v)) {
    const jinja = (v as { [UNDEFINED_ITEM]?: string })[UNDEFINED_ITEM] ?? 'an item of the value is undefined';
    throw new UndefinedError(`an item of ${s} is undefined: ${jinja}`, jinja);
  }
}

function holdsUndefined(v: unknown): boolean {
  if (Array.isArray(v)) return v.some((x) => x === undefined || x instanceof Undef || holdsUndefined(x));
  if (v && typeof v === 'object' && !isPyObject(v)) return Object.values(v).some((x) => x === undefined || x instanceof Undef || holdsUndefined(x));
  return false;
}
