// Where Ansible finds collections (its _AnsibleCollectionFinder): the `collections/` beside each
// playbook of the run (ansible-playbook's playbook_paths, import_playbook adding its file's), then the
// configured roots (collections_path / ANSIBLE_COLLECTIONS_PATH, default ~/.ansible/collections and
// /usr/share/ansible/collections), then, with collections_scan_sys_path, the controller Python's
// sys.path. A root holds ansible_collections/<ns>/<coll>/. One list for the run, as Ansible's finder
// is one for its process: module lookup, roles, import_playbook and the Python processes (payloads,
// filters) all see the same roots.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { parse } from 'yaml';

/** The controller's Python that has ansible-core (Debian's; the one on PATH may be another). */
export const CONTROLLER_PYTHON = process.env.SKIFF_ANSIBLE_PYTHON ?? '/usr/bin/python3';

const DEFAULT_PATHS = [join(homedir(), '.ansible/collections'), '/usr/share/ansible/collections'];

let configured: string[] | undefined;
let scanSysPath = true;
const playbookDirs: string[] = [];
let sysPath: string[] | undefined;

/**
 * The run's settings (cli): the configured roots (undefined: Ansible's default; else the
 * ANSIBLE_COLLECTIONS_PATH environment variable is read, as before settings were) and whether sys.path
 * is scanned.
 */
export function configureCollections(o: { paths?: string[]; scanSysPath?: boolean }): void {
  configured = o.paths;
  scanSysPath = o.scanSysPath ?? true;
}

/** A playbook's directory: its collections/ is searched first from now on (Ansible's playbook_paths). */
export function addPlaybookDir(dir: string): void {
  const d = resolve(dir);
  if (!playbookDirs.includes(d)) playbookDirs.push(d);
}

function configuredPaths(): string[] {
  if (configured) return configured;
  // ANSIBLE_COLLECTIONS_PATH wins over the older ANSIBLE_COLLECTIONS_PATHS (base.yml lists it last)
  const env = process.env.ANSIBLE_COLLECTIONS_PATH ?? process.env.ANSIBLE_COLLECTIONS_PATHS;
  return env !== undefined ? env.split(':').filter(Boolean) : DEFAULT_PATHS;
}

function pythonSysPath(): string[] {
  if (sysPath) return sysPath;
  const r = spawnSync(CONTROLLER_PYTHON, ['-c', 'import json, sys; print(json.dumps(sys.path))'], { encoding: 'utf8' });
  return (sysPath = r.status === 0 ? (JSON.parse(r.stdout) as string[]).filter(Boolean) : []);
}

/**
 * The configured roots as Ansible's finder keeps them: `~` expanded, a path ending in ansible_collections
 * taken for its parent, only those that hold ansible_collections/, each once.
 */
function goodRoots(paths: string[]): string[] {
  const out: string[] = [];
  for (let p of paths) {
    if (p.startsWith('~')) p = homedir() + p.slice(1);
    if (basename(p) === 'ansible_collections') p = dirname(p);
    if (!out.includes(p) && isDir(join(p, 'ansible_collections'))) out.push(p);
  }
  return out;
}

const isDir = (p: string) => statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;

/** The configured roots (and sys.path's), without the playbooks' collections/: what a Python process of Ansible's is configured with. */
export function configuredRoots(): string[] {
  return goodRoots([...configuredPaths(), ...(scanSysPath ? pythonSysPath() : [])]);
}

/** Every root, in Ansible's search order: the playbooks' collections/, then the configured ones. */
export function collectionRoots(): string[] {
  return [...playbookDirs.map((d) => join(d, 'collections')).filter((d) => isDir(join(d, 'ansible_collections'))), ...configuredRoots()];
}

/** The directory of the collection `ns.coll` (the first root that has it), if any. */
export function collectionDir(name: string): string | undefined {
  const [ns, coll] = name.split('.');
  if (!ns || !coll) return undefined;
  return collectionRoots().map((r) => join(r, 'ansible_collections', ns, coll)).find(isDir);
}

/** The collection (`ns.coll`) a file or directory lives in, by its path (Ansible's _get_collection_name_from_path). */
export function collectionOfPath(path: string): string | undefined {
  const parts = resolve(path).split(sep);
  const at = parts.lastIndexOf('ansible_collections');
  if (at < 0 || parts.length < at + 3) return undefined;
  return `${parts[at + 1]}.${parts[at + 2]}`;
}

/** A collection's resource by full name (ns.coll.name, the name maybe with dots for subdirs): [collection, name] or undefined. */
export function splitFqcr(name: string): [string, string] | undefined {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z0-9_.\-]+)$/.exec(name);
  return m ? [`${m[1]}.${m[2]}`, m[3]] : undefined;
}

/**
 * The environment for a Python process of ansible-core (payload builder, filters): the same roots,
 * explicitly (its own reading of ansible.cfg may differ: relative paths, another cwd). The playbooks'
 * collections/ go as playbook paths, which the process sets itself.
 */
