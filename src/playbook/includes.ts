// Task files and roles, as Ansible reads them: `import_tasks` / `include_tasks`, a play's `roles:`,
// `import_role` / `include_role`, and a role's tasks/, handlers/, defaults/, vars/ and meta/ files.
// Static imports are loaded with the playbook (skiff checks every task of every host before touching
// one). include_tasks is dynamic, as Ansible's: a task of its own whose file is read when a host
// reaches it (its name rendered there), or with the playbook when its name is plain and it loads
// cleanly; include_role as import_role when its name is plain and it does not loop, else when a host
// reaches it, once per loop item. What cannot be honoured is refused by name.
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import * as v from 'valibot';
import { show } from '../util/errors.ts';
import { loadYaml, problemAt, type Path, type YamlSource } from '../util/yaml-source.ts';
import { issuesToProblems } from './issues.ts';
import { outsideMessage, roleFiles } from './role-files.ts';
import { inherit, loopOf } from './keywords.ts';
import { parseKv } from './kv.ts';
import { addLibrary } from './module-search.ts';
import { collectionOfPath, collectionRole, collectionRoots, roleCollections } from './collections.ts';
import type { BlockDef, Ctx, Keywords, LoopSpec, Node, RoleAll, RoleMagic, TaskDef } from './load.ts';
import { itemVars } from '../engine/loop.ts';
import type { TaskType } from '../engine/task-type.ts';
import { renderString } from '../template/template.ts';
import type { Scope } from '../template/expr.ts';
import { INCLUDE_ROLE_KEYS, INCLUDE_TASKS_KEYS, IncludeRoleSchema, IncludeTasksSchema, RoleEntrySchema, type InheritableInput, type TaskMeta, splitWith } from './schema.ts';
import { isWithKey } from '../lookup/names.ts';
import { plainKeywords } from '../engine/float-params.ts';

/** Task files included within task files, deeper than this, are refused (a cycle is refused sooner). */
const MAX_INCLUDE_DEPTH = 30;

const short = (k: string) => k.replace(/^ansible\.(?:builtin|legacy)\./, '');

/** Whether a task is an include of tasks or of a role (by its short or full name). */
export function includeKind(obj: Record<string, unknown>): 'tasks' | 'role' | undefined {
  for (const k of Object.keys(obj)) {
    if ((INCLUDE_TASKS_KEYS as readonly string[]).includes(short(k))) return 'tasks';
    if ((INCLUDE_ROLE_KEYS as readonly string[]).includes(short(k))) return 'role';
  }
  return undefined;
}

/** The include's keys with `ansible.builtin.` dropped, and the key as written (for positions). */
function shortKeys(obj: Record<string, unknown>, names: readonly string[]): { obj: Record<string, unknown>; key: string } {
  let key = '';
  const out: Record<string, unknown> = {};
  for (const [k, value] of Object.entries(obj)) {
    const s = short(k);
    if (names.includes(s)) key = k;
    out[names.includes(s) ? s : k] = value;
  }
  return { obj: out, key };
}

/**
 * A loop on a static import, refused with Ansible's words (helpers.py): an import is read with the
 * playbook, once; include_tasks / include_role loop at run time.
 */
function refuseLoop(src: YamlSource, path: Path, obj: Record<string, unknown>, what: string, cx: Ctx): boolean {
  // Ansible's helpers.py refuses an import's loop (loop or with_*), not a loop_control alone
  const loop = Object.keys(obj).find((k) => k === 'loop' || isWithKey(k));
  if (!loop) return false;
  const [imp, inc] = /role$/.test(what) ? ['import_role', 'include_role'] : ['import_tasks', 'include_tasks'];
  cx.problems.push(problemAt(src, [...path, loop], `You cannot use loops on '${imp}' statements. You should use '${inc}' instead.`, 'key'));
  return true;
}

/**
 * `args:`, Ansible's older place for an action's arguments (`include_tasks: x.yml` + `args: {apply: ...}`):
 * merged into the include's own, which win.
 */
function withArgs(obj: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const { args, ...rest } = obj;
  if (!args || typeof args !== 'object' || Array.isArray(args)) return obj;
  const k = keys.find((x) => rest[x] !== undefined);
  if (!k) return obj;
  const own = rest[k];
  rest[k] = typeof own === 'string' ? { ...(args as object), [k.endsWith('role') ? 'name' : 'file']: own } : { ...(args as object), ...(own as object) };
  return rest;
}

/**
 * An include's parameters (import_tasks/include_tasks, import_role/include_role), parsed; undefined,
 * with the problems recorded, when they are invalid or name both spellings of the include.
 */
function parseInclude<S extends v.ObjectEntries, K extends keyof S & string>(
  src: YamlSource,
  path: Path,
  obj: unknown,
  key: string,
  schema: v.StrictObjectSchema<S, undefined>,
  keys: readonly K[],
  what: 'file' | 'role',
  cx: Ctx,
): v.InferOutput<v.StrictObjectSchema<S, undefined>> | undefined {
  obj = withArgs(obj as Record<string, unknown>, keys);
  if ((obj as Record<string, unknown>).listen !== undefined && !cx.inHandlers) {
    cx.problems.push(problemAt(src, [...path, 'listen'], `'listen' is not a valid attribute for a ${what === 'role' ? 'IncludeRole' : 'TaskInclude'}: listen is for handlers`, 'key'));
    return undefined;
  }
  // with_<lookup> loops are not schema keys (any lookup's name): keywords.ts's loopOf checks them
  const { rest, withs } = splitWith(obj as Record<string, unknown>);
  const r = v.safeParse(schema, plainKeywords(rest));
  if (!r.success) {
    cx.problems.push(...issuesToProblems(src, path, r.issues, key, Object.keys(schema.entries)));
    return undefined;
  }
  const output = Object.assign(r.output as Record<string, unknown>, withs);
  const both = keys.filter((k) => output[k] !== undefined);
  if (both.length > 1) {
    cx.problems.push(problemAt(src, [...path, both[1]], `a task includes one ${what}: got ${both.join(' and ')}, expected one of them`, 'key'));
    return undefined;
  }
  return r.output;
}

