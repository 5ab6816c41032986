// Loads a playbook file: a list of plays (and `import_playbook`s), each task normalized from Ansible's
// shape (`- name: x \n  content: {...}`, the type *is* the key) to a node with its keywords resolved:
// what enclosing blocks and the play say is folded into each task here, once, so the engine reads one
// `kw` per task. Positions are kept for every node.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as v from 'valibot';
import type { InputProblem } from '../util/errors.ts';
import { didYouMean, formatProblem, show } from '../util/errors.ts';
import { loadYaml, problemAt, type Path, type YamlSource } from '../util/yaml-source.ts';
import { TaskFailure, type Plan, type TaskType, type TaskTypes } from '../engine/task-type.ts';
import { renderString, scopeOf } from '../template/template.ts';
import { literalText } from '../template/unsafe.ts';
import type { VaultSecret } from '../vault/vaultlib.ts';
import { issuesToProblems } from './issues.ts';
import { isFreeForm, keepsRawParams, parseKv, splitArgs } from './kv.ts';
import { VARIABLE_PARAMS, variableParams } from './variable-params.ts';
import { failsOnUnsupported, failsWith, unsupportedKeys } from './unsupported-params.ts';
import { includeHandler, includeKind, loadIncludeRole, loadIncludeTasks, loadRoles } from './includes.ts';
import { inherit, loopOf } from './keywords.ts';
import { BlockSchema, ImportPlaybookSchema, META_ACTIONS, META_KEYS, MetaTaskSchema, Name, PlaySchema, splitWith, TaskMetaSchema, type TaskMeta, type VarsPrompt } from './schema.ts';
import { isWithKey } from '../lookup/names.ts';
import { addLibrary, findModuleFile, type ModuleSearch } from './module-search.ts';
import { addPlaybookDir, collectionOfPath, collectionPlaybook, setDefaultCollection, withDefaultCollection } from './collections.ts';
import { parseParams, plainKeywords } from '../engine/float-params.ts';
import type { PyFloat } from '../template/py-float.ts';
import { isRejectedModule } from './plugin-filters.ts';
import { moduleDefaultsFor, resolvedAction } from './module-defaults.ts';

/** A task's keywords after inheritance from its play and enclosing blocks. */
/** one `environment:` as written: a map, or an expression that must come to one when the task runs */
export type EnvLayer = Record<string, string | number | boolean | PyFloat> | string;

export interface Keywords {
  /** every condition that must hold, outermost first */
  when: (string | boolean)[];
  tags: string[];
  /**
   * block and task vars (an include's and an import's among them), inner wins: Ansible's task.get_vars().
   * Play vars are the play's; a role's vars are roleVars.
   */
  vars: Record<string, unknown>;
  /**
   * the task's role's defaults (defaults/main.yml of its dependencies, then of the roles that brought it
   * in, then its own): the lowest precedence of all, below inventory vars, as in Ansible
   */
  defaults: Record<string, unknown>;
  /**
   * the task's role's vars, as Ansible's Role.get_vars(dep_chain): the vars of the roles that brought it
   * in, its dependencies', its `vars:` (on the roles: entry or import_role), its vars/main.yml: under task
   * vars, over play vars and vars_files (engine/prepare.ts taskScope)
   */
  roleVars?: Record<string, unknown>;
  /** its role's params (`- {role: r, x: 1}`, and those of the roles that brought it in): over set_fact */
  roleParams?: Record<string, unknown>;
  /** the `vars:` of the include_tasks / include / include_role that brought the task: over role params */
  includeParams?: Record<string, unknown>;
  /** what a role's dependencies inherit of it and of the roles that brought it in: vars and defaults */
  roleChain?: { vars: Record<string, unknown>; defaults: Record<string, unknown> };
  /** the loop (and index) vars of enclosing `include_tasks` loops: known when the task runs */
  loopVars: string[];
  /** the `when` of enclosing include_tasks: decided once, at the include (prepare reads them as guards) */
  guards?: (string | boolean)[];
  /** every `environment:` from the outermost in, merged in this order when the task runs (inner wins) */
  environment: EnvLayer[];
  /** these booleans: true/false, or an expression rendered for the host when the task runs */
  become?: boolean | string;
  become_user?: string;
  /** a boolean keyword written as an expression: what encloses it had, taken when it renders to omit */
  enclosing?: Partial<Record<'become' | 'ignore_errors' | 'no_log' | 'diff' | 'check_mode' | 'any_errors_fatal' | 'run_once' | 'ignore_unreachable' | 'delegate_facts', boolean | string>>;
  /** sudo or su, or an expression that must render to one of them when the task runs */
  become_method?: string;
  /** Ansible's become_exe and become_flags: as written, rendered when the task runs */
  become_exe?: string;
  become_flags?: string;
  ignore_errors?: boolean | string;
  no_log?: boolean | string;
  diff?: boolean | string;
  check_mode?: boolean | string;
  any_errors_fatal?: boolean | string;
  run_once?: boolean | string;
  delegate_to?: string;
  /** with delegate_to: the task's facts go to the delegated host (true/false, or an expression) */
  delegate_facts?: boolean | string;
  ignore_unreachable?: boolean | string;
  /** at most this many hosts run the task at once: a number, or an expression rendered when it runs */
  throttle?: number | string;
  /** seconds each attempt may take (0: no limit): a number, or an expression rendered when it runs */
  timeout?: number | string;
  /** the SSH user asked for (a host's own user var wins, as in Ansible; checked in prepare) */
  remote_user?: string;
  /** the connection asked for: local or ssh, or an expression rendered for the host (engine/connection-keyword.ts) */
  connection?: string;
  /** module_defaults from the outermost in, by module FQCN (an inner one replaces an outer's for its module) */
  module_defaults?: Record<string, Record<string, unknown>>;
  /** the role whose task this is (its magic variables: role_name, role_path, ansible_parent_role_names...) */
  role?: RoleMagic;
  /** an enclosing block's notify: a task without its own notifies these (Ansible's Notifiable) */
  notify?: string[];
}

/** A role as its tasks see it, in Ansible's magic variables. */
export interface RoleMagic {
  /** ansible_role_name: namespace.collection.role for a collection's role, else as written */
  name: string;
  /** role_name: without the collection */
  short: string;
  /** role_path */
  path: string;
  /** ansible_collection_name: null outside a collection, as Ansible's */
  collection: string | null;
  /** ansible_parent_role_names / _paths: the roles that brought this one in, most recent first */
  parents: { name: string; path: string }[];
}

