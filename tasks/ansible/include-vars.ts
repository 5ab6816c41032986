// Ansible's include_vars: variables from YAML/JSON files on the controller (one file, or a directory's
// files in order), set on the host at include_vars precedence (over task, block, role and play vars,
// under set_fact and registered results) for the rest of the run. Files are looked up as Ansible does:
// the role's (or task file's) vars/, then beside it, then the playbook's directory.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import * as v from 'valibot';
import { TaskFailure, type TaskType } from '../../src/engine/task-type.ts';
import { loadYaml } from '../../src/util/yaml-source.ts';
import { AnsibleBool, AnsibleInt } from '../lib/schema.ts';

const Name = v.pipe(v.string(), v.minLength(1));
const DIR_ARGS = ['dir', 'depth', 'files_matching', 'ignore_files', 'extensions', 'ignore_unknown_extensions'] as const;
const schema = v.pipe(
  v.strictObject({
    /** one file (the short form `include_vars: FILE` names it too) */
    file: v.optional(v.pipe(v.string(), v.transform((s) => s.replace(/\n+$/, '')))),
    /** a directory: its files, sorted, directory by directory */
    dir: v.optional(Name),
    /** how many directories of the walk are read (Ansible counts the walk's directories in sorted order); 0: all */
    depth: v.optional(AnsibleInt, 0),
    /** a regular expression a file's name must contain */
    files_matching: v.optional(Name),
    /** regular expressions matching the end of names of files left out */
    ignore_files: v.optional(v.union([v.array(v.string()), v.pipe(v.string(), v.transform((s) => s.split(/\s+/).filter(Boolean)))], 'expected a list of file names or patterns')),
    extensions: v.optional(v.array(v.string(), 'expected a list of extensions'), ['json', 'yaml', 'yml']),
    /** files with other extensions are left out (default: they fail the task) */
    ignore_unknown_extensions: v.optional(AnsibleBool, false),
    /** all the variables under this one name instead */
    name: v.optional(Name),
    /** merge: a dict merges into the variable's current value (default: replaces it) */
    hash_behaviour: v.optional(v.picklist(['replace', 'merge'], 'expected replace or merge')),
  }),
  v.check((p) => !(p.file !== undefined && DIR_ARGS.some((k) => p[k] !== undefined && !(k === 'extensions' || k === 'depth' || k === 'ignore_unknown_extensions'))), 'You are mixing file only and dir only arguments, these are incompatible'),
);
type Params = v.InferOutput<typeof schema>;

/** Where a task is, for looking files up: its role's directory or its file's, and the playbook's. */
export interface Where {
  dir: string;
  role: boolean;
  playbookDir?: string;
}

type Loaded = { files: string[]; vars: Record<string, unknown> } | { error: string; files: string[] };