export function loadIncludeTasks(src: YamlSource, path: Path, raw: Record<string, unknown>, parent: Keywords, cx: Ctx): BlockDef | undefined {
  const { obj, key } = shortKeys(raw, INCLUDE_TASKS_KEYS);
  const action = short(key) as (typeof INCLUDE_TASKS_KEYS)[number];
  const args = freeFormInclude(src, path, key, action, obj[action], cx);
  if (args === null) return undefined;
  if (args) obj[action] = args.file;
  const written = obj[action];
  const name0 = typeof written === 'string' ? written : ((written as { file?: unknown } | null)?.file ?? '');
  const templated = typeof name0 === 'string' && (name0.includes('{{') || name0.includes('{%'));
  const looped = Object.keys(raw).some((k) => k === 'loop' || isWithKey(k));
  // Ansible's `include` is static unless its file name is a template or it loops (helpers.py)
  // ...and when a parent of it is dynamic (an include_tasks or include_role brought it: Task.all_parents_static)
  const dynamic = action === 'include_tasks' || (action === 'include' && (templated || looped || cx.dynamicParent === true));
  // include_tasks loops at run time (once per item); import_tasks cannot, in Ansible either
  const loopable = dynamic ? Object.fromEntries(Object.entries(raw).filter(([k]) => !['loop', 'loop_control'].includes(k) && !isWithKey(k))) : raw;
  if (refuseLoop(src, path, Object.fromEntries(Object.entries(loopable).filter(([, x]) => x !== undefined)), key, cx)) return undefined;
  const out = parseInclude(src, path, obj, key, IncludeTasksSchema, INCLUDE_TASKS_KEYS, 'file', cx);
  if (!out) return undefined;
  // the old include's k=v words are its tasks' vars, over its vars: (TaskInclude.get_vars), not include params
  const kvVars = args?.vars;
  const ref = out[action]!;
  const file = typeof ref === 'string' ? ref : ref.file;
  const apply = typeof ref === 'string' ? undefined : ref.apply;
  const at = typeof ref === 'string' ? [...path, key] : [...path, key, 'file'];
  if (apply && action !== 'include_tasks') {
    cx.problems.push(problemAt(src, [...at.slice(0, -1), 'apply'], `ERROR! Invalid options for ${key}: apply (apply is for include_tasks: expected the keywords on the ${key} itself)`, 'key'));
    return undefined;
  }
  // a static import's templated name: rendered now with the vars known when the playbook is read (helpers.py)
  let staticFile = file;
  if (!dynamic && templated) {
    const r = staticRender(src, at, file, parent, cx, out.vars ?? {});
    if (r === undefined) return undefined;
    staticFile = String(r);
  }
  // Ansible's TaskInclude takes only these keywords of its own (VALID_INCLUDE_KEYWORDS): for the tasks, apply:
  const invalid = dynamic ? NOT_ON_INCLUDE.find((k) => out[k] !== undefined) : undefined;
  if (invalid) {
    cx.problems.push(problemAt(src, [...path, invalid], `'${invalid}' is not a valid attribute for a TaskInclude: expected it under apply: (${key}: {file: ..., apply: {${invalid}: ...}}) for the included tasks, or import_tasks`, 'key'));
    return undefined;
  }
  const loop = loopOf(src, path, out as TaskMeta, cx.problems, cx);
  if (loop === null) return undefined;
  const loopVars = loop ? Object.keys(itemVars(loop, [], 0)) : [];
  if (!dynamic && out.register !== undefined) {
    cx.problems.push(problemAt(src, [...path, 'register'], `register on ${key} is not supported by skiff: ${key} is read with the playbook and has no result of its own (include_tasks has one)`, 'key'));
    return undefined;
  }
  // Ansible's include params: an include's (not an import's) vars are over set_fact and role params too
  const includeParams = action === 'import_tasks' ? undefined : out.vars;
  if (!dynamic) {
    const kw = inherit(parent, { ...out, vars: { ...out.vars, ...kvVars }, includeParams });
    const nodes = loadTaskFile(src, at, findTaskFile(src, staticFile, cx), kw, cx, `${key} ${show(staticFile)}`);
    if (!nodes) return undefined;
    return { kind: 'block', name: out.name ?? `${key}: ${file}`, kw, block: nodes, rescue: [], always: [], path, src };
  }
  // the include's own keywords are the include's; its tasks inherit its vars, its apply, what encloses it
  const own = inherit(parent, { ...out, loopVars });
  const when = own.when.slice(parent.when.length);
  const kw = inherit(parent, { ...apply, vars: { ...out.vars, ...kvVars, ...apply?.vars }, includeParams, loopVars, guards: when });
  const what = `${key} ${show(file)}`;
  const load = (name: string, files: string[]) => {
    const problems: Ctx['problems'] = [];
    const target = findTaskFile(src, name, cx);
    if (!existsSync(target) || !statSync(target).isFile()) return { problems, target, missing: true };
    const nodes = loadTaskFile(src, at, target, kw, { ...cx, problems, files, dynamicParent: true }, what);
    return { nodes: problems.length ? undefined : nodes, problems, target };
  };
  // a plain name is read now when it loads cleanly (checked before the run); else when a host reaches it,
  // which fails that host only then (a missing file, a cycle that a `when` ends, a file a task writes)
  const now = templated ? undefined : load(file, cx.files);
  const loaded = !!now?.nodes;
  return {
    kind: 'block',
    // as Ansible names an unnamed one: by its action
    name: out.name ?? key,
    kw,
    block: now?.nodes ?? [],
    rescue: [],
    always: [],
    path,
    src,
    loop,
    roleDir: cx.roleDir,
    include: { action: key, written: out.name, file, kw: own, when, loaded, target: now?.target, register: out.register, load: (name) => load(name, []) },
  };
}

