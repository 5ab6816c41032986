// A task's loop: the items it runs over, as Ansible makes them from `loop:` and the `with_*` lookups.
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import type { LoopKind } from '../playbook/load.ts';
import { show } from '../util/errors.ts';
import { globFiles } from '../util/glob.ts';

/**
 * The items of a rendered loop value, or what was expected instead. Pure, except with_fileglob, which
 * lists files on the controller: `dir` is where the task is written (a role's directory), whose
 * `files/` a relative pattern is looked up in first, as Ansible's fileglob does.
 */
export function loopItems(kind: LoopKind, value: unknown, dir = '.'): { items: unknown[] } | { error: string } {
  switch (kind) {
    case 'with_fileglob':
      return fileglob(value, dir);
    case 'loop':
    case 'with_list':
      return Array.isArray(value) ? { items: value } : { error: `${kind}: got ${show(value)}, expected a list` };
    case 'with_items':
      // Ansible flattens one level, and takes a single value as a list of one
      if (value === null || value === undefined) return { error: `with_items: got ${show(value)}, expected a list` };
      return { items: (Array.isArray(value) ? value : [value]).flatMap((x) => (Array.isArray(x) ? x : [x])) };
    case 'with_indexed_items':
      return Array.isArray(value) ? { items: value.map((x, i) => [i, x]) } : { error: `with_indexed_items: got ${show(value)}, expected a list` };
    case 'with_dict':
      return value && typeof value === 'object' && !Array.isArray(value)
        ? { items: Object.entries(value).map(([key, v]) => ({ key, value: v })) }
        : { error: `with_dict: got ${show(value)}, expected a map` };
  }
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

/** Pure: how an item is named in output (`loop_control.label` rendered, else the item itself). */
export function itemLabel(item: unknown): string {
  const s = typeof item === 'string' ? item : JSON.stringify(item);
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}
