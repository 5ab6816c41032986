// Jinja2 in strings, as Ansible's default (non-native) templating makes them: a string that is exactly
// one `{{ expr }}` keeps a list, a map or a boolean, and a variable's own number (`port: "{{ grpc_port }}"`
// stays a number: Templar.template's shortcut); any other value is text, statements and all (jinja-template.ts).
import { evalNode, evaluate, ExprError, LATER, registerScopedLookup, registerTermRenderer, type Scope } from './expr.ts';
import { Parser, type Node } from './jinja-parse.ts';
import { pyLiteral } from '../inventory/py-literal.ts';
import { templateLookup } from '../lookup/template-lookup.ts';
import { isPyObject, PluginError, pyStr, PyException, UndefinedError, undefinedText } from './expr-error.ts';
import { renderText, scan, TemplateError } from './jinja-template.ts';
import { UNDEFINED_ITEM } from './jinja-filters.ts';
import { UnknownPlugin } from './py-plugins.ts';
import { literalText, markUnsafe, NATIVE, STRING_TYPE_FILTERS, textBits, textNote, tracked, UNSAFE, varTaint, YAML_TEXT } from './unsafe.ts';
import { jinja2Native, renderNative } from './native-concat.ts';
import { PyFloat } from './py-float.ts';

export type Path = (string | number)[];
export interface RenderProblem {
  path: Path;
  message: string;
  /** an undefined variable, key or item: Jinja2's text of it (UndefinedError), known for sure only at run time */
  undefinedVar?: string;
  /** a test's or filter's own error (PluginError): Ansible's text of it, the task's failure when it runs */
  pluginError?: string;
  /** a Python exception's last traceback line (PyException): the task's `exception` when it runs */
  exception?: string;
  /** an AnsibleError of the templar (not a module's): in a loop it fails the whole task, as an undefined variable does */
  wholeTask?: boolean;
}

export interface RenderOptions {
  /** quote each expanded value for a POSIX shell (params that end up in a remote command) */
  shell?: boolean;
  /**
   * Set to the class of the strings the result is or holds (unsafe.ts TEXT_CLASS bits: type_debug's
   * NativeJinjaText, AnsibleUnicode). The text given is YAML's (an AnsibleUnicode) where it is kept as it is.
   */
  text?: { bits: number };
}

registerScopedLookup('template', templateLookup);
registerTermRenderer((s, scope) => renderString(s, scope));

