// What a plan was made from, by content: every file the run read as text (playbooks, included task
// files, vars_files, inventory files, group_vars/host_vars, vault-encrypted files: through readText),
// each role's whole directory (its files/ and templates/ are read by tasks, not by the loader), the
// files/, templates/, group_vars/ and host_vars/ next to each playbook and inventory source, and the
// ansible.cfg used. A directory is also hashed by its listing, so a file added to group_vars counts.
// No password file is hashed: a vault password is no input to review, and its hash would be a secret.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import type { Input } from './schema.ts';

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** Not inputs: version control, skiff's own leftovers (retry files, the plan itself is excluded by path). */
const skipped = (name: string) => name.startsWith('.') || name.endsWith('.retry');

/** The directory holding a role's tasks/, vars/... when a file read is one of them (roles/NAME/tasks/main.yml). */
export function roleDirOf(file: string): string | undefined {
  const parts = file.split(sep);
  const i = parts.length - 3;
  if (i < 1 || parts[i - 1] !== 'roles' || !['tasks', 'handlers', 'vars', 'defaults', 'meta'].includes(parts[i + 1])) return undefined;
  return parts.slice(0, i + 1).join(sep);
}

export interface InputSources {
  /** files read (absolute or relative to the cwd) */
  files: Iterable<string>;
  /** directories taken whole (roles) */
  trees: Iterable<string>;
  /** directories that are inputs when present (group_vars/, files/ next to a playbook): absent ones recorded as absent */
  maybe: Iterable<string>;
  /** never an input (the plan file being written) */
  exclude?: Iterable<string>;
}

/** The inputs' hashes, sorted by path; a path given twice (a file inside a tree) once. */
export function hashInputs(src: InputSources): Input[] {
  const out = new Map<string, Input>();
  const exclude = new Set([...(src.exclude ?? [])].map((p) => resolve(p)));
  const file = (p: string) => {
    if (out.has(p) || exclude.has(p)) return;
    try {
      out.set(p, { path: p, sha256: sha256(readFileSync(p)) });
    } catch {
      out.set(p, { path: p, sha256: null });
    }
  };
  const tree = (d: string) => {
    if (out.has(d)) return;
    const names: string[] = [];
    const walk = (dir: string, rel: string) => {
      for (const name of readdirSync(dir).sort()) {
        if (skipped(name)) continue;
        const p = join(dir, name);
        if (exclude.has(p)) continue;
        let st;
        try {
          st = statSync(p);
        } catch {
          continue; // a dangling link is nothing the run could read
        }
        if (st.isDirectory()) walk(p, join(rel, name));
        else if (st.isFile()) {
          names.push(join(rel, name));
          file(p);
        }
      }
    };
    if (!isDir(d)) return void out.set(d, { path: d, sha256: null, dir: true });
    walk(d, '');
    out.set(d, { path: d, sha256: sha256(names.join('\n')), dir: true });
  };
  for (const f of src.files) file(resolve(f));
  for (const d of src.trees) tree(resolve(d));
  for (const d of src.maybe) tree(resolve(d));
  return [...out.values()].sort((a, b) => a.path.localeCompare(b.path));
}

const isDir = (p: string) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/** The directories worth hashing next to a playbook or an inventory source: where Ansible looks for vars and files. */
export function besides(path: string): string[] {
  const dir = isDir(path) ? path : dirname(path);
  return ['group_vars', 'host_vars', 'files', 'templates', 'library'].map((d) => join(dir, d));
}

/** An inventory source that is a path: the file, or the directory taken whole. A host list (`a,b,`) is none. */
export function inventoryPaths(sources: readonly string[]): { files: string[]; trees: string[] } {
  const files: string[] = [];
  const trees: string[] = [];
  for (const s of sources) {
    if (!existsSync(s)) continue;
    (isDir(s) ? trees : files).push(s);
  }
  return { files, trees };
}

/** Pure: what differs between the recorded inputs and the same paths hashed now, one line each. */
export function changedInputs(recorded: readonly Input[], now: readonly Input[]): string[] {
  const byPath = new Map(now.map((i) => [i.path, i]));
  const out: string[] = [];
  for (const r of recorded) {
    const n = byPath.get(r.path);
    const was = r.sha256;
    const is = n?.sha256 ?? null;
    if (was === is) continue;
    const what = r.dir ? 'directory' : 'file';
    if (was === null) out.push(`${r.path}: ${what} added since the plan`);
    else if (is === null) out.push(`${r.path}: ${what} removed since the plan`);
    else out.push(`${r.path}: ${r.dir ? 'files added or removed' : 'changed'} since the plan`);
  }
  return out;
}

/** The recorded inputs hashed again now, the same way (`exclude`: the plan file itself). */
export function rehash(recorded: readonly Input[], exclude: string[] = []): Input[] {
  return hashInputs({ files: recorded.filter((i) => !i.dir).map((i) => i.path), trees: [], maybe: recorded.filter((i) => i.dir).map((i) => i.path), exclude });
}
