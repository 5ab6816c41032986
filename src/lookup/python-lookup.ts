// A lookup plugin skiff does not implement, run by the controller's ansible-core as Templar._lookup
// runs it: the playbook's lookup_plugins/ and its roles', a collection's by FQCN, ANSIBLE_LOOKUP_PLUGINS,
// and ansible-core's own lookups skiff lacks. Its errors come back told apart as _lookup tells them.
import { callLookup } from '../template/py-plugins.ts';
import type { Scope } from '../template/expr.ts';
import { untracked } from '../template/unsafe.ts';
import { LATER } from '../template/expr-error.ts';
import { LookupError, runVaultSecrets } from './base.ts';
import { isChecking } from './builtin.ts';

/**
 * A lookup's failure already in Ansible's words ("An unhandled exception occurred while running the
 * lookup plugin ..." with the Python exception's class): errors='warn' warns with `warning`, else the
 * task fails with the message (AnsibleError's text, which adds its orig_exc's).
 */
export class WordedLookupError extends LookupError {
  constructor(
    readonly warning: string,
    cause: string,
  ) {
    super(`${warning}. ${cause}`);
  }
}

/**
 * The names Ansible's task variables hold that are views of the others: hostvars (every host's
 * variables, large: each host's sent when the plugin reads it) and vars (made from the others there)
 * are not sent with each lookup.
 */
const VIEWS = new Set(['hostvars', 'vars']);

/**
 * The task's variables as run's `variables` (Ansible's are the task's available variables): each
 * name the scope knows, with its value; a name whose value cannot be had is left out, as reading it
 * would fail in the plugin too.
 */
export function taskVariables(scope: Scope): Record<string, unknown> {
  const all = scope('\0');
  const names = all.found ? [] : [...new Set(all.names)];
  const vars: Record<string, unknown> = {};
  for (const n of names) {
    if (VIEWS.has(n)) continue;
    try {
      const r = scope(n);
      if (r.found) vars[n] = r.value;
    } catch {
      // its template fails: the plugin that reads it meets its own error
    }
  }
  return vars;
}

/** The plugin `name`'s run(terms, **kw) (a with_ loop's with wantlist=True, as task_executor runs it): its value, or a LookupError errors= may take, or Ansible's error thrown. */
export function pythonLookup(name: string, scope: Scope, files: { searchPath: string[]; baseDir: string }, loop: boolean): (terms: unknown, kw: Record<string, unknown>) => unknown {
  return (terms, kw) => {
    // while the playbook is checked: known when the task runs (the plugin runs once, as in Ansible)
    if (isChecking()) return [LATER];
    const hv = untracked(() => scope('hostvars'));
    const hostvars = hv.found && hv.value && typeof hv.value === 'object' ? (hv.value as Record<string, unknown>) : undefined;
    const a = untracked(() => callLookup({ name, terms: Array.isArray(terms) ? terms : [terms], kw: loop ? { ...kw, wantlist: true } : kw, variables: taskVariables(scope), hostvars, playbookDir: files.baseDir, dirs: files.searchPath, vault: runVaultSecrets() }));
    if ('lookup' in a) throw new LookupError(a.lookup, true);
    if ('unhandled' in a) throw new WordedLookupError(a.unhandled, a.cause);
    return a.value;
  };
}
