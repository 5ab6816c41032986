// Ansible's unsafe text (utils/unsafe_proxy.py): a value from a lookup, a registered result, a with_*
// loop's item or the `!unsafe` YAML tag is never templated again, and what a template makes from one is
// unsafe too (AnsibleContext.unsafe: do_template wraps the result when any variable it read was unsafe).
// skiff keeps values plain (a module's params, `typeof v === 'string'` checks): the taint is carried
// beside them. While a template renders, reading an unsafe value marks the render (markUnsafe); whoever
// stores the result notes it against the variable's name (a record's UNSAFE_VARS), and reading that
// name again marks the render that reads it. A string's Python class (type_debug's AnsibleUnicode,
// NativeJinjaText) is carried so too: TEXT_CLASS bits.
import type { Node } from './jinja-parse.ts';

/** The render read an unsafe value (Ansible's cur_context.unsafe). */
export const UNSAFE = 1;
/** The render's text is a NativeJinjaText (the template lookup with convert_data=False): never read back as a value. */
export const NATIVE = 2;
/**
 * The render read an AnsibleUnicode: a string as Ansible's YAML loader made it (a play's, a vars file's,
 * a task's own text). Only type_debug tells it from str.
 */
export const YAML_TEXT = 4;
/** The bits that are a string's class (Python's str subclasses), as against what it read (UNSAFE). */
export const TEXT_CLASS = NATIVE | YAML_TEXT;

let taint = 0;

/** Marks the render under way (no-op outside one): it read an unsafe value, or made native text. */
export function markUnsafe(bits = UNSAFE): void {
  taint |= bits;
}

/**
 * Runs f (a render) and says what it read: UNSAFE, NATIVE bits. The enclosing render is marked as well,
 * as Ansible's outer context sees an inner template's wrapped result when it reads it.
 */
export function tracked<T>(f: () => T, passed = ~0): { value: T; taint: number } {
  const outer = taint;
  taint = 0;
  try {
    const value = f();
    return { value, taint };
  } finally {
    // `passed`: what the enclosing render sees of it (a var's template: its result's class, not that of each var it read)
    taint = (taint & passed) | outer;
  }
}

/** Runs f leaving the render under way unmarked by what f reads (a lookup's variables, sent unread). */
export function untracked<T>(f: () => T): T {
  const outer = taint;
  try {
    return f();
  } finally {
    taint = outer;
  }
}

/**
 * `!unsafe` text as it is stored in a loaded document: a Jinja2 comment naming it, then the text as a
 * `{% raw %}` block. Rendered by template.ts, it is the text, marked unsafe; anything else that renders
 * it gets the text too, once.
 */
export function unsafeLiteral(text: string): string {
  return `${LITERAL_START}${text}${LITERAL_END}`;
}
const LITERAL_START = '{#!unsafe#}{% raw %}';
const LITERAL_END = '{% endraw %}';

/** The text of an `!unsafe` literal (unsafeLiteral), or undefined for any other string. */
export function literalText(s: string): string | undefined {
  if (!s.startsWith(LITERAL_START) || !s.endsWith(LITERAL_END)) return undefined;
  const text = s.slice(LITERAL_START.length, s.length - LITERAL_END.length);
  return text.includes(LITERAL_END) ? undefined : text;
}

/**
 * How a record of variables (registered results and set_fact's facts, a loop's item vars) holds each of
 * its names, beside the values: 'unsafe' (read as it is, marking the render), 'templated' (a set_fact
 * value holding a template: rendered again when read, as Ansible's AnsibleJ2Vars templates a fact that
 * is not unsafe), or neither (read as it is). Kept under a symbol per name: Object.keys and JSON do not
 * see it, and a spread of records (`{ ...outer, ...loopVars }`) keeps each name's with its value.
 */
export type VarTaint = 'unsafe' | 'templated';
const taintKey = (name: string) => Symbol.for(`skiff.unsafe:${name}`);

export function noteVar(record: Record<string, unknown>, name: string, how: VarTaint | undefined): void {
  (record as Record<symbol, unknown>)[taintKey(name)] = how;
}

export function varTaint(record: Record<string, unknown>, name: string): VarTaint | undefined {
  return (record as Record<symbol, VarTaint | undefined>)[taintKey(name)];
}

/** Host facts (gathered, cached, a module's) are unsafe: VariableManager wraps the fact cache (wrap_var). */
export function noteFacts(hostvars: Record<string, unknown>, names: Iterable<string>): void {
  for (const k of names) noteVar(hostvars, k, 'unsafe');
}