/**
 * `include: file.yml a=1 b=2` (and `include_tasks: file=x.yml`): Ansible parses an include's string as
 * k=v words (mod_args.py), the other words its file. The old include takes any k=v, as vars of its
 * tasks; include_tasks and import_tasks only `file` (check_options' "Invalid options"). Undefined when
 * the string has no k=v word (it is the file name as written); null when refused (the problem recorded).
 */
function freeFormInclude(src: YamlSource, path: Path, key: string, action: string, written: unknown, cx: Ctx): { file: string; vars: Record<string, string> } | undefined | null {
  if (typeof written !== 'string' || !/\S=/.test(written)) return undefined;
  const kv = parseKv(written);
  if (!kv.ok) {
    cx.problems.push(problemAt(src, [...path, key], `${key}: ${kv.error}: expected a file name, then key=value words`));
    return null;
  }
  const { _raw_params: raw, file, ...vars } = kv.value;
  const bad = Object.keys(vars);
  if (action !== 'include' && bad.length) {
    cx.problems.push(problemAt(src, [...path, key], `Invalid options for ${key}: ${bad.join(',')}`));
    return null;
  }
  const name = raw || file;
  if (!name) {
    cx.problems.push(problemAt(src, [...path, key], `No file specified for ${key}`));
    return null;
  }
  return { file: name, vars };
}

/** What a handler that is an include is, as a task: nothing of its own (its include runs, host-run.ts). */
const INCLUDE_HANDLER: TaskType = {
  name: 'include_tasks',
  summary: 'a handler that includes a task file',
  schema: v.unknown(),
  plan: async () => ({ changes: [] }),
  apply: async () => undefined,
};

/** A handler that is an include_tasks (Ansible's HandlerTaskInclude): notified by its name, it runs the include. */
export function includeHandler(b: BlockDef, own: { name?: string; listen: string[] }): TaskDef {
  return { kind: 'task', name: b.name, type: INCLUDE_HANDLER, params: {}, meta: own.name === undefined ? {} : { name: own.name }, kw: b.include!.kw, notify: [], listen: own.listen, path: b.path, src: b.src, roleDir: b.roleDir, include: b };
}

/** Keywords of a block that an include_tasks does not take (its tasks get them from apply:). */
const NOT_ON_INCLUDE = ['environment', 'become', 'become_user', 'diff', 'check_mode', 'any_errors_fatal', 'delegate_to', 'notify'] as const;

/**
 * Where Ansible finds an included file: next to the including file, then in the role's tasks/ (an
 * include in a role's handlers), the role's own directory (`tasks/x.yml`: loader.path_dwim_relative),
 * then in the playbook's directory.
 */
function findTaskFile(src: YamlSource, file: string, cx: Ctx): string {
  if (isAbsolute(file)) return file;
  const candidates = [resolve(dirname(src.file), file), ...(cx.roleDir ? [resolve(cx.roleDir, 'tasks', file), resolve(cx.roleDir, file)] : []), resolve(cx.playDir, file)];
  return candidates.find((c) => existsSync(c)) ?? candidates[0];
}

/** The tasks of a file (a list of tasks and blocks), each with its own position in that file. */
function loadTaskFile(src: YamlSource, at: Path, target: string, kw: Keywords, cx: Ctx, what: string, roleDir = cx.roleDir): Node[] | undefined {
  if (cx.files.includes(target)) {
    cx.problems.push(problemAt(src, at, `${what} includes itself (${[...cx.files, target].join(' -> ')}): expected a file that is not already being included`));
    return undefined;
  }
  if (cx.files.length >= MAX_INCLUDE_DEPTH) {
    cx.problems.push(problemAt(src, at, `${what}: includes nest more than ${MAX_INCLUDE_DEPTH} deep: expected fewer levels`));
    return undefined;
  }
  if (!existsSync(target) || !statSync(target).isFile()) {
    cx.problems.push(problemAt(src, at, `${what}: file not found: expected a task file at ${target}`));
    return undefined;
  }
  const { source, problems } = loadYaml(target, cx.vault);
  cx.problems.push(...problems);
  if (!source) return undefined;
  // an empty file (or one of comments only) is no tasks, as in Ansible
  if (source.value === null || source.value === undefined) return [];
  if (!Array.isArray(source.value)) {
    cx.problems.push(problemAt(source, [], `expected a list of tasks, got ${show(source.value)}`));
    return undefined;
  }
  return cx.loadNodes(source, [], source.value, kw, { ...cx, files: [...cx.files, target], roleDir });
}

// ---- roles ----

interface RoleRef {
  name: string;
  tasksFrom?: string;
  handlersFrom?: string;
  varsFrom?: string;
  defaultsFrom?: string;
  /** the keywords written on the reference (vars, when, tags, become...) */
  own: InheritableInput;
  /** Ansible's role params: the entry's other keys (`- {role: r, port: 80}`) */
  params: Record<string, unknown>;
  /** how the play has it: `roles:`, a role's dependencies, import_role, include_role */
  via: 'roles' | 'dependency' | 'import' | 'include';
  /** include_role's public: its variables are the play's once it runs */
  public?: boolean;
  /** import_role's and include_role's rolespec_validate: false: no check of the role's argument spec */
  noValidate?: boolean;
  /** where the reference is written: the node, and its role name (for problems) */
  src: YamlSource;
  path: Path;
  at: Path;
}