/** `loop:`, or `with_<lookup>:` (a loop over lookup(<lookup>, value, wantlist=True)) */
export type LoopKind = 'loop' | `with_${string}`;
export interface LoopSpec {
  kind: LoopKind;
  /** raw, templates not yet rendered */
  value: unknown;
  loopVar: string;
  indexVar?: string;
  label?: string;
  pauseS: number;
  /** loop_control.extended: ansible_loop for each item; allItems: with its allitems */
  extended: boolean;
  allItems: boolean;
}

interface NodeBase {
  name: string;
  kw: Keywords;
  /** path of the node in its yaml document */
  path: Path;
  src: YamlSource;
  /** a role's task: the role's directory, where a relative `src:` is looked up (files/, templates/) */
  roleDir?: string;
}

export interface TaskDef extends NodeBase {
  kind: 'task';
  type: TaskType;
  /** raw params, templates not yet rendered */
  params: unknown;
  meta: TaskMeta;
  notify: string[];
  /** handlers: the topics a notify may name besides the handler's name (taken as written, as Ansible does) */
  listen: string[];
  loop?: LoopSpec;
  /** a handler that is an include_tasks: notified, it runs the include (includes.ts includeHandler) */
  include?: BlockDef;
  /** the collections its short names are searched in (Ansible's task.collections, which action plugins read) */
  collections?: string[];
}

export interface MetaDef extends NodeBase {
  kind: 'meta';
  action: (typeof META_ACTIONS)[number];
  /** added by skiff (after pre_tasks and tasks, as Ansible does): not listed */
  implicit?: boolean;
  /** its name as written (a handler is reached by it) */
  written?: string;
}

/** A handler, as Ansible lists them: a task (an include_tasks is one: includes.ts includeHandler), or a meta task. */
export type Handler = TaskDef | MetaDef;

export interface BlockDef extends NodeBase {
  kind: 'block';
  block: Node[];
  rescue: Node[];
  always: Node[];
  /** an `include_tasks` with a loop: `block` runs once per item */
  loop?: LoopSpec;
  /** include_tasks (a dynamic include): a task of its own, its file read when a host reaches it */
  include?: IncludeSpec;
  /** an include_role with public: its role's variables, the play's once a host runs it (engine/host-run.ts) */
  exposes?: RoleAll;
}

/**
 * A dynamic include, as Ansible's: its own keywords (when, tags, ignore_errors...) are the include's,
 * not its tasks' (they inherit its vars, its `apply:`, and what encloses it). The file is read with the
 * playbook when its name is plain and it loads cleanly (`block`, checked before the run); else when a
 * host reaches it, its name rendered there.
 */
export interface IncludeSpec {
  /** include_tasks, include, include_role (as written, for messages) */
  action: string;
  /** its `name:` as written (--list-tasks lists an unnamed one by its action) */
  written?: string;
  /** the file name as written ({{ }} rendered on the host) */
  file: string;
  /** the include's own keywords over its parent's */
  kw: Keywords;
  /** its own `when` (kw.when ends with them) */
  when: (string | boolean)[];
  /** `block` holds the file's tasks, read with the playbook */
  loaded: boolean;
  /** the path of the file `block` was read from, when it was */
  target?: string;
  /** `register:` the include's own result */
  register?: string;
  /** include_role's tasks_from, vars_from... as written: rendered on the host with the name */
  from?: Record<string, string>;
  /** the handlers of what `block` holds (include_role's, read with the playbook): they join the play's when included */
  handlers?: Node[];
  /** read the (rendered) file name's tasks: the path read, or the problems that stop it */
  load(file: string, from?: Record<string, string>): { nodes?: Node[]; problems: InputProblem[]; target: string; missing?: boolean; handlers?: Node[] };
}

export type Node = TaskDef | MetaDef | BlockDef;

export interface PlayDef {
  name: string;
  hosts: string;
  vars: Record<string, unknown>;
  /**
   * Ansible's public roles (DEFAULT_PRIVATE_ROLE_VARS false): the vars/ of the play's roles: (their
   * dependencies, import_role) over play vars, their defaults/ under everything, for every task of the play
   */
  roleVars: Record<string, unknown>;
  roleDefaults: Record<string, unknown>;
  /** pre_tasks, tasks and post_tasks, with the flushes Ansible puts between them */
  tasks: Node[];
  /**
   * In Ansible's order: the handlers of the play's roles, then the play's own. A block's or an
   * import_tasks' tasks are handlers each (handlerList).
   */
  handlers: Handler[];
  serial?: number | string;
  /** vars_prompt as written (engine/vars-prompt.ts asks them before the run) */
  varsPrompt: VarsPrompt[];
  /** vars_files as written: each entry a file, or a list whose first found is read (prepare.ts reads them per host) */
  varsFiles: (string | string[])[];
  /** Ansible's `order` of the play's hosts, as written: a `{{ }}` is rendered when the play starts (engine/play-start.ts) */
  order: string;
  max_fail_percentage?: number;
  any_errors_fatal: boolean;
  /** unset: --force-handlers (or ANSIBLE_FORCE_HANDLERS) decides; a play's own value wins over them */
  force_handlers?: boolean;
  /** linear, free (host_pinned is free here), or an expression for the play's start; undefined: the configured default */
  strategy?: string;
  /** gather_facts as written: unset, the `gathering` setting decides (engine/prepare.ts gathers()) */
  gatherFacts?: boolean;
  /** the play's gather_subset, fact_path (a template rendered when it gathers) and gather_timeout: setup's options */
  gatherOptions?: { subset?: string[]; factPath?: string; timeout?: number };
  /** the play's own keywords (become, tags, environment...): its tasks' kw start from these */
  kw: Keywords;
  /**
   * the playbook named on the command line that brought the play (set by prepare: ansible-playbook
   * runs several in one call); its directory is the play's playbook_dir, an imported play's too
   */
  playbookFile?: string;
  path: Path;
  src: YamlSource;
}

export interface Playbook {
  file: string;
  src: YamlSource;
  plays: PlayDef[];
}

const MAX_IMPORT_DEPTH = 20;

