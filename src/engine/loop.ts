// A task's loop: the items it runs over, as Ansible makes them from `loop:` and the `with_*` lookups.
import type { LoopKind } from '../playbook/load.ts';
import { show } from '../util/errors.ts';

/** Pure: the items of a rendered loop value, or what was expected instead. */
export function loopItems(kind: LoopKind, value: unknown): { items: unknown[] } | { error: string } {
  switch (kind) {
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

/** Pure: how an item is named in output (`loop_control.label` rendered, else the item itself). */
export function itemLabel(item: unknown): string {
  const s = typeof item === 'string' ? item : JSON.stringify(item);
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}
