// Ansible's unsafe text (utils/unsafe_proxy.py): a value from a lookup, a registered result, a with_*
// loop's item or the `!unsafe` YAML tag is never templated again, and what a template makes from one is
// unsafe too (AnsibleContext.unsafe: do_template wraps the result when any variable it read was unsafe).
// skiff keeps values plain (a module's params, `typeof v === 'string'` checks): the taint is carried
// beside them. While a template renders, reading an unsafe value marks the render (markUnsafe); whoever
// stores the result notes it against the variable's name (a record's UNSAFE_VARS), and reading that
// name again marks the render that reads it.

/** The render read an unsafe value (Ansible's cur_context.unsafe). */
export const UNSAFE = 1;
/** The render's text is a NativeJinjaText (the template lookup with convert_data=False): never read back as a value. */
export const NATIVE = 2;

let taint = 0;

/** Marks the render under way (no-op outside one): it read an unsafe value, or made native text. */
export function markUnsafe(bits = UNSAFE): void {
  taint |= bits;
}

/**
 * Runs f (a render) and says what it read: UNSAFE, NATIVE bits. The enclosing render is marked as well,
 * as Ansible's outer context sees an inner template's wrapped result when it reads it.
 */
export function tracked<T>(f: () => T): { value: T; taint: number } {
  const outer = taint;
  taint = 0;
  try {
    const value = f();
    return { value, taint };
  } finally {
    taint |= outer;
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

/** Template syntax in a text at any depth: a set_fact value that reading renders again. */
export function holdsTemplate(v: unknown): boolean {
  if (typeof v === 'string') return /\{[{%#]/.test(v);
  if (Array.isArray(v)) return v.some(holdsTemplate);
  if (v && typeof v === 'object') return Object.values(v).some(holdsTemplate);
  return false;
}