/** What loading one play carries down to its tasks, included files and roles. */
export interface Ctx {
  types: TaskTypes;
  problems: InputProblem[];
  vault: readonly VaultSecret[];
  /** directory of the playbook: its roles/ is searched first */
  playDir: string;
  /** then these (ansible.cfg roles_path / ANSIBLE_ROLES_PATH) */
  rolesPath: string[];
  /** task files being included, outermost first (a file that includes itself is refused) */
  files: string[];
  /** the role whose tasks are being loaded */
  roleDir?: string;
  /** roles being loaded, outermost first (a role depending on itself is refused) */
  roles: string[];
  /** roles already in the play from `roles:` and dependencies (each runs once, as in Ansible) */
  played: Set<string>;
  /** handlers of the play's roles, added after the play's own */
  roleHandlers: Node[];
  /** roles whose handlers were added (a role imported twice adds them once) */
  handlersOf: Set<string>;
  /**
   * loading the tasks of an include_tasks or include_role (read when a host reaches it): an old
   * `include:` in them is dynamic too (Ansible's Task.all_parents_static)
   */
  dynamicParent?: boolean;
  /** loading handlers (the play's or a role's): a nested block or a role is not a handler */
  inHandlers?: boolean;
  /** inside a block (of handlers) */
  inBlock?: boolean;
  /** the vars and defaults of the play's public roles (roles:, import_role), each with its dependencies', in load order */
  exposed: RoleAll[];
  /** each role loaded in the play (by includes.ts playedKey): its vars and defaults with its dependencies' (Role.get_vars()) */
  roleAll: Map<string, RoleAll>;
  /** the play's vars (its import_playbook's over its own) and the run's extra vars: what an import_role's templated name is rendered with */
  playVars?: Record<string, unknown>;
  extraVars?: Record<string, unknown>;
  /** the play's `collections:`: where a short module name is looked up first, in order (Ansible's CollectionSearch) */
  collections?: string[];
  /** where modules are looked for (the run's; roles add theirs as they load) */
  modules?: ModuleSearch;
  /** loadNodes below: an included file's or a role's tasks (includes.ts) are nodes like the play's, and includes.ts is called from here */
  loadNodes: typeof loadNodes;
}

/** A role's variables with its dependencies' under them, as Ansible's Role.get_vars() and get_default_vars() merge them. */
export interface RoleAll {
  vars: Record<string, unknown>;
  defaults: Record<string, unknown>;
}

/** What the import_playbooks that brought a file give each of its plays: conditions, vars, tags. */
interface Imported {
  when: (string | boolean)[];
  vars: Record<string, unknown>;
  tags: unknown[];
  /** the run's extra vars (-e), known when the playbook is read */
  extra?: Record<string, unknown>;
  /** -b / --become-user: the become of a play that sets none (Ansible's become keyword defaults to the CLI's) */
  cli?: CliBecome;
  /** where the run's modules are looked for (one for the run: the dirs grow as playbooks and roles load) */
  modules?: ModuleSearch;
}
export interface CliBecome {
  become?: boolean;
  become_user?: string;
  become_method?: string;
}

const NOT_IMPORTED: Imported = { when: [], vars: {}, tags: [] };

/** `from`: what the import_playbooks that brought this file give every play of it (and of the files it imports) */
export function loadPlaybook(file: string, types: TaskTypes, vault: readonly VaultSecret[] = [], rolesPath: string[] = [], chain: string[] = [], from: Imported = NOT_IMPORTED): { playbook?: Playbook; problems: InputProblem[] } {
  const { source: src, problems } = loadYaml(file, vault);
  if (!src) return { problems };
  // the playbook's library/ is searched from now on (Playbook._load_playbook_data)
  const modules = from.modules ?? { dirs: [], configured: [] };
  addLibrary(modules, dirname(resolve(file)));
  // a collection's playbook: its collection is the default one (short names resolve in it); another's
  // directory has its collections/ searched from now on (cli/playbook.py, PlaybookInclude)
  const own = collectionOfPath(file);
  if (own) setDefaultCollection(own);
  else addPlaybookDir(dirname(resolve(file)));
  if (!Array.isArray(src.value)) {
    return { problems: [problemAt(src, [], `expected a list of plays (- hosts: ..., tasks: [...]), got ${show(src.value)}`)] };
  }
  if (src.value.length === 0) return { problems: [problemAt(src, [], 'ERROR! A playbook must contain at least one play: expected a list of plays')] };
  const plays: PlayDef[] = [];
  src.value.forEach((raw, i) => {
    if (raw && typeof raw === 'object' && !Array.isArray(raw) && ('import_playbook' in raw || 'ansible.builtin.import_playbook' in raw)) {
      plays.push(...importPlaybook(src, [i], raw as Record<string, unknown>, types, vault, rolesPath, [...chain, resolve(file)], problems, from));
      return;
    }
    const cx: Ctx = { types, problems, vault, playDir: dirname(resolve(file)), rolesPath, files: [resolve(file)], roles: [], played: new Set(), roleHandlers: [], handlersOf: new Set(), exposed: [], roleAll: new Map(), loadNodes, extraVars: from.extra, modules };
    const play = loadPlay(src, i, raw, cx, from);
    if (play) plays.push(play);
  });
  // The playbook is returned even with problems, so the checks that follow can report theirs too.
  return { playbook: { file, src, plays }, problems };
}

/**
 * The playbooks of one ansible-playbook call, in order: their plays one after another, each marked
 * with the file named on the command line that brought it. The first is the Playbook's file.
 */
export function loadPlaybooks(files: string[], types: TaskTypes, vault: readonly VaultSecret[] = [], rolesPath: string[] = [], extra: Record<string, unknown> = {}, libraryPath: string[] = [], cli: CliBecome = {}): { playbook?: Playbook; problems: InputProblem[] } {
  const problems: InputProblem[] = [];
  let first: Playbook | undefined;
  const modules: ModuleSearch = { dirs: [], configured: libraryPath };
  for (const file of files) {
    const r = loadPlaybook(file, types, vault, rolesPath, [], { ...NOT_IMPORTED, extra, modules, cli });
    problems.push(...r.problems);
    if (!r.playbook) return { problems };
    for (const p of r.playbook.plays) p.playbookFile = file;
    if (first) first.plays.push(...r.playbook.plays);
    else first = r.playbook;
  }
  return { playbook: first, problems };
}

