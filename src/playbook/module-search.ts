// Where Ansible finds a playbook's own modules (its module loader, PluginLoader): the library/ dirs of
// the playbooks and roles as they load, then the configured library paths (ANSIBLE_LIBRARY); in a dir,
// a file named as the module with any extension (a shell script, a Python file, a binary).
import { readdirSync, statSync } from 'node:fs';
import { join, parse } from 'node:path';

/**
 * Ansible's module search path (PluginLoader._get_paths): the library/ dirs of the playbooks and roles
 * in the order they were loaded (add_all_plugin_dirs), then the configured ones (ANSIBLE_LIBRARY).
 */
export interface ModuleSearch {
  dirs: string[];
  configured: string[];
}

/** The playbook's or a role's library/, searched for modules from now on (Ansible's add_all_plugin_dirs). */
export function addLibrary(modules: ModuleSearch | undefined, dir: string): void {
  const lib = join(dir, 'library');
  if (modules && !modules.dirs.includes(lib) && statSync(lib, { throwIfNoEntry: false })?.isDirectory()) modules.dirs.push(lib);
}

/**
 * The module file Ansible's module search finds for `name` (a short name, or ansible.legacy.NAME): in
 * the library/ dirs of the playbooks and roles loaded so far, in load order, then the configured
 * library paths (each after the dirs one and two levels under it, as PluginLoader globs them).
 */
export function findModuleFile(name: string, modules: ModuleSearch): string | undefined {
  const short = name.startsWith('ansible.legacy.') ? name.slice('ansible.legacy.'.length) : name;
  if (short.includes('.')) return undefined;
  const dirs = [...modules.dirs, ...modules.configured.flatMap(withSubdirs)];
  for (const lib of dirs) {
    const found = libraryModule(lib, short);
    if (found) return found;
  }
  // nothing of that name anywhere: a deprecated module kept as _NAME (or a symlink to one), as
  // PluginLoader's last look for an alias finds it
  if (!short.startsWith('_')) {
    for (const lib of dirs) {
      const found = libraryModule(lib, `_${short}`);
      if (found) return found;
    }
  }
  return undefined;
}

function withSubdirs(path: string): string[] {
  const sub = (d: string) => {
    try {
      return readdirSync(d, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(d, e.name)).sort();
    } catch {
      return [];
    }
  };
  const one = sub(path);
  return [...one, ...one.flatMap(sub), path];
}

// the files Ansible's module loader passes over (MODULE_IGNORE_EXTS)
const IGNORED_EXTS = ['.pyc', '.pyo', '.swp', '.bak', '~', '.rpm', '.md', '.txt', '.rst', '.yaml', '.yml', '.ini'];

/**
 * The module `name` in a library/ dir as Ansible's module loader finds it: a file named NAME, or NAME
 * with any extension (a shell script NAME.sh, a Python module NAME.py, a binary module with none).
 */
export function libraryModule(lib: string, name: string): string | undefined {
  let files: string[];
  try {
    files = readdirSync(lib);
  } catch {
    return undefined;
  }
  const fits = (f: string) => (f === name || parse(f).name === name) && f !== '__init__.py' && !IGNORED_EXTS.some((x) => f.endsWith(x)) && statSync(join(lib, f), { throwIfNoEntry: false })?.isFile();
  // several fit (NAME.py and NAME.sh): Ansible takes the first its directory listing gives; .py first here
  const found = files.filter(fits).sort((a, b) => Number(b === `${name}.py`) - Number(a === `${name}.py`) || a.localeCompare(b));
  return found.length ? join(lib, found[0]) : undefined;
}