export function collectionsEnv(): Record<string, string> {
  return { ANSIBLE_COLLECTIONS_PATH: configuredPaths().join(':'), ANSIBLE_COLLECTIONS_SCAN_SYS_PATH: scanSysPath ? 'True' : 'False' };
}

/** The playbooks' directories so far (for a Python process of ansible-core: its playbook_paths). */
export function playbookPaths(): string[] {
  return [...playbookDirs];
}

let defaultCollection: string | undefined;

/** The collection of the playbook being loaded, when it is one of a collection's (Ansible's AnsibleCollectionConfig.default_collection). */
export function setDefaultCollection(name: string | undefined): void {
  defaultCollection = name;
}

/**
 * A `collections:` list as Ansible completes it (_ensure_default_collection): the default collection
 * first, and ansible.legacy last when neither ansible.builtin nor ansible.legacy is in it.
 */
export function withDefaultCollection(list: string[] | undefined): string[] {
  const out = [...(list ?? [])];
  if (defaultCollection && !out.includes(defaultCollection)) out.unshift(defaultCollection);
  if (out.length && !out.includes('ansible.builtin') && !out.includes('ansible.legacy')) out.push('ansible.legacy');
  return out;
}

/**
 * The collections a role's tasks search short names in (Role._load_role_data): its own collection
 * first (else the default collection), then its meta/main.yml `collections:`, then ansible.builtin
 * (a collection's role) or ansible.legacy; a role does not inherit its play's.
 */
export function roleCollections(roleDir: string, meta: string[] = []): string[] {
  const own = collectionOfPath(join(roleDir, 'tasks'));
  const out = own ? [own] : defaultCollection ? [defaultCollection] : [];
  for (const c of meta) if (!out.includes(c)) out.push(c);
  if (out.length && !out.includes('ansible.builtin') && !out.includes('ansible.legacy')) out.push(own ? 'ansible.builtin' : 'ansible.legacy');
  return out;
}

const PB_EXTENSIONS = ['.yml', '.yaml'];

/** A collection's playbook by full name (ns.coll.name, .yml or .yaml optional), as import_playbook and ansible-playbook find it. */
export function collectionPlaybook(name: string): { file: string; collection: string } | undefined {
  // ns.coll[.subdirs].name[.yml]
  const bare = PB_EXTENSIONS.find((x) => name.endsWith(x)) ? name.slice(0, name.lastIndexOf('.')) : name;
  const ext = bare === name ? '' : name.slice(bare.length);
  const parts = bare.split('.');
  if (parts.length < 3 || !parts.every((p) => /^[A-Za-z0-9_-]+$/.test(p)) || name.includes('/')) return undefined;
  const collection = `${parts[0]}.${parts[1]}`;
  const dir = collectionDir(collection);
  if (!dir) return undefined;
  const base = join(dir, 'playbooks', ...parts.slice(2, -1), parts[parts.length - 1]);
  const tries = ext ? [base + ext] : [base, ...PB_EXTENSIONS.map((x) => base + x)];
  const file = tries.find((f) => statSync(f, { throwIfNoEntry: false })?.isFile());
  return file ? { file, collection } : undefined;
}

/**
 * A role of a collection (Ansible's _get_collection_role_path): by full name (ns.coll.role), else a
 * short name in each of `search` (the collections: in force) in order.
 */
export function collectionRole(name: string, search: string[] = []): { dir: string; collection: string } | undefined {
  // ns.coll[.subdirs].role: a role in a subdirectory of the collection's roles/
  const fq = /^([A-Za-z_]\w*\.[A-Za-z_]\w*)\.((?:\w+\.)*\w+)$/.exec(name);
  const tries: [string, string][] = fq ? [[fq[1], fq[2]]] : /^\w+$/.test(name) ? search.map((c) => [c, name]) : [];
  for (const [collection, role] of tries) {
    if (collection === 'ansible.builtin' || collection === 'ansible.legacy') continue;
    const dir = collectionDir(collection);
    const at = dir && join(dir, 'roles', ...role.split('.'));
    if (at && isDir(at)) return { dir: at, collection };
  }
  return undefined;
}

/**
 * A plugin's name after its routing (meta/runtime.yml plugin_routing.<kind>.<name>.redirect of its
 * collection, followed as Ansible's loader does), ansible.builtin. and ansible.legacy. taken off the
 * short names skiff knows: `testns.testcoll.redirected_local` is `local` where it redirects to
 * ansible.builtin.local.
 */
export function routedPlugin(kind: 'connection', name: string): string {
  let at = name;
  for (let hops = 0; hops < 10; hops++) {
    const m = /^ansible\.(?:builtin|legacy)\.(\w+)$/.exec(at);
    if (m) return m[1];
    const fq = splitFqcr(at);
    const dir = fq && collectionDir(fq[0]);
    if (!fq || !dir) return at;
    let to: unknown;
    try {
      to = parse(readFileSync(join(dir, 'meta/runtime.yml'), 'utf8'))?.plugin_routing?.[kind]?.[fq[1]]?.redirect;
    } catch {
      return at;
    }
    if (typeof to !== 'string') return at;
    at = to;
  }
  return at;
}