function importPlaybook(src: YamlSource, path: Path, raw: Record<string, unknown>, types: TaskTypes, vault: readonly VaultSecret[], rolesPath: string[], chain: string[], problems: InputProblem[], from: Imported): PlayDef[] {
  const { 'ansible.builtin.import_playbook': fq, ...rest } = raw;
  const r = v.safeParse(ImportPlaybookSchema, fq === undefined ? raw : { ...rest, import_playbook: fq });
  if (!r.success) {
    problems.push(...issuesToProblems(src, path, r.issues, 'import_playbook', Object.keys(ImportPlaybookSchema.entries)));
    return [];
  }
  // a templated name: rendered now with the extra vars and the import's own vars (Ansible's PlaybookInclude)
  let name = r.output.import_playbook;
  if (/\{[{%]/.test(name)) {
    try {
      name = String(renderString(name, scopeOf(from.extra ?? {}, (r.output.vars ?? {}) as Record<string, unknown>, from.vars)));
    } catch (e) {
      problems.push(problemAt(src, [...path, 'import_playbook'], `import_playbook ${show(r.output.import_playbook)}: ${(e as Error).message} (read with the playbook: it may use extra vars and the import's vars)`));
      return [];
    }
  }
  // ns.coll.playbook: a collection's playbook (PlaybookInclude tries that before a path)
  const target = collectionPlaybook(name)?.file ?? resolve(dirname(src.file), name);
  const at = [...path, fq === undefined ? 'import_playbook' : 'ansible.builtin.import_playbook'];
  if (chain.includes(target)) {
    problems.push(problemAt(src, at, `import_playbook ${show(r.output.import_playbook)} imports itself (${[...chain, target].join(' -> ')}): expected a playbook that is not already being imported`));
    return [];
  }
  if (chain.length >= MAX_IMPORT_DEPTH) {
    problems.push(problemAt(src, at, `import_playbook nests more than ${MAX_IMPORT_DEPTH} deep: expected fewer levels`));
    return [];
  }
  // Ansible's PlaybookInclude: the import's `when` holds for every play it brings (gathering included)
  const list = (x: unknown) => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
  const { when, vars, tags } = r.output;
  const next: Imported = { when: [...from.when, ...(list(when) as (string | boolean)[])], vars: { ...from.vars, ...(vars ?? {}) }, extra: from.extra, modules: from.modules, cli: from.cli, tags: [...from.tags, ...(typeof tags === 'string' ? tags.split(',').map((t) => t.trim()) : list(tags))] };
  const { playbook, problems: ps } = loadPlaybook(target, types, vault, rolesPath, chain, next);
  problems.push(...ps.map((p) => (p.line === 0 && p.file === target ? { ...problemAt(src, at, ''), message: `import_playbook: ${p.message}` } : p)));
  return playbook?.plays ?? [];
}

function loadPlay(src: YamlSource, i: number, raw: unknown, cx: Ctx, from: Imported = NOT_IMPORTED): PlayDef | undefined {
  const { problems } = cx;
  // a play's `user` is remote_user by its old name; both is an error (Ansible's Play.preprocess_data)
  if (raw && typeof raw === 'object' && !Array.isArray(raw) && Object.hasOwn(raw, 'user')) {
    const { user, ...rest } = raw as Record<string, unknown>;
    if (Object.hasOwn(rest, 'remote_user')) {
      problems.push(problemAt(src, [i, 'user'], "ERROR! both 'user' and 'remote_user' are set for this play. The use of 'user' is deprecated, and should be removed: expected one of them", 'key'));
      return undefined;
    }
    raw = { ...rest, remote_user: user };
  }
  // a key no play takes, in Ansible's words (its loader stops there, before a missing hosts:): scripts grep for them
  const known = [...Object.keys(PlaySchema.entries), 'import_playbook'];
  const unknown = raw && typeof raw === 'object' && !Array.isArray(raw) ? Object.keys(raw).filter((k) => !known.includes(k)) : [];
  if (unknown.length) {
    for (const k of unknown) problems.push(problemAt(src, [i, k], `unknown parameter ${show(k)} for a play${didYouMean(k, known)}: ERROR! '${k}' is not a valid attribute for a Play: expected one of ${known.join(', ')}`, 'key'));
    return undefined;
  }
  const r = v.safeParse(PlaySchema, plainKeywords(raw));
  if (!r.success) {
    problems.push(...issuesToProblems(src, [i], r.issues, 'a play', [...Object.keys(PlaySchema.entries), 'import_playbook']));
    return undefined;
  }
  const p = r.output;
  cx.playVars = { ...(p.vars ?? {}), ...from.vars };
  cx.collections = withDefaultCollection(p.collections ?? undefined);
  const kw = inherit({ ...emptyKeywords(), when: from.when }, { tags: from.tags.length ? [...from.tags, ...(p.tags === undefined ? [] : typeof p.tags === 'string' ? p.tags.split(',').map((t) => t.trim()) : p.tags)] : p.tags, environment: p.environment, become: p.become ?? (from.cli?.become || undefined), become_user: p.become_user ?? from.cli?.become_user, become_method: p.become_method ?? from.cli?.become_method, become_exe: p.become_exe, become_flags: p.become_flags, ignore_errors: p.ignore_errors, no_log: p.no_log, diff: p.diff, check_mode: p.check_mode, any_errors_fatal: p.any_errors_fatal, run_once: p.run_once, ignore_unreachable: p.ignore_unreachable, throttle: p.throttle, timeout: p.timeout, remote_user: p.remote_user, connection: p.connection, module_defaults: p.module_defaults });
  const load = (section: 'pre_tasks' | 'tasks' | 'post_tasks' | 'handlers') => loadNodes(src, [i, section], p[section], kw, section === 'handlers' ? { ...cx, inHandlers: true } : cx);
  const flush = (): MetaDef => ({ kind: 'meta', action: 'flush_handlers', implicit: true, name: 'flush_handlers', kw, path: [i], src });
  // Ansible's order (Play.compile): pre_tasks, a flush, roles and tasks as one section, a flush,
  // post_tasks, and the flush at the end of the play (host-run.ts). The second flush is there even
  // without post_tasks: a handler that notifies one listed before it gets it run there.
  const pre = load('pre_tasks');
  const roles = loadRoles(src, [i, 'roles'], p.roles, kw, cx);
  const tasks: Node[] = [...pre, ...(p.pre_tasks.length ? [flush()] : []), ...roles, ...load('tasks'), flush(), ...load('post_tasks')];
  const own = load('handlers');
  // the roles' handlers come first (TaskQueueManager: compile_roles_handlers() + play.handlers)
  const handlers = handlerList([...cx.roleHandlers, ...own]);
  const play: PlayDef = {
    name: p.name ?? p.hosts,
    hosts: p.hosts,
    vars: { ...(p.vars ?? {}), ...from.vars },
    roleVars: Object.assign({}, ...cx.exposed.map((r) => r.vars)),
    roleDefaults: Object.assign({}, ...cx.exposed.map((r) => r.defaults)),
    tasks,
    handlers,
    serial: p.serial,
    varsFiles: p.vars_files ?? [],
    varsPrompt: p.vars_prompt,
    order: p.order ?? 'inventory',
    max_fail_percentage: p.max_fail_percentage,
    any_errors_fatal: p.any_errors_fatal === true,
    force_handlers: p.force_handlers,
    strategy: p.strategy,
    kw,
    path: [i],
    src,
  };
  play.gatherFacts = p.gather_facts;
  if (p.gather_subset !== undefined || p.fact_path !== undefined || p.gather_timeout !== undefined) play.gatherOptions = { subset: p.gather_subset, factPath: p.fact_path, timeout: p.gather_timeout };
  return play;
}


/**
 * A play's handlers as Ansible lists them: a block's tasks (and an import_tasks') are handlers each;
 * an include_tasks is one handler (includes.ts includeHandler). Whether a notify reaches one is known
 * when the task changes something (engine/notify.ts), as in Ansible, where include_role adds handlers.
 */
function handlerList(nodes: Node[]): Handler[] {
  return nodes.flatMap((n) => (n.kind === 'block' ? handlerList([...n.block, ...n.rescue, ...n.always]) : [n]));
}

/** Every include_tasks with a loop under these nodes, outermost first. */
export function* walkLoops(nodes: Node[]): Generator<BlockDef> {
  for (const n of nodes) {
    if (n.kind !== 'block') continue;
    if (n.loop) yield n;
    for (const part of [n.block, n.rescue, n.always]) yield* walkLoops(part);
  }
}

/** Every task under these nodes, in order (blocks opened, meta tasks left out). */
export function* walkTasks(nodes: Node[]): Generator<TaskDef> {
  for (const n of nodes) {
    if (n.kind === 'task') yield* n.include ? walkTasks([n.include]) : [n];
    else if (n.kind === 'block') for (const part of [n.block, n.rescue, n.always]) yield* walkTasks(part);
  }
}

export const emptyKeywords = (): Keywords => ({ when: [], tags: [], vars: {}, defaults: {}, loopVars: [], environment: [] });

export function loadNodes(src: YamlSource, path: Path, raws: unknown[], parent: Keywords, cx: Ctx): Node[] {
  const { types, problems } = cx;
  const out: Node[] = [];
  raws.forEach((raw, j) => {
    const node = loadNode(src, [...path, j], raw, parent, cx);
    if (node) out.push(node);
  });
  return out;
}

/** A handler's name and `listen` topics as written (an include_tasks handler is reached by them). */
function handlerOwn(raw: Record<string, unknown>): { name?: string; listen: string[] } {
  const name = v.safeParse(Name, raw.name).output as string | undefined;
  const listen = (Array.isArray(raw.listen) ? raw.listen : [raw.listen]).filter((x): x is string => typeof x === 'string');
  return { name: typeof name === 'string' ? name : undefined, listen };
}

function loadNode(src: YamlSource, path: Path, raw: unknown, parent: Keywords, cx: Ctx): Node | undefined {
  const { types, problems } = cx;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push(problemAt(src, path, `expected a task (a map with a name and one task type), got ${show(raw)}`));
    return undefined;
  }
  let obj = raw as Record<string, unknown>;
  if ('block' in obj) return loadBlock(src, path, obj, parent, cx);
  if ('action' in obj || 'local_action' in obj) {
    const moved = actionForm(obj);
    if (typeof moved === 'string') {
      problems.push(problemAt(src, [...path, 'local_action' in obj ? 'local_action' : 'action'], moved, 'key'));
      return undefined;
    }
    obj = moved;
  }
  const include = includeKind(obj);
  if (include === 'tasks') {
    const b = loadIncludeTasks(src, path, obj, parent, cx);
    return b?.include && cx.inHandlers ? includeHandler(b, handlerOwn(obj)) : b;
  }
  if (include === 'role') {
    // Ansible's parser refuses it (helpers.load_list_of_tasks). Messages in Ansible's own words keep its
    // `ERROR!` marker after file:line:col: scripts written for Ansible grep its output for them.
    if (cx.inHandlers) {
      const key = Object.keys(obj).find((k) => /(^|\.)(include|import)_role$/.test(k))!;
      problems.push(problemAt(src, [...path, key], `ERROR! Using '${key.replace(/^ansible\.(builtin|legacy)\./, '')}' as a handler is not supported.`, 'key'));
      return undefined;
    }
    return loadIncludeRole(src, path, obj, parent, cx);
  }
  const fqMeta = 'ansible.builtin.meta' in obj || 'ansible.legacy.meta' in obj;
  if ('meta' in obj || fqMeta) {
    const { 'ansible.builtin.meta': fq, 'ansible.legacy.meta': legacy, ...rest } = obj;
    const r = v.safeParse(MetaTaskSchema, plainKeywords(fqMeta && !('meta' in obj) ? { ...rest, meta: fq ?? legacy } : obj));
    if (!r.success) {
      problems.push(...issuesToProblems(src, path, r.issues, 'a meta task', Object.keys(MetaTaskSchema.entries)));
      return undefined;
    }
    return { kind: 'meta', action: r.output.meta, name: r.output.name ?? `meta: ${r.output.meta}`, written: r.output.name, kw: inherit(parent, r.output), path, src };
  }
  return normalizeTask(src, path, obj, parent, cx);
}

function loadBlock(src: YamlSource, path: Path, obj: Record<string, unknown>, parent: Keywords, cx: Ctx): BlockDef | undefined {
  const { types, problems } = cx;
  const r = v.safeParse(BlockSchema, plainKeywords(obj));
  if (!r.success) {
    problems.push(...issuesToProblems(src, path, r.issues, 'a block', Object.keys(BlockSchema.entries)));
    return undefined;
  }
  const b = r.output;
  // a handlers' block is Ansible's implicit block; one inside it is refused by its parser
  if (cx.inHandlers && cx.inBlock) {
    problems.push(problemAt(src, [...path, 'block'], 'ERROR! Using a block as a handler is not supported.', 'key'));
    return undefined;
  }
  const kw = inherit(parent, b);
  // a block's collections: are its tasks' (Ansible's CollectionSearch on Block)
  const bcx = b.collections ? { ...cx, collections: withDefaultCollection(b.collections) } : cx;
  const part = (k: 'block' | 'rescue' | 'always') => loadNodes(src, [...path, k], b[k], kw, bcx.inHandlers ? { ...bcx, inBlock: true } : bcx);
  return { kind: 'block', name: b.name ?? 'block', kw, block: part('block'), rescue: part('rescue'), always: part('always'), path, src };
}

/** Ansible's BUILTIN_TASKS (parsing/mod_args.py): never looked up by its loaders, so never filtered */
const NOT_PLUGINS = new Set(['meta', 'include', 'include_tasks', 'include_role', 'import_tasks', 'import_role']);

function normalizeTask(src: YamlSource, path: Path, raw: Record<string, unknown>, parent: Keywords, cx: Ctx): TaskDef | undefined {
  // the task's own collections: resolve its module's short name (Task.preprocess_data), completed as the play's are
  const taskColls = typeof raw.collections === 'string' ? [raw.collections] : raw.collections;
  if (Array.isArray(taskColls) && taskColls.every((c) => typeof c === 'string')) cx = { ...cx, collections: withDefaultCollection(taskColls) };
  const { types, problems } = cx;
  // a module the plugin filters reject is not found, by the name as written (ModuleArgsParser's lookup);
  // Ansible's own task keywords (include_tasks, meta...) are not looked up as plugins
  const rejected = Object.keys(raw).find((k) => !META_KEYS.includes(k) && !isWithKey(k) && !NOT_PLUGINS.has(k) && isRejectedModule(k));
  if (rejected !== undefined) {
    problems.push(problemAt(src, [...path, rejected], `couldn't resolve module/action '${rejected}'. This often indicates a misspelling, missing collection, or incorrect module path.`, 'key'));
    return undefined;
  }
  const entries = Object.entries(raw).map(([k, x]) => [META_KEYS.includes(k) || isWithKey(k) ? k : inCollections(k, cx), x] as const);
  // with_<lookup>: a loop for any lookup plugin's name, as Ansible's task loader (keywords.ts's loopOf)
  const { rest: metaRaw, withs } = splitWith(Object.fromEntries(entries.filter(([k]) => META_KEYS.includes(k) || isWithKey(k))));
  const typeKeys = entries.filter(([k]) => !META_KEYS.includes(k) && !isWithKey(k));
  // aliases (Ansible's names for skiff's types) are accepted but not listed
  const known = [...types.values()].filter((t) => !t.aliasOf).map((t) => t.name);
  // a name skiff knows from Ansible but does not run is named as such, not as an unknown or extra type
  // what the playbook's library/ or the controller's Ansible has is run as Ansible runs it
  const runnable = (k: string) => {
    const local = types.has(k) ? undefined : localPlugin(k, cx);
    return types.has(k) || (local !== undefined && (!local.action || types.localAction !== undefined)) || types.ansibleModule?.(k) !== undefined;
  };
  const refused = typeKeys.filter(([k]) => !runnable(k)).map(([k]) => [k, types.refuse?.(k)] as const).filter((r): r is readonly [string, string] => r[1] !== undefined);
  if (refused.length) {
    for (const [k, why] of refused) problems.push(problemAt(src, [...path, k], why, 'key'));
    return undefined;
  }
  if (typeKeys.length !== 1) {
    if (typeKeys.length === 0) problems.push(problemAt(src, path, `task has no task type: expected exactly one of ${known.join(', ')}`));
    else {
      const unknown = typeKeys.filter(([k]) => !types.has(k)).map(([k]) => k);
      const detail = unknown.length ? `${unknown.map((k) => show(k)).join(', ')} ${unknown.length > 1 ? 'are neither task keywords nor task types' : 'is neither a task keyword nor a task type'}` : `more than one task type (${typeKeys.map(([k]) => k).join(', ')})`;
      const at = unknown[0] ?? typeKeys[1][0];
      problems.push(problemAt(src, [...path, at], `task has ${detail}${didYouMean(at, [...known, ...META_KEYS])}: expected exactly one of ${known.join(', ')}, with keywords from ${META_KEYS.join(', ')}`, 'key'));
    }
    return undefined;
  }
  const [typeName, rawParams] = typeKeys[0];
  // a module of the playbook's or a role's library (or ANSIBLE_LIBRARY) comes before Ansible's own of that
  // short name, as Ansible's module search ends with its own modules; not where Ansible runs the name
  // through an action plugin of its own (copy, command: skiff's type is that plugin)
  const library = types.has(typeName) && typeName !== RUNTIME_ACTION && types.localModule ? localModule(typeName, cx) : undefined;
  const own = library && !types.actionPlugin?.(typeName.split('.').pop()!) ? library : undefined;
  const plugin = own ? { file: own, action: false } : types.has(typeName) ? undefined : localPlugin(typeName, cx);
  let type = (own ? types.localModule?.(typeName, own) : undefined) ?? (typeName === RUNTIME_ACTION ? runtimeAction(types) : types.get(typeName)) ?? (plugin ? (plugin.action ? types.localAction?.(typeName, plugin.file) : types.localModule?.(typeName, plugin.file)) : types.ansibleModule?.(typeName));
  if (!type) {
    if (plugin) {
      problems.push(problemAt(src, [...path, typeName], `${typeName} is a playbook-local Ansible ${plugin.action ? 'action plugin' : 'module'} (${plugin.file}): ${plugin.action ? 'Python action plugins run inside Ansible and are not supported by skiff' : 'skiff runs those only through ansible-core'}: expected one of ${known.join(', ')}`, 'key'));
      return undefined;
    }
    const hint = didYouMean(typeName, [...known, ...META_KEYS]);
    problems.push(problemAt(src, [...path, typeName], `unknown task type ${show(typeName)}${hint}: expected one of ${known.join(', ')}`, 'key'));
    return undefined;
  }
  const m = v.safeParse(TaskMetaSchema, plainKeywords(metaRaw));
  if (!m.success) {
    problems.push(...issuesToProblems(src, path, m.issues, 'a task'));
    return undefined;
  }
  const meta: TaskMeta = { ...m.output, ...withs };
  let params = typeof rawParams === 'string' ? freeForm(src, [...path, typeName], typeName, type, rawParams, problems) : rawParams;
  if (params === undefined) return undefined;
  if (params === null) params = {};
  // args: Ansible's older spelling for parameters; the inline ones win
  if (meta.args && typeName === RUNTIME_ACTION) {
    // a templated action's arguments are its module's: `args:` goes under them (action: "{{ pkg_mgr }}" with args)
    const p = params as { module: unknown; args?: Record<string, unknown> };
    params = { ...p, args: { ...meta.args, ...(p.args ?? {}) } };
  } else if (meta.args) params = typeof params === 'object' && !Array.isArray(params) ? { ...meta.args, ...(params as object) } : params;
  // words that are parameters from a variable: known when the task runs (variable-params.ts)
  let variable: unknown;
  if (params && typeof params === 'object' && !Array.isArray(params) && VARIABLE_PARAMS in params) ({ [VARIABLE_PARAMS]: variable, ...params } = params as Record<string, unknown>);
  // module_defaults for this module: under the task's own arguments (Ansible merges them when the task runs)
  const allDefaults = { ...parent.module_defaults, ...meta.module_defaults };
  if (Object.keys(allDefaults).length && params && typeof params === 'object' && !Array.isArray(params)) {
    const action = resolvedAction(typeName, () => localPlugin(typeName.split('.').pop()!, cx) !== undefined, types);
    const found = moduleDefaultsFor(action, allDefaults, types);
    if ('problem' in found) {
      // once, however many tasks the play's module_defaults reach
      if (!problems.some((p) => p.message === found.problem)) problems.push(problemAt(src, path, found.problem));
      return undefined;
    }
    let defaults = found.args;
    // gather_facts runs its facts module (setup) with the action's args over that module's defaults (Ansible's gather_facts action)
    if (action === 'ansible.builtin.gather_facts') {
      const setup = moduleDefaultsFor('ansible.builtin.setup', allDefaults, types);
      if ('args' in setup) defaults = { ...setup.args, ...defaults };
    }
    params = { ...defaults, ...(params as object) };
  }
  // a parameter skiff's own type does not honour (apt's default_release): Ansible's module runs the task
  // where the controller has it (one without an action plugin of its own), as Ansible would run it
  const unhonoured = type.refuseParam && params && typeof params === 'object' && Object.entries(params).some(([k, x]) => type!.refuseParam!(k, x));
  // likewise `async:` on a type of skiff's that cannot run in the background (lineinfile, apt...): Ansible's
  // module, which runs under async_wrapper as in Ansible (python-module.ts); 0 is not async
  const background = meta.async !== undefined && meta.async !== 0 && !type.background && !type.startJob && !type.noAsync;
  const ansibles = unhonoured || background ? types.ansibleModule?.(typeName) : undefined;
  if (ansibles) type = ansibles;
  const canon = canonicalParams(src, [...path, typeName], type, params);
  params = canon.params;
  // an option skiff's type does not honour, with no Ansible module to run instead (yum's allow_downgrade:
  // yum has an action plugin): refused by name when the task runs, not at load, since a task `when`
  // skips (a role's RedHat branch on a Debian host: elastic.elasticsearch) runs nothing and fails nothing
  if (canon.refused.length) {
    type = failsWith(type, canon.refused.map((r) => r.why).join('; '));
    params = Object.fromEntries(Object.entries(params as object).filter(([k]) => !canon.refused.some((r) => r.key === k)));
  }
  const unsupported = unsupportedKeys(type, params);
  if (unsupported.length) {
    params = Object.fromEntries(Object.entries(params as object).filter(([k]) => !unsupported.includes(k)));
    type = failsOnUnsupported(type, unsupported, typeName);
  }
  if (variable !== undefined) {
    params = { ...(params as object), [VARIABLE_PARAMS]: variable };
    type = variableParams(type);
  }
  const list = (x: string | string[] | undefined) => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
  // an unnamed task is named by its action as written (a collections: match keeps its short name)
  const written = Object.keys(raw).find((k) => !META_KEYS.includes(k) && inCollections(k, cx) === typeName) ?? typeName;
  const name = meta.name ?? (typeName === RUNTIME_ACTION ? String((rawParams as { module: string }).module) : written);
  const loop = loopOf(src, path, meta, cx.problems, cx);
  if (loop === null) return undefined;
  return { kind: 'task', name, type, params, meta, kw: inherit(parent, meta), notify: meta.notify === undefined ? (parent.notify ?? []) : list(meta.notify), listen: list(meta.listen), loop, path, src, roleDir: cx.roleDir, ...(cx.collections?.length ? { collections: cx.collections } : {}) };
}

/**
 * A short module name as the play's `collections:` resolve it: the first of them that has a module of
 * that name (`ns.coll.name`), else the name as written (ansible.legacy, as Ansible ends the search).
 */
function inCollections(name: string, cx: Ctx): string {
  if (!cx.collections?.length || name.includes('.')) return name;
  for (const c of cx.collections) {
    // ansible.builtin / ansible.legacy: what the short name means anyway
    if ((c === 'ansible.builtin' || c === 'ansible.legacy') && cx.types.has(name)) return name;
    const fq = `${c}.${name}`;
    // one skiff cannot run (a collection's action plugin) is still the one Ansible picks: refused by that name
    if (cx.types.has(fq) || cx.types.ansibleModule?.(fq) || cx.types.unrunnable?.(fq)) return fq;
  }
  return name;
}

/**
 * The file of an action plugin (action_plugins/NAME.py) or module (library/) that Ansible would find
 * beside the role or the playbook for a task type of this name, if there is one.
 */
function localPlugin(name: string, cx: Ctx): { file: string; action: boolean } | undefined {
  const dirs = [cx.roleDir, cx.playDir].filter((d): d is string => d !== undefined);
  const action = dirs.map((d) => join(d, 'action_plugins', `${name}.py`)).find((f) => existsSync(f));
  if (action) return { file: action, action: true };
  const module = localModule(name, cx);
  return module ? { file: module, action: false } : undefined;
}

/** The module file Ansible's module search finds for `name` from where this task is loaded. */
const localModule = (name: string, cx: Ctx) => findModuleFile(name, cx.modules ?? { dirs: [cx.roleDir, cx.playDir].filter((d): d is string => d !== undefined).map((d) => join(d, 'library')), configured: [] });






/**
 * Params under their own names: an alias (Ansible's `dest` for `path`) renamed, a param the type's
 * module has but the type does not honour refused by name (each refusal's text, with its position).
 * Both spellings given: the param's own name wins, as Ansible's (which warns).
 */
function canonicalParams(src: YamlSource, at: Path, type: TaskType, params: unknown): { params: unknown; refused: { key: string; why: string }[] } {
  if (!params || typeof params !== 'object' || Array.isArray(params)) return { params, refused: [] };
  const refused: { key: string; why: string }[] = [];
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(params)) {
    const why = type.refuseParam?.(k, val);
    if (why) refused.push({ key: type.paramAliases?.[k] ?? k, why: formatProblem(problemAt(src, [...at, k], why, 'key')) });
    const own = type.paramAliases?.[k];
    if (own === undefined) out[k] = val;
    else if (!Object.hasOwn(params, own)) out[own] = val;
  }
  return { params: out, refused };
}

