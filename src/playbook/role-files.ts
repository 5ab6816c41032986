// Which files of a role's directory (tasks/, handlers/, vars/, defaults/, meta/) Ansible reads, as
// Role._load_role_yaml finds them through DataLoader.find_vars_files: `main` as main.yml, main.yaml,
// main.json or main; a *_from name as written first, then with those extensions. vars/ and defaults/
// may have a directory instead (defaults/main/), every file of it read in name order, merged. A
// found file outside the role's directory (an include_role's tasks_from: /abs/x.yml) is refused.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative, resolve, isAbsolute } from 'node:path';

const EXTENSIONS = ['.yml', '.yaml', '.json'];
const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
const isFile = (p: string) => existsSync(p) && statSync(p).isFile();

/** A directory's vars files, in name order, into subdirectories (DataLoader._get_dir_vars_files). */
function dirVarsFiles(dir: string, exts: string[]): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.') || name.endsWith('~')) continue;
    const full = join(dir, name);
    const ext = extname(name);
    if (isDir(full) && !ext) out.push(...dirVarsFiles(full, exts));
    else if (isFile(full) && (!ext || exts.includes(ext))) out.push(full);
  }
  return out;
}

export type RoleFiles = { files: string[] } | { outside: string; sub: string };

/**
 * The files of `sub` a role reads for `base` (its *_from, else main), in the order they are merged;
 * none when there is none. `allowDir`: vars/ and defaults/, where `main` may be a directory.
 */
export function roleFiles(roleDir: string, sub: string, base?: string, allowDir = false): RoleFiles {
  const subDir = join(roleDir, sub);
  if (!isDir(subDir)) return { files: [] };
  const name = base ?? 'main';
  const exts = base === undefined ? [...EXTENSIONS, ''] : ['', ...EXTENSIONS];
  const stem = resolve(subDir, name);
  let files: string[] = [];
  for (const ext of exts) {
    const p = stem + ext;
    if (!existsSync(p)) continue;
    if (isDir(p)) {
      if (!allowDir) continue;
      files = dirVarsFiles(p, exts);
    } else files = [p];
    break;
  }
  const outside = files.find((f) => {
    const r = relative(subDir, f);
    return r.startsWith('..') || isAbsolute(r);
  });
  return outside ? { outside, sub: subDir } : { files };
}

/** Ansible's words for a found file outside the role (Role._load_role_yaml); scripts grep for them. */
export const outsideMessage = (r: { outside: string; sub: string }, role: string) => `Failed loading '${r.outside}' for role (${role}) as it is not inside the expected role path: '${r.sub}'`;
