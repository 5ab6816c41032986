// A task's loop: the items it runs over, as Ansible makes them from `loop:` and the `with_*` lookups.
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import type { LoopKind, LoopSpec } from '../playbook/load.ts';
import { show } from '../util/errors.ts';
import { globFiles } from '../util/glob.ts';
import { BUILTIN_LOOKUPS, listify, LookupError, type LookupFiles } from '../lookup/builtin.ts';
import { ExprError, pyStr } from '../template/expr-error.ts';
import { hasTemplate, renderString } from '../template/template.ts';
import type { Scope } from '../template/expr.ts';
import { firstFound } from '../template/lookup-first-found.ts';

/** Where a with_* lookup runs: what first_found needs of the task (its search path, its action). */
export interface LoopContext {
  /** the task's vars (ansible_search_path, playbook_dir) */
  scope?: Scope;
  /** the task's action: first_found looks in templates/ for a template task, vars/ for include_vars */
  action?: string;
}

/**
 * The items of a rendered loop value, or what was expected instead. `loop:` takes a list as it is;
 * `with_<name>:` is Ansible's loop over lookup <name>: the value made a list (listify_lookup_plugin_terms:
 * a single value is a list of one) and given to the lookup, whose results are the items. Pure, except
 * fileglob and first_found, which look at files on the controller: `dir` is where the task is written
 * (a role's directory), whose `files/` a relative pattern is looked up in first. `lookup`: the error
 * is the lookup's own, which Ansible raises when the task runs (not a refusal of skiff's).
 */
export function loopItems(kind: LoopKind, value: unknown, dir = '.', cx: LoopContext = {}): { items: unknown[] } | { error: string; lookup?: true } {
  if (kind === 'loop') return Array.isArray(value) ? { items: value } : { error: `loop: got ${show(value)}, expected a list` };
  const name = kind.slice('with_'.length);
  if (name === 'fileglob') return fileglob(value, dir);
  try {
    if (name === 'first_found') return { items: withFirstFound(value, dir, cx) };
    return { items: BUILTIN_LOOKUPS[name](listify(value), {}, lookupFiles(dir, cx)) };
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

/**
 * Ansible's fileglob: the regular files matching each pattern (`*`, `?`, `[...]` in the file name
 * part only), as absolute paths, sorted; a pattern that matches nothing adds nothing.
 */
function fileglob(value: unknown, base: string): { items: unknown[] } | { error: string } {
  const patterns = Array.isArray(value) ? value : [value];
  if (!patterns.every((p): p is string => typeof p === 'string' && p !== '')) return { error: `with_fileglob: got ${show(value)}, expected a file pattern or a list of them` };
  const items: string[] = [];
  for (const p of patterns) {
    if (/[*?[]/.test(dirname(p))) return { error: `with_fileglob: ${show(p)}: a wildcard in a directory name is not supported by skiff: expected one in the file name only` };
    const d = dirname(p);
    const dir = isAbsolute(p) ? d : [join(base, 'files', d), join(base, d)].find((x) => existsSync(x));
    if (!dir || !existsSync(dir)) continue;
    items.push(...globFiles(dir, basename(p)));
  }
  return { items };
}

/**
 * The vars item `i` of a loop runs with, which its result carries too (task_executor's _run_loop):
 * the loop var, ansible_loop_var, the index var and ansible_index_var, and with loop_control.extended
 * ansible_loop (index, index0, first, last, length, revindex, revindex0, allitems, nextitem, previtem).
 */
export function itemVars(loop: LoopSpec, items: unknown[], i: number): Record<string, unknown> {
  const vars: Record<string, unknown> = { [loop.loopVar]: items[i], ansible_loop_var: loop.loopVar };
  if (loop.indexVar) Object.assign(vars, { [loop.indexVar]: i, ansible_index_var: loop.indexVar });
  if (loop.extended) {
    const n = items.length;
    const info: Record<string, unknown> = { index: i + 1, index0: i, first: i === 0, last: i + 1 === n, length: n, revindex: n - i, revindex0: n - i - 1 };
    if (loop.allItems) info.allitems = items;
    if (i + 1 < n) info.nextitem = items[i + 1];
    if (i > 0) info.previtem = items[i - 1];
    vars.ansible_loop = info;
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
  const s = typeof item === 'string' ? item : JSON.stringify(item);
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}