/** A set_fact result's internal key (as Ansible's _ansible_facts_cacheable): the names of its facts that are unsafe. */
export const UNSAFE_FACTS = '_skiff_unsafe_facts';
/** A set_fact result's internal key: the class (TEXT_CLASS bits) of each fact's strings, where not str. */
export const TEXT_FACTS = '_skiff_text_facts';

/** Template syntax in a text at any depth: a set_fact value that reading renders again. */
export function holdsTemplate(v: unknown): boolean {
  if (typeof v === 'string') return /\{[{%#]/.test(v);
  if (Array.isArray(v)) return v.some(holdsTemplate);
  if (v && typeof v === 'object') return Object.values(v).some(holdsTemplate);
  return false;
}

/**
 * The class of the strings a string template's value is or holds, as Python would have it: a
 * STRING_TYPE_FILTERS filter's result is a NativeJinjaText (Ansible's _wrap_native_text); a value a
 * template only passes on (a variable, an item of one, a lookup's, `a if c else b`, `x | default(y)`)
 * keeps the class of what it read (`taint`: what the whole expression read); a list or dict made in the
 * expression holds its items'; anything else (a literal, `~`, `+`, another filter's result) is a new str.
 */
export function textBits(n: Node, taint: number): number {
  if (n.k === 'filter' && STRING_TYPE_FILTERS.includes(n.name)) return NATIVE;
  // a NativeJinjaUnsafeText's methods (and Jinja2's filters, which call them) make `self.__class__`
  // (unsafe_proxy.py); only Jinja2's `~` joins into a plain str
  if (taint & UNSAFE && taint & NATIVE && !(n.k === 'bin' && n.op === '~')) return NATIVE;
  // one item of a list or dict written in the expression is that item's (`[1, 'a', pv][1]` is a str)
  const item = literalItem(n);
  if (item) return textBits(item, taint);
  if (n.k === 'list') return n.items.reduce((b, x) => b | textBits(x, taint), 0);
  if (n.k === 'dict') return n.pairs.reduce((b, [k, x]) => b | textBits(k, taint) | textBits(x, taint), 0);
  return passesOn(n) ? taint & TEXT_CLASS : 0;
}

/** The node of the item `n` picks by a literal key from a list or dict literal (`[a, b][1]`, `{'k': v}.k`, `[a, b] | first`). */
function literalItem(n: Node): Node | undefined {
  if (n.k === 'filter' && (n.name === 'first' || n.name === 'last') && n.v.k === 'list' && n.args.length === 0) return n.name === 'first' ? n.v.items[0] : n.v.items.at(-1);
  if (n.k !== 'get' || n.key.k !== 'lit') return undefined;
  const key = n.key.v;
  if (n.obj.k === 'list' && typeof key === 'number' && Number.isInteger(key)) return n.obj.items.at(key);
  if (n.obj.k === 'dict') return [...n.obj.pairs].reverse().find(([k]) => k.k === 'lit' && k.v === key)?.[1];
  return undefined;
}

function passesOn(n: Node): boolean {
  if (n.k === 'name' || n.k === 'get' || n.k === 'if' || n.k === 'and' || n.k === 'or') return true;
  if (n.k === 'filter') return ['default', 'd', 'mandatory', 'first', 'last'].includes(n.name);
  return n.k === 'call' && n.fn.k === 'name' && ['lookup', 'query', 'q', 'ansible.builtin.lookup', 'ansible.builtin.query'].includes(n.fn.n);
}

/** ansible-core's STRING_TYPE_FILTERS default: filters whose text is never read back as a value. */
export const STRING_TYPE_FILTERS = ['string', 'to_json', 'to_nice_json', 'to_yaml', 'to_nice_yaml', 'ppretty', 'json'];

/** The Python class type_debug names for a string of these bits (wrap_var of a NativeJinjaText is a NativeJinjaUnsafeText). */
export function textClassName(bits: number): string {
  if (bits & UNSAFE) return bits & NATIVE ? 'NativeJinjaUnsafeText' : 'AnsibleUnsafeText';
  return bits & NATIVE ? 'NativeJinjaText' : bits & YAML_TEXT ? 'AnsibleUnicode' : 'str';
}

/** A stored string's class (set_fact's facts): marked on the render that reads the name, as its taint is. */
const classKey = (name: string) => Symbol.for(`skiff.text:${name}`);

export function noteText(record: Record<string, unknown>, name: string, bits: number): void {
  (record as Record<symbol, unknown>)[classKey(name)] = bits & TEXT_CLASS || undefined;
}

export function textNote(record: Record<string, unknown>, name: string): number {
  return ((record as Record<symbol, number | undefined>)[classKey(name)] ?? 0) & TEXT_CLASS;
}