/** A play's `roles:`: each role's tasks (its dependencies first), each role once per play. */
export function loadRoles(src: YamlSource, path: Path, entries: unknown[], parent: Keywords, cx: Ctx): Node[] {
  const out: Node[] = [];
  entries.forEach((e, j) => {
    const ref = roleEntry(src, [...path, j], e, cx);
    if (!ref || (cx.played.has(playedKey(ref, cx)) && !allowsDuplicates(roleDirOf(ref, cx), cx))) return;
    const node = loadRole(ref, parent, cx, true);
    if (node) out.push(node);
  });
  return out;
}

/** A `roles:` or `dependencies:` entry: a name, or a map with `role:` (or `name:`) and keywords. */
function roleEntry(src: YamlSource, at: Path, e: unknown, cx: Ctx): RoleRef | undefined {
  // `src,version` is a requirements-file line, not a role of a play (Ansible's RoleRequirement.role_yaml_parse)
  const named = typeof e === 'string' ? e : e && typeof e === 'object' ? (e as Record<string, unknown>).role : undefined;
  if (typeof named === 'string' && named.includes(',')) {
    cx.problems.push(problemAt(src, typeof e === 'string' ? at : [...at, 'role'], `ERROR! Invalid old style role requirement: ${named}: expected a role name`));
    return undefined;
  }
  if (typeof e === 'string' && e) return { name: e, own: {}, params: {}, via: 'roles', src, path: at, at };
  // Ansible's role params: any other key of the entry is a variable of the role (`{role: r, port: 80}`),
  // over set_fact and the role's vars (RoleDefinition._split_role_params)
  const keys = Object.keys(RoleEntrySchema.entries);
  const params = e && typeof e === 'object' && !Array.isArray(e) ? Object.entries(e).filter(([k]) => !keys.includes(k) && /^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) : [];
  if (params.length) e = Object.fromEntries(Object.entries(e as object).filter(([k]) => !params.some(([p]) => p === k)));
  const r = v.safeParse(RoleEntrySchema, e);
  if (!r.success) {
    cx.problems.push(...issuesToProblems(src, at, r.issues, 'a role', Object.keys(RoleEntrySchema.entries)));
    return undefined;
  }
  const { role, name, ...own } = r.output;
  if ((role ?? name) === undefined) {
    cx.problems.push(problemAt(src, at, `a role: got ${show(e)}, expected a role name, or a map with role: NAME`));
    return undefined;
  }
  return { name: (role ?? name)!, own, params: Object.fromEntries(params), via: 'roles', src, path: at, at: [...at, role !== undefined ? 'role' : 'name'] };
}