function loadFile(path: string): { vars: Record<string, unknown> } | { error: string } {
  const { source, problems } = loadYaml(path);
  if (!source) return { error: problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.message}`).join('; ') };
  const data = source.value ?? {};
  if (typeof data !== 'object' || Array.isArray(data)) return { error: `${path} must be stored as a dictionary/hash` };
  return { vars: data as Record<string, unknown> };
}

/** Ansible's search for a vars file: each base's vars/FILE, then FILE beside it. */
function findFile(file: string, w: Where): string | { error: string } {
  if (isAbsolute(file)) return existsSync(file) ? file : { error: `Could not find or access '${file}' on the Ansible Controller.` };
  const bases = [w.dir, ...(w.playbookDir && w.playbookDir !== w.dir ? [w.playbookDir] : [])];
  const tried = bases.flatMap((b) => [...(file.split('/')[0] !== 'vars' ? [join(b, 'vars', file)] : []), join(b, file)]);
  const found = tried.find((p) => existsSync(p));
  return found ?? { error: `Could not find or access '${file}'\nSearched in:\n\t${tried.join('\n\t')} on the Ansible Controller.` };
}

/** Python's os.walk from `top`, top-down, without following links: [directory, its files]. */
function walk(top: string): [string, string[]][] {
  const out: [string, string[]][] = [];
  const visit = (d: string) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    out.push([d, entries.filter((e) => !e.isDirectory()).map((e) => e.name)]);
    for (const e of entries) if (e.isDirectory()) visit(join(d, e.name));
  };
  visit(top);
  return out;
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The files the params name, loaded in order and merged (a later file's top-level keys win). */
export function includeVars(p: Params, w: Where): Loaded {
  const files: string[] = [];
  const vars: Record<string, unknown> = {};
  if (p.dir === undefined) {
    if (!p.file) return { files, error: 'Could not find file on the Ansible Controller.' };
    const path = findFile(p.file, w);
    if (typeof path !== 'string') return { files, ...path };
    const r = loadFile(path);
    if ('error' in r) return { files, ...r };
    return { files: [path], vars: r.vars };
  }
  // the role's vars/DIR (or DIR itself when it starts with vars/ and is there), or beside the task file
  let top: string;
  if (w.role) top = p.dir.split('/')[0] === 'vars' && existsSync(join(w.dir, p.dir)) ? join(w.dir, p.dir) : join(w.dir, 'vars', p.dir);
  else top = resolve(w.dir, p.dir);
  if (!existsSync(top)) return { files, error: `${top} directory does not exist` };
  if (!statSync(top).isDirectory()) return { files, error: `${top} is not a directory` };
  let matcher: RegExp | undefined;
  let ignored: RegExp[];
  try {
    matcher = p.files_matching === undefined ? undefined : new RegExp(p.files_matching);
    ignored = (p.ignore_files ?? []).map((x) => new RegExp(`(?:${x})$`));
  } catch (e) {
    return { files, error: `Invalid regular expression: ${(e as Error).message}` };
  }
  const validExt = (f: string) => p.extensions.includes(extname(f).slice(1));
  const dirs = walk(top).sort((a, b) => byCodePoint(a[0], b[0]));
  for (const [i, [root, names]] of dirs.entries()) {
    if (p.depth > 0 && i >= p.depth) break;
    for (const f of names.sort(byCodePoint)) {
      if (matcher && !matcher.test(f)) continue;
      if (ignored.some((re) => re.test(f))) continue;
      if (p.ignore_unknown_extensions && !validExt(f)) continue;
      const path = join(root, f);
      if (!validExt(f)) return { files, error: `${path} does not have a valid extension: ${p.extensions.join(', ')}` };
      const r = loadFile(path);
      if ('error' in r) return { files, ...r };
      files.push(path);
      Object.assign(vars, r.vars);
    }
  }
  return { files, vars };
}

/** Python's combine_vars with merge: dicts merged key by key, all else replaced. */
function merge(a: unknown, b: unknown): unknown {
  const isMap = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);
  if (!isMap(a) || !isMap(b)) return b;
  const out: Record<string, unknown> = { ...a };
  for (const [k, x] of Object.entries(b)) out[k] = Object.hasOwn(out, k) ? merge(out[k], x) : x;
  return out;
}

export const includeVarsType: TaskType<Params> = {
  name: 'ansible.builtin.include_vars',
  controllerOnly: true,
  summary: 'set variables from YAML/JSON files on the controller (a file, or a directory\'s files)',
  schema,
  shortKey: 'file',
  includesVars: true,
  // names known before the run when nothing in the params is templated: the files are read then too
  sets(raw, where) {
    const params = typeof raw === 'string' ? { file: raw } : raw;
    const name = (params as { name?: unknown } | null)?.name;
    if (typeof name === 'string' && !name.includes('{')) return [name];
    if (!where || JSON.stringify(params ?? null).includes('{{')) return [];
    const p = v.safeParse(schema, params);
    if (!p.success) return [];
    const r = includeVars(p.output, where);
    return 'vars' in r ? Object.keys(r.vars) : [];
  },
  async plan(ctx, p) {
    const role = ctx.scope?.('role_path').found === true;
    const pb = ctx.scope?.('playbook_dir');
    const r = includeVars(p, { dir: ctx.dir ?? '.', role, playbookDir: pb?.found ? String(pb.value) : undefined });
    // Ansible's result of a failed include_vars: the reason under `message`
    if ('error' in r) throw new TaskFailure(r.error, { message: r.error, ansible_facts: {}, ansible_included_var_files: r.files });
    let vars = p.name === undefined ? r.vars : { [p.name]: r.vars };
    if (p.hash_behaviour === 'merge') {
      vars = Object.fromEntries(Object.entries(vars).map(([k, x]) => {
        const now = ctx.scope?.(k);
        return [k, now?.found ? merge(now.value, x) : x];
      }));
    }
    return { changes: [], result: { ansible_facts: vars, ansible_included_var_files: r.files } };
  },
  async apply() {},
};
