// A task's loop: the items it runs over, as Ansible makes them from `loop:` and the `with_*` lookups.
import type { LoopKind, LoopSpec } from '../playbook/load.ts';
import { show } from '../util/errors.ts';
import { listify, LookupError, type LookupFiles } from '../lookup/builtin.ts';
import { lookupName } from '../lookup/names.ts';
import { ExprError, pyStr } from '../template/expr-error.ts';
import { hasTemplate, renderString } from '../template/template.ts';
import { lookupPlugin, type Scope } from '../template/expr.ts';
import { firstFound } from '../template/lookup-first-found.ts';
import { noteText, noteVar } from '../template/unsafe.ts';
import { floatJson } from '../template/py-float.ts';

/** Where a with_* lookup runs: what first_found needs of the task (its search path, its action). */
export interface LoopContext {
  /** the task's vars (ansible_search_path, playbook_dir) */
  scope?: Scope;
  /** the task's action: first_found looks in templates/ for a template task, vars/ for include_vars */
  action?: string;
}

/**
 * The items of a rendered loop value, or what was expected instead. `loop:` takes a list as it is;
 * `with_<name>:` is Ansible's loop over the lookup plugin <name> (task_executor's _get_loop_items):
 * the value made a list (listify_lookup_plugin_terms: a single value is a list of one) and given to the
 * plugin's run, whose results are the items. `dir` is where the task is written (a role's directory),
 * the search path when the scope has none. `lookup`: the error is the plugin's own, which Ansible
 * raises when the task runs (not a refusal of skiff's).
 */
export function loopItems(kind: LoopKind, value: unknown, dir = '.', cx: LoopContext = {}): { items: unknown[] } | { error: string; lookup?: true } {
  if (kind === 'loop') return Array.isArray(value) ? { items: value } : { error: `loop: got ${show(value)}, expected a list` };
  const name = lookupName(kind.slice('with_'.length));
  let run: (terms: unknown, kw: Record<string, unknown>) => unknown;
  try {
    run = name === 'first_found' ? (terms) => withFirstFound(terms, dir, cx) : lookupPlugin(kind.slice('with_'.length), loopScope(dir, cx), true);
  } catch (e) {
    // a lookup ansible-core has and skiff does not
    if (e instanceof ExprError) return { error: `${kind}: ${e.message}` };
    throw e;
  }
  try {
    const items = run(listify(value), {});
    // a plugin's dict or text (a Python one's) is iterated as _run_loop iterates it: its keys, its characters
    if (Array.isArray(items)) return { items };
    if (typeof items === 'string') return { items: [...items] };
    if (items && typeof items === 'object' && Object.getPrototypeOf(items) === Object.prototype) return { items: Object.keys(items) };
    return { error: `Invalid data returned by the lookup plugin ${name}: ${show(items)}`, lookup: true };
  } catch (e) {
    if (e instanceof LookupError || e instanceof ExprError) return { error: e.message, lookup: true };
    throw e;
  }
}

/**
 * with_first_found: as lookup('first_found'), from the task's search path; the subdirectory is the
 * action's (task_executor's `_subdir`: templates for template, vars for include_vars, else files).
 */
function withFirstFound(value: unknown, dir: string, cx: LoopContext): unknown[] {
  const { searchPath, baseDir } = lookupFiles(dir, cx);
  const action = cx.action ?? '';
  const subdir = action.includes('template') ? 'templates' : action.includes('var') ? 'vars' : 'files';
  return firstFound(Array.isArray(value) ? value : [value], {}, searchPath, baseDir, subdir);
}

/** Where a lookup finds files: the task's ansible_search_path, and the playbook's directory. */
function lookupFiles(dir: string, cx: LoopContext): LookupFiles {
  const at = (n: string) => {
    const r = cx.scope?.(n);
    return r?.found ? r.value : undefined;
  };
  const path = at('ansible_search_path');
  return { searchPath: Array.isArray(path) ? path.map(String) : [dir], baseDir: String(at('playbook_dir') ?? dir) };
}

/** The task's scope, with the task's directory as its search path when it has none (a lookup's files). */
function loopScope(dir: string, cx: LoopContext): Scope {
  const { searchPath, baseDir } = lookupFiles(dir, cx);
  const scope = cx.scope ?? ((): ReturnType<Scope> => ({ found: false, names: [] }));
  return (n) => (n === 'ansible_search_path' ? { found: true, value: searchPath } : n === 'playbook_dir' ? { found: true, value: baseDir } : scope(n));
}

/**
 * The vars item `i` of a loop runs with, which its result carries too (task_executor's _run_loop):
 * the loop var, ansible_loop_var, the index var and ansible_index_var, and with loop_control.extended
 * ansible_loop (index, index0, first, last, length, revindex, revindex0, allitems, nextitem, previtem).
 * `unsafe`: the items are (unsafe.ts).
 */
export function itemVars(loop: LoopSpec, items: unknown[], i: number, unsafe = false, text = 0): Record<string, unknown> {
  const vars: Record<string, unknown> = { [loop.loopVar]: items[i], ansible_loop_var: loop.loopVar };
  // the items of a with_* lookup, or of a loop template that read an unsafe value, are unsafe
  // (task_executor wraps them): said for the loop var either way, so it overrides an outer loop's
  noteVar(vars, loop.loopVar, unsafe ? 'unsafe' : undefined);
  // and the class of their strings (`loop: [a, b]`: YAML's AnsibleUnicode), for type_debug
  noteText(vars, loop.loopVar, text);
  if (loop.indexVar) Object.assign(vars, { [loop.indexVar]: i, ansible_index_var: loop.indexVar });
  if (loop.extended) {
    const n = items.length;
    const info: Record<string, unknown> = { index: i + 1, index0: i, first: i === 0, last: i + 1 === n, length: n, revindex: n - i, revindex0: n - i - 1 };
    if (loop.allItems) info.allitems = items;
    if (i + 1 < n) info.nextitem = items[i + 1];
    if (i > 0) info.previtem = items[i - 1];
    vars.ansible_loop = info;
    if (unsafe) noteVar(vars, 'ansible_loop', 'unsafe');
  }
  return vars;
}

/**
 * The loop with its loop_var and index_var rendered for the host, as Ansible post-validates
 * loop_control when the task runs (`loop_var: "{{ name }}"`); what they render to must be a name.
 */
export function resolveLoop(loop: LoopSpec, scope: Scope): LoopSpec {
  const name = (key: string, x: string | undefined): string | undefined => {
    if (x === undefined || !hasTemplate(x)) return x;
    const v = pyStr(renderString(x, scope));
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(v)) throw new ExprError(`loop_control.${key}: ${show(x)} gave ${show(v)}, expected a variable name (letters, digits, _)`);
    return v;
  };
  return { ...loop, loopVar: name('loop_var', loop.loopVar)!, indexVar: name('index_var', loop.indexVar) };
}

/** Pure: how an item is named in output (`loop_control.label` rendered, else the item itself). */
export function itemLabel(item: unknown): string {
  const s = typeof item === 'string' ? item : floatJson(item);
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}
