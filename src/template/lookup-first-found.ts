// lookup('first_found'), as Ansible's (lib/ansible/plugins/lookup/first_found.py): the first of the
// files that exists, each relative one looked for along the task's search path (its role, its file's
// directory, the playbook's directory: `ansible_search_path`), in a `files/` subdirectory first.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ExprError } from './expr-error.ts';

/** Ansible's `_split_on`: a string is split on any of `chars`; a list, each of its strings. */
function splitOn(terms: unknown, chars: string): string[] {
  if (typeof terms === 'string') return terms.split(new RegExp(`[${chars.replace(/[\\\]^-]/g, '\\$&')}]`));
  if (Array.isArray(terms)) return terms.flatMap((t) => splitOn(t, chars));
  return [];
}

/** The candidates, in order, and `skip`, from the terms and the keyword options (files, paths, skip). */
function candidates(terms: unknown[], kw: Record<string, unknown>): { search: string[]; skip: boolean } {
  let search: string[] = [];
  let skip = false;
  for (const term of terms) {
    let opts: Record<string, unknown>;
    if (term && typeof term === 'object' && !Array.isArray(term)) opts = term as Record<string, unknown>;
    else if (typeof term === 'string') opts = kw;
    else if (Array.isArray(term)) {
      const inner = candidates(term, kw);
      search.push(...inner.search);
      skip = inner.skip;
      continue;
    } else throw new ExprError(`lookup('first_found'): invalid term ${JSON.stringify(term)}: expected a file name, a list of them, or a map with files and paths`);
    const files = splitOn(opts.files ?? [], ',;');
    const paths = splitOn(opts.paths ?? [], ',:;');
    skip = opts.skip === true || opts.skip === 'yes' || opts.skip === 'true';
    if (paths.length) for (const p of paths) for (const f of files) search.push(join(p, f));
    // as Ansible's: a `files` option replaces what was gathered so far
    else if (files.length) search = files;
    else search.push(term as string);
  }
  return { search, skip };
}

/** Ansible's DataLoader._is_role: "imperfect role detection" (a main file, or tasks/ or meta/ main beside). */
function isRole(p: string): boolean {
  const mains = (d: string) => ['main.yml', 'main.yaml', 'main'].map((m) => join(d, m));
  return [...mains(p), ...[p, dirname(p)].flatMap((d) => [...mains(join(d, 'tasks')), ...mains(join(d, 'meta'))])].some((f) => existsSync(f));
}

/**
 * Ansible's DataLoader.path_dwim_relative_stack: for each directory of the search path, DIR/files/NAME
 * then DIR/NAME (a role's tasks/ directory: the role's files/ and tasks/), then the playbook's.
 */
export function findInSearchPath(paths: string[], subdir: string, name: string, baseDir: string): string | undefined {
  if (name.startsWith('/') || name.startsWith('~')) {
    const abs = name.startsWith('~') ? join(process.env.HOME ?? '/', name.slice(1)) : name;
    return existsSync(abs) ? abs : undefined;
  }
  const first = name.split('/')[0];
  const tries: string[] = [];
  for (const p of paths) {
    const up = dirname(p);
    // a directory under a role's tasks/: the role's SUBDIR, then beside it
    if (isRole(p) && up.endsWith('/tasks')) tries.push(join(dirname(up), subdir, name), join(up, name));
    else {
      if (first !== subdir) tries.push(join(p, subdir, name));
      tries.push(join(p, name));
    }
  }
  if (first !== subdir) tries.push(join(baseDir, subdir, name));
  tries.push(join(baseDir, name));
  return tries.find((t) => existsSync(t));
}

/** lookup('first_found', ...): the path found, or [] with skip; else Ansible's error. */
export function firstFound(terms: unknown[], kw: Record<string, unknown>, searchPath: string[], baseDir: string, subdir = 'files'): string[] {
  const { search, skip } = candidates(terms, kw);
  for (const name of search) {
    const found = findInSearchPath(searchPath, subdir, String(name), baseDir);
    if (found) return [found];
  }
  if (skip) return [];
  throw new ExprError('No file was found when using first_found.');
}