/**
 * A task's arguments written as one string (`copy: src=a dest="b c"`), as Ansible reads them when it
 * loads the task (src/playbook/kv.ts): its `key=value` words are the parameters, checked by the type's
 * schema as the map form is. The other words are the command line of command/shell (`_raw_params`),
 * or, when the string has no `key=value` word at all, skiff's short form (`stat: /x`, the whole string
 * as the type's shortKey). Undefined (with the problem recorded) when Ansible would refuse it.
 */
function freeForm(src: YamlSource, at: Path, typeName: string, type: TaskType, text: string, problems: InputProblem[]): Record<string, unknown> | undefined {
  const kv = parseKv(text, isFreeForm(typeName) || type.name === 'command');
  if (!kv.ok) {
    problems.push(problemAt(src, at, `${kv.error}: expected key=value words, with quotes and {{ }} closed`));
    return undefined;
  }
  const { _raw_params: raw, ...args } = kv.value;
  // skiff's own short forms (`wait-http: http://h/?a=b`) are not k=v when a "key" is no parameter name
  const own = !type.aliasOf && !type.name.includes('.');
  if (own && type.shortKey && Object.keys(args).some((k) => !/^[A-Za-z_]\w*$/.test(k))) return { [type.shortKey]: text };
  if (raw === undefined || raw === '') return args;
  // skiff's own command (shortKey cmd) is a command line too
  if (keepsRawParams(typeName) || type.name === 'command') return { ...args, [type.shortKey ?? '_raw_params']: raw };
  // an Ansible module's words with a template: a variable holding its parameters (mod_args.py _variable_params)
  if (!own && /\{[{%]/.test(raw)) return { ...args, [VARIABLE_PARAMS]: raw };
  if (!Object.keys(args).length && type.shortKey) return { [type.shortKey]: text };
  // Ansible takes a lone {{ }} there for a variable holding the parameters (its _variable_params)
  const why = raw.includes('{{') ? 'parameters from a variable are not supported by skiff' : 'only command, shell, raw, script and set_fact take words that are not key=value';
  problems.push(problemAt(src, at, `${typeName} has extra params ${show(raw)}: expected key=value words only (${why})`));
  return undefined;
}

/** The key of a task whose `action:` names its module with a template: resolved (and failed) when it runs. */
const RUNTIME_ACTION = '_templated_action';
/**
 * `action: {module: "{{ x }}", ...}`: Ansible templates a task's action for each host when it runs
 * (strategy_linear's task_action_templating: one host runs debug, another ping). The module is looked up
 * then and its arguments checked by its schema; a name that is no module fails the task.
 */
function runtimeAction(types: TaskTypes): TaskType<{ module: string; args: Record<string, unknown> }, { type: TaskType; params: unknown; plan: Plan }> {
  return {
    name: 'action',
    summary: 'an action: whose module name is a template, resolved when the task runs',
    schema: v.object({ module: v.string(), args: v.optional(v.record(v.string(), v.unknown()), {}) }),
    verbatim: ['module'],
    async plan(ctx, p) {
      const name = String(renderString(p.module, ctx.scope!));
      // Ansible's normal action, which then finds no module of that name
      if (isRejectedModule(name)) throw new TaskFailure(`The module ${name} was not found in configured module paths`);
      const type = types.get(name) ?? types.ansibleModule?.(name);
      if (!type) throw new TaskFailure(`couldn't resolve module/action '${name}'. This often indicates a misspelling, missing collection, or incorrect module path.`);
      const parsed = parseParams(type.schema, p.args);
      if (!parsed.success) throw new TaskFailure(`${name}: ${parsed.issues.map((i) => i.message).join('; ')}`);
      const plan = await type.plan(ctx, parsed.output);
      // debug's result is always shown (its action's _ansible_verbose_always), whatever name the task has
      const shown = /(^|\.)debug$/.test(type.aliasOf ?? type.name) && plan.result ? { result: { ...plan.result, _ansible_verbose_always: true } } : {};
      return { ...plan, ...shown, state: { type, params: parsed.output, plan } };
    },
    apply: (ctx, _p, plan) => plan.state!.type.apply(ctx, plan.state!.params, plan.state!.plan),
  };
}

/**
 * `action: copy src=a dest=b` / `action: {module: copy, src: a}` and `local_action:` (delegated to
 * localhost), Ansible's older spellings (ModuleArgsParser), as the task with the module as its key. A
 * templated module name is resolved for each host when the task runs (runtimeAction). A message when both are given or no module is named.
 */
export function actionForm(obj: Record<string, unknown>): Record<string, unknown> | string {
  const { action, local_action, ...rest } = obj;
  if (action !== undefined && local_action !== undefined) return 'action and local_action are mutually exclusive';
  // `action: !unsafe n.c.a` names its module as plain text would
  const given = action ?? local_action;
  const thing = typeof given === 'string' ? (literalText(given) ?? given) : given;
  let module: unknown;
  let args: unknown;
  if (typeof thing === 'string') {
    // ModuleArgsParser._split_module_string: split_args's first word (a `{{ name }}` is one word)
    const words = splitArgs(thing);
    const m = thing.trim().match(/^(\S+)(?:\s+([^]*))?$/);
    module = words.ok && words.value.length ? words.value[0].trim() : m?.[1];
    args = words.ok ? (words.value.length > 1 ? words.value.slice(1).join(' ') : null) : (m?.[2] ?? null);
  } else if (thing && typeof thing === 'object' && !Array.isArray(thing)) {
    const { module: mod, ...more } = thing as Record<string, unknown>;
    module = mod;
    args = more;
  }
  if (typeof module !== 'string' || module === '') return `${action !== undefined ? 'action' : 'local_action'}: got ${show(thing)}, expected a module and its arguments (action: copy src=a dest=b, or a map with module:)`;
  // a module the plugin filters reject: Ansible's `action:` is not looked up as the task loads, so it fails when it runs
  if (/\{[{%]/.test(module) || isRejectedModule(module)) {
    const kv = typeof args === 'string' ? parseKv(args) : undefined;
    const given = kv ? (kv.ok ? kv.value : { _raw_params: args }) : (args ?? {});
    return { ...rest, [RUNTIME_ACTION]: { module, args: given }, ...(local_action !== undefined ? { delegate_to: 'localhost' } : {}) };
  }
  return { ...rest, [module]: args, ...(local_action !== undefined ? { delegate_to: 'localhost' } : {}) };
}
