// What every lookup plugin shares: its error, and where it finds the files it reads.
import type { Scope } from '../template/expr.ts';

/** A lookup's own failure, with Ansible's message (the task fails with it as `msg`). */
export class LookupError extends Error {}

/**
 * How lookup() reports a plugin's error (Templar._lookup). It is raised when the task runs, so
 * ignore_errors or a rescue may take it: never a problem found before the run (prepare.ts).
 */
export const LOOKUP_FAILED = 'An unhandled exception occurred while running the lookup plugin';

/** Where a lookup that reads files looks: the task's search path (ansible_search_path) and the playbook's directory. */
export interface LookupFiles {
  searchPath: string[];
  baseDir: string;
  /** the task's variables (varnames, inventory_hostnames read them) */
  scope?: Scope;
}

/** The task's search path and the playbook's directory, as its scope has them (LookupFiles without scope). */
export function lookupFiles(scope: Scope): { searchPath: string[]; baseDir: string } {
  const at = (n: string) => {
    const r = scope(n);
    return r.found ? r.value : undefined;
  };
  const baseDir = String(at('playbook_dir') ?? process.cwd());
  const path = at('ansible_search_path');
  return { baseDir, searchPath: Array.isArray(path) ? path.map(String) : [baseDir] };
}

export type Lookup = (terms: unknown, kw: Record<string, unknown>, files?: LookupFiles) => unknown[];
