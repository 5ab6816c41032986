// --tags / --skip-tags: which tasks run, exactly as Ansible decides it (ansible/playbook/taggable.py
// evaluate_tags): `always` runs unless skipped by name, `never` only when asked for by name, `all`,
// `tagged` and `untagged` as special selectors. A tag may be a template (`tags: "{{ the_tags }}"`),
// rendered when the task is selected, with its vars.
import { hasTemplate, renderString } from '../template/template.ts';
import type { Scope } from '../template/expr.ts';

export interface TagFilter {
  only: string[];
  skip: string[];
}

export const NO_FILTER: TagFilter = { only: ['all'], skip: [] };

/** Pure: does a task with these tags run under this filter? */
export function tagsSelect(taskTags: string[], f: TagFilter): boolean {
  const tags = new Set(taskTags.length ? taskTags : ['untagged']);
  const untagged = taskTags.length === 0;
  const any = (list: string[]) => list.some((t) => tags.has(t));
  let run = true;
  if (f.only.length) {
    if (tags.has('always')) run = true;
    else if (f.only.includes('all') && !tags.has('never')) run = true;
    else if (any(f.only)) run = true;
    else if (f.only.includes('tagged') && !untagged && !tags.has('never')) run = true;
    else run = false;
  }
  if (run && f.skip.length) {
    if (f.skip.includes('all')) {
      if (!tags.has('always') || f.skip.includes('always')) run = false;
    } else if (any(f.skip)) run = false;
    else if (f.skip.includes('tagged') && !untagged) run = false;
  }
  return run;
}

/** `--tags a,b --tags c` -> [a, b, c] */
export const splitTags = (raw: string[] | undefined): string[] => (raw ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);

/**
 * Ansible's evaluate_tags: each tag templated, a list becoming its items. A tag that cannot be rendered
 * (a variable only set later) stays as written.
 */
export function evalTags(tags: string[], scope: () => Scope): string[] {
  if (!tags.some(hasTemplate)) return tags;
  const s = scope();
  const out = tags.flatMap((t) => {
    if (!hasTemplate(t)) return [t];
    try {
      const v = renderString(t, s);
      return (Array.isArray(v) ? v : [v]).map((x) => (typeof x === 'string' ? x : String(x)));
    } catch {
      return [t];
    }
  });
  return [...new Set(out)];
}