export function loadIncludeRole(src: YamlSource, path: Path, raw: Record<string, unknown>, parent: Keywords, cx: Ctx): BlockDef | undefined {
  const { obj, key } = shortKeys(raw, INCLUDE_ROLE_KEYS);
  // include_role loops at run time (the role once per item); import_role cannot, in Ansible either
  if (short(key) === 'import_role' && refuseLoop(src, path, Object.fromEntries(Object.entries(raw).filter(([, x]) => x !== undefined)), key, cx)) return undefined;
  // Ansible's free form: `include_role: name=web tasks_from=setup` (parse_kv)
  const written = obj[short(key)];
  if (typeof written === 'string') {
    const kv = parseKv(written);
    if (!kv.ok) {
      cx.problems.push(problemAt(src, [...path, key], `${key}: ${kv.error}`));
      return undefined;
    }
    obj[short(key)] = kv.value;
  }
  const out = parseInclude(src, path, obj, key, IncludeRoleSchema, INCLUDE_ROLE_KEYS, 'role', cx);
  if (!out) return undefined;
  const written0 = out.import_role ?? out.include_role!;
  // its booleans, rendered now when templated (Ansible post-validates them with the play's vars)
  const flags = (['public', 'allow_duplicates', 'rolespec_validate'] as const).map((k) => [k, typeof written0[k] === 'string' ? staticFlag(src, [...path, key, k], written0[k] as string, parent, cx) : written0[k]] as const);
  if (flags.some(([k, x]) => x === null)) return undefined;
  const call = { ...written0, ...Object.fromEntries(flags) } as Omit<typeof written0, 'public' | 'allow_duplicates' | 'rolespec_validate'> & { public?: boolean; allow_duplicates?: boolean; rolespec_validate?: boolean };
  if (call.allow_duplicates === false && out.include_role !== undefined) {
    cx.problems.push(problemAt(src, [...path, key, 'allow_duplicates'], `${key}: allow_duplicates: false is supported on import_role only by skiff: expected import_role, or leave it out`, 'key'));
    return undefined;
  }
  const { import_role: _i, include_role: _j, name, loop: _l, loop_control: _c, register, ...rest } = out;
  const own = Object.fromEntries(Object.entries(rest).filter(([k]) => !isWithKey(k))) as InheritableInput;
  const loop = loopOf(src, path, out as TaskMeta, cx.problems, cx);
  if (loop === null) return undefined;
  if (call.public !== undefined && out.include_role === undefined) {
    cx.problems.push(problemAt(src, [...path, key, 'public'], `ERROR! Invalid options for ${key}: public (an imported role's vars are the play's already)`, 'key'));
    return undefined;
  }
  if (call.apply !== undefined && out.include_role === undefined) {
    cx.problems.push(problemAt(src, [...path, key, 'apply'], `ERROR! Invalid options for ${key}: apply (apply is for include_role: expected the keywords on the ${key} itself)`, 'key'));
    return undefined;
  }
  if (register !== undefined && out.include_role === undefined) {
    cx.problems.push(problemAt(src, [...path, 'register'], `register on ${key} is not supported by skiff: ${key} is read with the playbook and has no result of its own (include_role has one)`, 'key'));
    return undefined;
  }
  if (out.include_role !== undefined) return dynamicRole(src, path, key, call, name, own, loop, parent, cx, register);
  const roleName = /\{[{%]/.test(call.name) ? staticName(src, [...path, key, 'name'], call.name, parent, cx) : call.name;
  if (roleName === undefined) return undefined;
  // its *_from, templated: rendered now too, with the import's own vars
  const froms: Record<string, string | undefined> = {};
  for (const k of ['tasks_from', 'handlers_from', 'vars_from', 'defaults_from'] as const) {
    const w = call[k];
    if (w === undefined || !/\{[{%]/.test(w)) froms[k] = w === undefined ? w : basename(w);
    else {
      const r = staticRender(src, [...path, key, k], w, parent, cx, own.vars ?? {});
      if (r === undefined) return undefined;
      froms[k] = String(r).split('/').pop();
    }
  }
  // allow_duplicates: false: a role that already ran in the play (same params) does not run again
  const ref0: RoleRef = { name: roleName, own, params: {}, via: 'import', src, path, at: [...path, key, 'name'] };
  if (call.allow_duplicates === false) {
    if (cx.played.has(playedKey(ref0, cx))) return { kind: 'block', name: name ?? `${key} : ${roleName}`, kw: parent, block: [], rescue: [], always: [], path, src };
    cx.played.add(playedKey(ref0, cx));
  }
  const block = loadRole({ name: roleName, tasksFrom: froms.tasks_from, handlersFrom: froms.handlers_from, varsFrom: froms.vars_from, defaultsFrom: froms.defaults_from, own, params: {}, via: 'import', noValidate: call.rolespec_validate === false, src, path, at: [...path, key, 'name'] }, parent, cx, false);
  return block && name !== undefined ? { ...block, name } : block;
}

/**
 * import_role's templated name, rendered when the playbook is read, as Ansible's (helpers.py templates
 * it with the vars known then: extra vars, block and role vars, the play's, role defaults; no host's).
 */
function staticFlag(src: YamlSource, at: Path, written: string, parent: Keywords, cx: Ctx): boolean | null {
  const x = staticRender(src, at, written, parent, cx);
  if (x === undefined) return null;
  // Ansible's bool conversion of an attribute (isa='bool')
  if (typeof x === 'boolean') return x;
  const s = String(x).toLowerCase();
  if (['yes', 'on', '1', 'true', 't', 'y', '1.0'].includes(s)) return true;
  if (['no', 'off', '0', 'false', 'f', 'n', '0.0', ''].includes(s)) return false;
  cx.problems.push(problemAt(src, at, `${show(written)} gave ${show(x)}, expected a boolean`));
  return null;
}

function staticName(src: YamlSource, at: Path, written: string, parent: Keywords, cx: Ctx): string | undefined {
  const name = staticRender(src, at, written, parent, cx);
  if (name === undefined) return undefined;
  if (typeof name === 'string' && name !== '') return name;
  cx.problems.push(problemAt(src, at, `import_role: name ${show(written)} gave ${show(name)}, expected a role name`));
  return undefined;
}

export function staticRender(src: YamlSource, at: Path, written: string, parent: Keywords, cx: Ctx, own: Record<string, unknown> = {}): unknown {
  const layers = [cx.extraVars ?? {}, own, parent.vars, parent.roleVars ?? {}, cx.playVars ?? {}, parent.defaults];
  const lookup = (n: string, depth: number): ReturnType<Scope> => {
    const l = layers.find((x) => Object.hasOwn(x, n));
    if (!l) return { found: false, names: layers.flatMap((x) => Object.keys(x)) };
    const value = l[n];
    // a var made of other vars is rendered too (bounded: a var that names itself ends)
    return { found: true, value: typeof value === 'string' && depth < 20 ? renderString(value, (m) => lookup(m, depth + 1)) : value };
  };
  const scope: Scope = (n) => lookup(n, 0);
  try {
    return renderString(written, scope);
  } catch (e) {
    cx.problems.push(problemAt(src, at, `${at.slice(-2).join(': ')} ${show(written)}: ${(e as Error).message} (read with the playbook: it may use play, block and extra vars, not a host's)`));
    return undefined;
  }
}

/**
 * include_role, as Ansible's: a task of its own (its `when` decided once, its loop the role once per
 * item), its name and *_from rendered when a host reaches it. A plain one is read now when it loads
 * cleanly, else then (a missing role fails the host that reaches it). Its own keywords are the
 * include's (its tasks get its vars); its handlers join the play's when it is included.
 */
function dynamicRole(src: YamlSource, path: Path, key: string, call: { name: string; tasks_from?: string; handlers_from?: string; vars_from?: string; defaults_from?: string; apply?: InheritableInput; public?: boolean; rolespec_validate?: boolean }, name: string | undefined, own: InheritableInput, loop: LoopSpec | undefined, parent: Keywords, cx: Ctx, register?: string): BlockDef | undefined {
  const at = [...path, key, 'name'];
  const written: Record<string, string> = Object.fromEntries((['tasks_from', 'handlers_from', 'vars_from', 'defaults_from'] as const).flatMap((k) => (call[k] === undefined ? [] : [[k, call[k]!]])));
  // the loop's variables are known to the include and to the role's tasks (each include has its item)
  const loopVars = loop ? Object.keys(itemVars(loop, [], 0)) : [];
  const kw = inherit(parent, { ...own, loopVars });
  // apply: keywords for the role's tasks, as include_tasks' (its vars under the include's own)
  const inner = inherit(parent, { ...call.apply, loopVars });
  const load = (role: string, from: Record<string, string> = written) => {
    const problems: Ctx['problems'] = [];
    // not there: the host that reaches it fails (Ansible's AnsibleError), where a role that cannot be read ends the run
    const found = findRole(role, cx);
    if (!found.dir) return { problems: [{ ...problemAt(src, at, ''), message: `the role '${role}' was not found in ${found.tried.join(':')}` }], target: role, missing: true };
    const rcx: Ctx = { ...cx, problems, roleHandlers: [], dynamicParent: true };
    // public: the role block carries its variables, the play's once it runs (host-run.ts)
    const block = loadRole({ name: role, tasksFrom: from.tasks_from, handlersFrom: from.handlers_from, varsFrom: from.vars_from, defaultsFrom: from.defaults_from, own: { vars: own.vars }, params: {}, via: 'include', public: call.public, noValidate: call.rolespec_validate === false, src, path, at }, inner, rcx, false);
    return { nodes: block && !problems.length ? [block] : undefined, problems, target: role, handlers: rcx.roleHandlers };
  };
  const plain = !loop && ![call.name, ...Object.values(written)].some((x) => /\{[{%]/.test(x));
  const now = plain ? load(call.name) : undefined;
  const include = { action: key, written: name, file: call.name, from: written, register, kw, when: kw.when.slice(parent.when.length), loaded: !!now?.nodes, handlers: now?.handlers, load };
  return { kind: 'block', name: name ?? `${key} : ${call.name}`, kw, block: now?.nodes ?? [], rescue: [], always: [], path, src, loop, roleDir: cx.roleDir, include };
}

const roleDirOf = (ref: RoleRef, cx: Ctx) => findRole(ref.name, cx).dir ?? ref.name;
/** Ansible runs a role of `roles:` or `dependencies:` once per play for the same keywords and vars */
const playedKey = (ref: RoleRef, cx: Ctx) => `${roleDirOf(ref, cx)}\0${JSON.stringify([ref.own, ref.params])}`;

/** Where Ansible looks for a role: a collection's (by full name, or in the collections: in force), roles/ next to the playbook, the roles_path, the playbook's directory. */
function findRole(name: string, cx: Ctx): { dir?: string; tried: string[] } {
  // a collection's role first (RoleDefinition._load_role_path): ns.coll.role, or a short name in the
  // collections: of the play or role that names it; the roots are collections.ts's
  const inColl = collectionRole(name, cx.collections);
  if (inColl) return { dir: inColl.dir, tried: [inColl.dir] };
  // a collection checkout's role (COLLECTION/roles/ROLE beside its galaxy.yml, not installed) names its
  // sibling roles by full name: found next to it
  const fq = name.match(/^[A-Za-z0-9_]+\.[A-Za-z0-9_]+\.([A-Za-z0-9_]+)$/);
  const sibling = fq && cx.roleDir ? [join(dirname(cx.roleDir), fq[1])] : [];
  const tried = isAbsolute(name) ? [name] : [join(cx.playDir, 'roles', name), ...cx.rolesPath.map((p) => join(p, name)), join(cx.playDir, name), ...sibling];
  const found = tried.find((d) => existsSync(d) && statSync(d).isDirectory());
  // free of symlinks, as Ansible's unfrackpath leaves it: role_path, and the paths a run shows (included:)
  const dir = found && realpathSync(found);
  if (dir || !fq) return { dir, tried };
  return { tried: [...tried, ...collectionRoots().map((r) => join(r, 'ansible_collections', ...name.split('.').slice(0, 2), 'roles', fq[1]))] };
}

/**
 * A role's file of `sub` (main.yml, or its *_from), if there is one (role-files.ts); null when the
 * file found is outside the role (the problem recorded, for the reference that names it).
 */
function roleFile(dir: string, sub: string, base?: string, cx?: Ctx, ref?: RoleRef): string | undefined | null {
  const r = roleFiles(dir, sub, base);
  if ('files' in r) return r.files[0];
  if (cx && ref) cx.problems.push(problemAt(ref.src, ref.at, outsideMessage(r, ref.name)));
  return null;
}

/**
 * defaults/ or vars/ of a role: main.yml (or the file vars_from/defaults_from names), or every file of
 * a main/ directory in name order, merged: a map of variables (an empty file is none).
 */
function roleVars(dir: string, sub: 'defaults' | 'vars', cx: Ctx, ref?: RoleRef): Record<string, unknown> {
  const from = sub === 'vars' ? ref?.varsFrom : ref?.defaultsFrom;
  const r = roleFiles(dir, sub, from, true);
  if ('outside' in r) {
    if (ref) cx.problems.push(problemAt(ref.src, ref.at, outsideMessage(r, ref.name)));
    return {};
  }
  if (from !== undefined && !r.files.length && ref) cx.problems.push(problemAt(ref.src, ref.at, `role ${show(ref.name)}: ${sub}_from ${show(from)} not found: expected it in ${join(dir, sub)}`));
  const out: Record<string, unknown> = {};
  for (const f of r.files) {
    const { source, problems } = loadYaml(f, cx.vault);
    cx.problems.push(...problems);
    if (!source || source.value === null || source.value === undefined) continue;
    if (typeof source.value !== 'object' || Array.isArray(source.value)) {
      cx.problems.push(problemAt(source, [], `expected a map of variables, got ${show(source.value)}`));
      continue;
    }
    Object.assign(out, source.value);
  }
  return out;
}

/**
 * A role's argument specs, as Role._get_role_argspecs reads them: meta/argument_specs.yml (or .yaml)
 * when there is one, even empty, else meta/main.yml's `argument_specs:`. With the file they are in.
 */
function argumentSpecs(dir: string, cx: Ctx): { specs: Record<string, unknown>; source?: YamlSource } {
  const own = roleFiles(dir, 'meta', 'argument_specs');
  const specsFile = 'files' in own ? own.files[0] : undefined;
  const f = specsFile ?? roleFile(dir, 'meta');
  if (!f) return { specs: {} };
  const { source, problems } = loadYaml(f, cx.vault);
  // meta/main.yml's problems are reported once, with its dependencies
  if (specsFile) cx.problems.push(...problems);
  const specs = (source?.value as { argument_specs?: unknown } | null)?.argument_specs;
  return { specs: specs && typeof specs === 'object' && !Array.isArray(specs) ? (specs as Record<string, unknown>) : {}, source };
}

/**
 * Ansible's check of a role's variables (Role._prepend_validation_task): when the role's argument specs
 * have its entry point (tasks_from, else main), its tasks start with a validate_argument_spec task of
 * that entry's options, tagged always, which fails the host when its variables do not fit them.
 */
function validationTask(ref: RoleRef, dir: string, kw: Keywords, cx: Ctx): Node[] {
  const { specs, source } = argumentSpecs(dir, cx);
  const entry = ref.tasksFrom === undefined ? 'main' : basename(ref.tasksFrom);
  const spec = specs[entry];
  if (!source || !spec || typeof spec !== 'object' || Array.isArray(spec) || !Object.keys(spec).length) return [];
  const { short_description: short, options } = spec as { short_description?: unknown; options?: unknown };
  const raw = {
    name: `Validating arguments against arg spec '${entry}'${short === undefined ? '' : ` - ${String(short)}`}`,
    'ansible.builtin.validate_argument_spec': {
      argument_spec: options ?? {},
      provided_arguments: ref.params,
      validate_args_context: { type: 'role', name: kw.role?.short ?? basename(ref.name), argument_spec_name: entry, path: resolve(dir) },
    },
    tags: ['always'],
  };
  return cx.loadNodes(source, ['argument_specs', entry], [raw], kw, { ...cx, roleDir: dir });
}

/** meta/main.yml `allow_duplicates: true`: the role runs each time it is listed, not once per play. */
function allowsDuplicates(dir: string, cx: Ctx): boolean {
  const f = existsSync(dir) ? roleFile(dir, 'meta') : undefined;
  if (!f) return false;
  const { source } = loadYaml(f, cx.vault);
  const v = (source?.value as { allow_duplicates?: unknown } | null)?.allow_duplicates;
  return v === true || v === 'yes' || v === 'true' || v === 'True';
}

/** meta/main.yml `collections:` (the collections its tasks search short names in after its own). */
function metaCollections(dir: string, cx: Ctx): string[] {
  const f = roleFile(dir, 'meta');
  if (!f) return [];
  const c = (loadYaml(f, cx.vault).source?.value as { collections?: unknown } | null)?.collections;
  return Array.isArray(c) ? c.filter((x): x is string => typeof x === 'string') : [];
}

/** meta/main.yml `dependencies:`, as role references. */
function dependencies(dir: string, cx: Ctx): RoleRef[] {
  const f = roleFile(dir, 'meta');
  if (!f) return [];
  const { source, problems } = loadYaml(f, cx.vault);
  cx.problems.push(...problems);
  const deps = (source?.value as { dependencies?: unknown } | null)?.dependencies;
  if (!source || deps === undefined || deps === null) return [];
  if (!Array.isArray(deps)) {
    cx.problems.push(problemAt(source, ['dependencies'], `dependencies: got ${show(deps)}, expected a list of roles`));
    return [];
  }
  return deps.flatMap((d, k) => {
    const r = roleEntry(source, ['dependencies', k], d, cx);
    return r ? [{ ...r, via: 'dependency' as const }] : [];
  });
}

/**
 * One role, as a block: its dependencies (each once per play), then its tasks. Its handlers join the
 * play's. Its variables, as Ansible's Role gives them (engine/prepare.ts taskScope layers them):
 * defaults/ under everything (even inventory vars); `vars:` of the entry, under vars/ (both under task
 * vars, over play vars and vars_files, with those of its dependencies and of the roles that brought it
 * in beneath); params over set_fact. `vars:` of import_role and include_role are task vars of the
 * role's tasks too, and include_role's are include params.
 */
function loadRole(ref: RoleRef, parent: Keywords, cx: Ctx, once: boolean): BlockDef | undefined {
  const { dir, tried } = findRole(ref.name, cx);
  if (!dir) {
    cx.problems.push(problemAt(ref.src, ref.at, `role ${show(ref.name)} not found: looked in ${tried.join(', ')} (set roles_path in ansible.cfg or ANSIBLE_ROLES_PATH for others)`));
    return undefined;
  }
  if (cx.roles.includes(dir)) {
    cx.problems.push(problemAt(ref.src, ref.at, `role ${show(ref.name)} depends on itself (${[...cx.roles, dir].join(' -> ')}): expected a role that is not already being loaded`));
    return undefined;
  }
  const key = playedKey(ref, cx);
  if (once) cx.played.add(key);
  // a role's tasks resolve short names in its own collection and its meta collections:, not its play's
  const rcx: Ctx = { ...cx, roles: [...cx.roles, dir], roleDir: dir, collections: roleCollections(dir, metaCollections(dir, cx)) };
  const { vars: entryVars = {}, ...own } = ref.own;
  // Role.vars (the entry's `vars:`) under Role._role_vars (vars/main.yml or vars_from), as Role.get_vars merges them
  const ownVars = { ...entryVars, ...roleVars(dir, 'vars', cx, ref) };
  const ownDefaults = roleVars(dir, 'defaults', cx, ref);
  // ansible_parent_role_names comes from include_role / import_role only (Ansible's role_include.py)
  const role = roleMagic(ref.name, dir, once ? undefined : parent.role);
  const chain = parent.roleChain ?? { vars: {}, defaults: {} };
  const roleChain = { vars: { ...chain.vars, ...ownVars }, defaults: { ...chain.defaults, ...ownDefaults } };
  const roleParams = { ...parent.roleParams, ...ref.params };
  // import_role's and include_role's vars are their tasks' parent's (task vars), include_role's include
  // params too; a roles: entry's or a dependency's are the role's only
  const entry = ref.via === 'roles' || ref.via === 'dependency';
  const asTask = { ...(entry ? {} : { vars: entryVars }), ...(ref.via === 'include' && Object.keys(entryVars).length ? { includeParams: entryVars } : {}) };
  const base = inherit(parent, { ...own, ...asTask, role, roleParams, roleChain });
  const nodes: Node[] = [];
  // what the dependencies give: their vars and defaults (and theirs), in order, each under the role's own
  const fromDeps: RoleAll[] = [];
  for (const dep of dependencies(dir, rcx)) {
    // a role already in the play runs once (its variables still count); one that is being loaded is a
    // cycle (loadRole refuses it)
    const depKey = playedKey(dep, cx);
    if (cx.played.has(depKey) && !rcx.roles.includes(roleDirOf(dep, cx)) && !allowsDuplicates(roleDirOf(dep, cx), cx)) {
      const known = cx.roleAll.get(depKey);
      if (known) fromDeps.push(known);
      continue;
    }
    const d = loadRole(dep, base, rcx, true);
    if (d) nodes.push(d);
    const known = cx.roleAll.get(depKey);
    if (known) fromDeps.push(known);
  }
  // the role's library/ is searched for modules from now on, after its dependencies' (Role._load_role_data)
  addLibrary(cx.modules, dir);
  // Role.get_vars / get_default_vars: the dependencies' under the dep chain's and the role's own
  const all: RoleAll = { vars: Object.assign({}, ...fromDeps.map((r) => r.vars), ownVars), defaults: Object.assign({}, ...fromDeps.map((r) => r.defaults), ownDefaults) };
  cx.roleAll.set(key, all);
  const kw: Keywords = {
    ...base,
    roleVars: { ...chain.vars, ...Object.assign({}, ...fromDeps.map((r) => r.vars)), ...ownVars },
    defaults: { ...Object.assign({}, ...fromDeps.map((r) => r.defaults)), ...chain.defaults, ...ownDefaults },
  };
  // Ansible's roles are public: a role of roles: or import_role lends its variables (and its
  // dependencies') to the whole play
  if (ref.via === 'roles' || ref.via === 'import') cx.exposed.push(all);
  const tasks = roleFile(dir, 'tasks', ref.tasksFrom, cx, ref);
  if (tasks === null) return undefined;
  if (ref.tasksFrom !== undefined && !tasks) {
    cx.problems.push(problemAt(ref.src, ref.at, `role ${show(ref.name)}: tasks_from ${show(ref.tasksFrom)} not found: expected it in ${join(dir, 'tasks')}`));
    return undefined;
  }
  if (!ref.noValidate) nodes.push(...validationTask(ref, dir, kw, rcx));
  if (tasks) nodes.push(...(loadTaskFile(ref.src, ref.at, tasks, kw, rcx, `role ${show(ref.name)}`) ?? []));
  // a role's handlers see its defaults and vars, not the keywords (when, tags) of what imported it
  // (delegate_to, become and become_user of the entry or import reach them: Ansible's handlers have the role or the include as parent)
  addHandlers(ref, dir, { ...inherit({ ...parent, when: [], tags: [], notify: undefined }, { ...asTask, role, roleParams, roleChain, delegate_to: own.delegate_to, become: own.become, become_user: own.become_user }), roleVars: kw.roleVars, defaults: kw.defaults }, rcx);
  return { kind: 'block', name: `role ${ref.name}`, kw, block: nodes, rescue: [], always: [], path: ref.path, src: ref.src, ...(ref.via === 'include' && ref.public ? { exposes: all } : {}) };
}

/**
 * The role's magic variables. Its collection: from a full name (namespace.collection.role), or the
 * galaxy.yml of the collection checkout it is in (COLLECTION/roles/ROLE), as Ansible knows it.
 */
function roleMagic(written: string, dir: string, parent: RoleMagic | undefined): RoleMagic {
  const fq = written.match(/^([^.]+\.[^.]+)\.([^.]+)$/);
  // a role of a collection (found by full name or through collections:) is named by its collection and its own name
  const inColl = /[\\/]ansible_collections[\\/][^\\/]+[\\/][^\\/]+[\\/]roles[\\/]/.test(dir) ? collectionOfPath(dir) : undefined;
  if (inColl) return { name: `${inColl}.${basename(dir)}`, short: basename(dir), path: dir, collection: inColl, parents: parent ? [{ name: parent.name, path: parent.path }, ...parent.parents] : [] };
  let collection = fq ? fq[1] : null;
  const galaxy = join(dir, '..', '..', 'galaxy.yml');
  if (!collection && basename(dirname(dir)) === 'roles' && existsSync(galaxy)) {
    const text = readFileSync(galaxy, 'utf8');
    const [ns, name] = [/^namespace:\s*['"]?([\w]+)/m, /^name:\s*['"]?([\w]+)/m].map((re) => text.match(re)?.[1]);
    if (ns && name) collection = `${ns}.${name}`;
  }
  const short = fq ? fq[2] : basename(written);
  return { name: collection ? `${collection}.${short}` : written, short, path: dir, collection, parents: parent ? [{ name: parent.name, path: parent.path }, ...parent.parents] : [] };
}

/** handlers/main.yml of a role, once per play, with the role's variables. */
function addHandlers(ref: RoleRef, dir: string, kw: Keywords, cx: Ctx): void {
  const f = roleFile(dir, 'handlers', ref.handlersFrom, cx, ref);
  if (ref.handlersFrom !== undefined && f === undefined) cx.problems.push(problemAt(ref.src, ref.at, `role ${show(ref.name)}: handlers_from ${show(ref.handlersFrom)} not found: expected it in ${join(dir, 'handlers')}`));
  if (!f || cx.handlersOf.has(f)) return;
  cx.handlersOf.add(f);
  cx.roleHandlers.push(...(loadTaskFile(ref.src, ref.at, f, kw, { ...cx, inHandlers: true, inBlock: false }, `role ${show(ref.name)} handlers`) ?? []));
}