export function hasTemplate(s: string): boolean {
  return /\{[{%#]/.test(s);
}

export function renderString(s: string, scope: Scope, opts: RenderOptions = {}): unknown {
  const text = opts.text ?? { bits: 0 };
  text.bits = 0;
  if (!hasTemplate(s)) {
    text.bits = YAML_TEXT;
    return s;
  }
  // `!unsafe` text: itself, and what reads it is unsafe (Templar.template returns an unsafe value as it is)
  const unsafe = literalText(s);
  if (unsafe !== undefined) {
    markUnsafe();
    return unsafe;
  }
  // jinja2_native: ansible_native_concat instead of ansible_eval_concat (native-concat.ts)
  if (jinja2Native() && !opts.shell) return renderNative(s, scope, text);
  const tags = scan(s);
  if (tags.length === 1 && tags[0].kind === '{{' && /^\{\{[^]*\}\}$/.test(s) && !opts.shell) {
    // Ansible's finalize: a None result is '' (`"{{ x | regex_search('no match') }}"` is ''); a datetime
    // is its text, as Ansible's concat makes it (set_fact's `start: "{{ now() }}"` is read back with to_datetime)
    // Templar.template's shortcut first: exactly `{{ name }}` of a defined var is its value as it is, None kept
    const only = /^\{\{\s*(\w*)\s*\}\}$/.exec(s);
    if (only) {
      const found = scope(only[1]);
      if (found.found && found.value === null) return null;
      // ... and one that is a number (NON_TEMPLATED_TYPES: a bool is kept below too) is that number
      if (found.found && (typeof found.value === 'number' || found.value instanceof PyFloat)) return found.value;
    }
    const node = Parser.expression(tags[0].s);
    const { value: v, taint } = tracked(() => evalNode(node, scope));
    // an undefined item (map's attribute some item lacks): Jinja2's Undefined fails as the value is read
    if (v !== LATER && holdsUndefined(v)) {
      const jinja = (v as { [UNDEFINED_ITEM]?: string })[UNDEFINED_ITEM] ?? 'an item of the value is undefined';
      throw new UndefinedError(`an item of ${s} is undefined: ${jinja}`, jinja);
    }
    if (v === null) return '';
    const bits = textBits(node, taint);
    // Any other number is the text of it: ansible_eval_concat makes every value text (to_text) and reads
    // back only a list, a map or a boolean, so `'{{ 2**31 - 1 }}'` is the str "2147483647" (`| int` makes
    // it a number again; a module's int option converts it, as Ansible's argument spec does)
    if (typeof v === 'number' || isPyObject(v)) return pyStr(v);
    // text that reads as a list, a map or a boolean is that (ansible_eval_concat), unless a filter that
    // means text made it (STRING_TYPE_FILTERS: its NativeJinjaText is kept as it is), or the template
    // lookup's with convert_data=False (a NativeJinjaText too)
    const out = typeof v === 'string' && !(bits & NATIVE) ? literalOf(v) : v;
    // a string passed on keeps its class (to_text keeps a str's); a list or dict is made text and read
    // back by literal_eval (ansible_eval_concat), its strings new strs
    if (out === v && typeof v === 'string') text.bits = bits;
    return out;
  }
  // `{{ x }}` and a line end (a folded `>` scalar): Jinja drops the newline, and Ansible's concat reads a
  // list, map or boolean back from its text (ansible_eval_concat); other values are text, newline kept
  // (Jinja2's output is then that one value: a STRING_TYPE_FILTERS filter's text stays text)
  let textKept = false;
  if (tags.length === 2 && tags[0].kind === '{{' && tags[1].s === '\n' && !opts.shell) {
    const node = Parser.expression(tags[0].s);
    const v = evalNode(node, scope);
    if (typeof v === 'boolean' || (v !== null && typeof v === 'object' && !isPyObject(v))) return v;
    textKept = isStringTyped(node);
    // that one node's NativeJinjaText is kept, newline and all (Jinja2's own concat)
    if (textKept) text.bits = NATIVE;
  }
  const emitted = { nodes: 0, native: false };
  const out = renderText(s, scope, opts.shell ? { each: shqIfNeeded } : { emitted });
  // one node yielded, a STRING_TYPE_FILTERS filter's (`{%- if a -%}{{- x | to_json -}}{%- endif -%}`):
  // its NativeJinjaText is kept as it is (ansible_eval_concat's one-node case), not read back as a list
  if (emitted.nodes === 1 && emitted.native) {
    text.bits = NATIVE;
    return out;
  }
  return typeof out === 'string' && !opts.shell && !textKept ? literalOf(out) : out;
}

/** The expression's value is a STRING_TYPE_FILTERS filter's (Ansible wraps it as NativeJinjaText). */
const isStringTyped = (node: Node) => node.k === 'filter' && STRING_TYPE_FILTERS.includes(node.name);

/**
 * ansible_eval_concat's last step: a template's text that starts as a list or map does (or is `True`,
 * `False`) is read as a Python literal, JSON's true/false/null included (Json2Python); text that does
 * not parse stays text. Jinja2's own output is read, which has dropped one trailing newline.
 */
function literalOf(text: string): unknown {
  const jinja = text.endsWith('\n') ? text.slice(0, -1) : text;
  if (!(jinja.startsWith('{') || jinja.startsWith('[') || jinja === 'True' || jinja === 'False')) return text;
  const v = pyLiteral(jinja, true);
  return typeof v === 'string' ? text : v;
}

/** True when a list or dict (at any depth) holds a value Jinja2 would have as Undefined. */
function holdsUndefined(v: unknown): boolean {
  if (Array.isArray(v)) return v.some((x) => x === undefined || holdsUndefined(x));
  if (v && typeof v === 'object' && !isPyObject(v)) return Object.values(v).some((x) => x === undefined || holdsUndefined(x));
  return false;
}

function shqIfNeeded(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Renders every string inside `value`. Problems are collected with their path; the result holds
 * LATER wherever a value depends on a registered result (only known at run time).
 */
export function render(value: unknown, scope: Scope, path: Path = [], problems: RenderProblem[] = [], shellKeys: string[] = [], text?: { bits: number }): unknown {
  // a list or dict as YAML made it: its strings are AnsibleUnicode (type_debug); one it holds may be a template
  if (text) text.bits = typeof value === 'object' && value !== null ? YAML_TEXT : 0;
  if (typeof value === 'string') {
    try {
      return renderString(value, scope, { shell: path.length > 0 && shellKeys.includes(String(path[path.length - 1])), text });
    } catch (e) {
      if (e instanceof ExprError) {
        // through a template's wrapping (its line), the expression's own error
        const own = e instanceof TemplateError && e.origin ? e.origin : e;
        problems.push({
          path,
          message: `${e.message} in ${JSON.stringify(value)}`,
          ...(undefinedText(e) !== undefined ? { undefinedVar: undefinedText(e) } : {}),
          ...(own instanceof PluginError ? { pluginError: own instanceof UnknownPlugin ? own.withTemplate(value) : own.message } : {}),
          // Templar.do_template turns a TypeError into its AnsibleError (a msg); other exceptions stay exceptions
          ...(own instanceof PyException && own.pyType === 'TypeError' ? { pluginError: `Unexpected templating type error occurred on (${value}): ${own.message}. ${own.message}`, wholeTask: true } : {}),
          ...(own instanceof PyException && own.pyType !== 'TypeError' ? { exception: own.line } : {}),
        });
        return undefined;
      }
      throw e;
    }
  }
  if (Array.isArray(value)) return value.map((v, i) => render(v, scope, [...path, i], problems, shellKeys));
  if (value && typeof value === 'object' && !isPyObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = render(v, scope, [...path, k], problems, shellKeys);
    return out;
  }
  return value;
}

/**
 * A task's params rendered for a scope (its shellParams shell-quoted), its `verbatim` params left as
 * written. `unsafe` gets the names of the params whose rendering read an unsafe value (unsafe.ts).
 */
export function renderParams(params: unknown, type: { shellParams?: string[]; verbatim?: string[] }, scope: Scope, problems: RenderProblem[] = [], unsafe?: Set<string>, classes?: Map<string, number>): unknown {
  const keep = type.verbatim ?? [];
  if (!params || typeof params !== 'object' || Array.isArray(params)) return render(params, scope, [], problems, type.shellParams);
  const entries = Object.entries(params);
  const out: Record<string, unknown> = {};
  for (const [k, x] of entries) {
    if (keep.includes(k)) continue;
    const text = { bits: 0 };
    const r = tracked(() => render(x, scope, [k], problems, type.shellParams, text));
    out[k] = r.value;
    if (r.taint & UNSAFE) unsafe?.add(k);
    if (text.bits) classes?.set(k, text.bits);
  }
  for (const [k, x] of entries) if (keep.includes(k)) out[k] = x;
  return out;
}

export function containsLater(v: unknown): boolean {
  if (v === LATER) return true;
  if (Array.isArray(v)) return v.some(containsLater);
  if (v && typeof v === 'object') return Object.values(v).some(containsLater);
  return false;
}

/** A scope over layered plain objects, highest precedence first. */
export function scopeOf(...layers: Record<string, unknown>[]): Scope {
  return (name) => {
    for (const l of layers) {
      if (!Object.prototype.hasOwnProperty.call(l, name)) continue;
      // a with_* loop's item, a registered result: unsafe (noteVar)
      if (varTaint(l, name) === 'unsafe') markUnsafe();
      markUnsafe(textNote(l, name));
      return { found: true, value: l[name] };
    }
    return { found: false, get names() { return layers.flatMap((l) => Object.keys(l)); } };
  };
}
