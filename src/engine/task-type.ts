// What every file in tasks/ exports. A task first plans from facts it reads on the host (reads only),
// then applies the plan. Check mode is the plan alone: apply is never called.
import type * as v from 'valibot';
import type { Connection } from '../transport/types.ts';
import type { Inventory } from '../inventory/types.ts';
import type { Scope } from '../template/expr.ts';

export interface TaskContext {
  host: string;
  conn: Connection;
  vars: Record<string, unknown>;
  inventory: Inventory;
  /** every host's merged vars, for tasks that need other hosts (the query's stores) */
  hostvars: Record<string, Record<string, unknown>>;
  check: boolean;
  /** diff mode (--diff, or the task's `diff:`): modules such as blockinfile register before/after then */
  diff?: boolean;
  /** strings that must never be shown (secret vars), for tasks that build their own messages */
  secrets: string[];
  /**
   * Check mode only: what earlier tasks of this run would have left at a path (by path), so a task that
   * edits a file an earlier task would create plans against that, instead of failing on its absence.
   */
  pending?: Map<string, unknown>;
  /** facts the engine read ahead for this host in one round trip (cleared after any change) */
  cache?: Map<string, unknown>;
  /** the task's variables, for tasks that evaluate expressions or render files (assert, template) */
  scope?: Scope;
  /** directory of the file the task is written in: Ansible looks up a relative `src` from there */
  dir?: string;
  /**
   * For long steps: what the task is doing now, so an operator can tell a slow copy from a hang.
   * Call it as often as is handy: the engine throttles, redacts secrets and works out the rate.
   */
  progress?(p: ProgressReport): void;
  /** waits (pause): the engine's clock, which tests replace */
  sleep?(ms: number): Promise<void>;
  /** the task's parameters as written, before rendering (Ansible's untemplated_args: assert warns on a `that` with {{ }}) */
  untemplated?: unknown;
  /** a line of Ansible's default callback while the task runs on this host (`ASYNC POLL on h: ...`), shown as it comes */
  say?(text: string): void;
  /** the params whose rendering read an unsafe value (template/unsafe.ts): debug's var is not evaluated again, set_fact's facts are not templated again */
  unsafe?: ReadonlySet<string>;
  /** the class of the strings each param's value is or holds (template/unsafe.ts TEXT_CLASS bits): set_fact keeps it with its facts */
  textClass?: ReadonlyMap<string, number>;
  /** Ansible's run-time warning (`[WARNING]:` on stderr), shown once per task on this host as Ansible's worker shows it */
  warn?(text: string): void;
  /**
   * setup's plain gathering: the gather_subset of Ansible's setup that holds the facts the play reads
   * beyond skiff's own (fact-needs.ts), when the controller has ansible-core to run it
   */
  factsNeeded?: string[];
  /** the collections the task's short names are searched in (Ansible's task.collections) */
  collections?: string[];
  /** Ansible's connection plugin of the task's connection (`local` or `ssh`): reboot refuses to reboot the controller */
  transport?(): 'local' | 'ssh';
  /** the task's connection closed; its next command opens a new one (a connection plugin's reset(), after a reboot) */
  resetConnection?(): Promise<void>;
}

/** What a task type runs in the background: a command line, its stdin, the fields its result starts from. */
export interface BackgroundCommand {
  line: string;
  stdin?: string;
  /** fields of the result known before it runs (cmd, warnings), as the module's result has them */
  base: Record<string, unknown>;
  /** strip trailing \r and \n from stdout and stderr (command's strip_empty_ends) */
  stripEnds: boolean;
}

/** What a task says while it works: `text` alone, or with how far it is (`done` of `total`). */
export interface ProgressReport {
  text: string;
  done?: number;
  total?: number;
  /** done/total are bytes: shown as sizes, with a rate */
  unit?: 'bytes';
}

export interface Plan<S = unknown> {
  /** one short line per pending change; empty = nothing to do (status ok) */
  changes: string[];
  /** a human diff (unified-diff style for files, field by field for containers) */
  diff?: string;
  /** facts the apply step needs, so it does not read them again */
  state?: S;
  /**
   * values for `register` when nothing changes. Its `ansible_facts` (a map), if any, become host vars
   * for every later task of the run, as Ansible's set_fact (merged into the registered layer), or at
   * include_vars precedence for a type with `includesVars`.
   */
  result?: Record<string, unknown>;
  /** ok but worth saying (e.g. "skipped in check mode") */
  note?: string;
  /** set by tasks that cannot run in check mode (commands): status skipped */
  skip?: boolean;
}

export interface TaskType<P = any, S = any> {
  name: string;
  /** one line for `skiff validate` and error messages */
  summary: string;
  schema: v.GenericSchema<unknown, P>;
  /** the short form `type: "string"` becomes `{ [shortKey]: string }` */
  shortKey?: string;
  /** params whose `{{ }}` expansions are shell-quoted, since they end up in a remote command */
  shellParams?: string[];
  /**
   * params that are paths on the host (Ansible's `type='path'` options): `~` and `$VAR` expanded by
   * the host and a relative one made absolute from its working directory before plan (host-paths.ts)
   */
  hostPaths?: readonly string[];
  /** params given to the task as written, not rendered: the task templates them itself (debug's `var`) */
  verbatim?: string[];
  /**
   * Ansible's name for skiff's type `aliasOf` (`copy` for `ansible.builtin.copy`): accepted in a
   * playbook, left out of the lists of task types
   */
  aliasOf?: string;
  /** other names of params (Ansible's aliases: `dest` for `path`), renamed to the param's own name when loaded */
  paramAliases?: Readonly<Record<string, string>>;
  /**
   * why a param this type does not take is refused, when it is one its module has (an option of Ansible's
   * skiff does not honour); `value`, as written, for an option skiff honours only in part (file's
   * modification_time: preserve only)
   */
  refuseParam?(key: string, value?: unknown): string | undefined;
  /**
   * Ansible's failure for parameters its module does not have at all, given the name the task wrote:
   * with it such a task loads and fails when it runs, as in Ansible (a task `when` skips runs nothing);
   * without it an unknown parameter is refused when the playbook loads
   */
  unsupportedParams?(keys: string[], written: string): string;
  /**
   * Runs once per batch, on its first host, the others sharing the result, as `run_once` (Ansible's
   * actions that bypass the host loop: pause, add_host)
   */
  once?: boolean;
  /**
   * its result's `add_host` or `add_group` changes the run's inventory (Ansible's add_host and
   * group_by, which the strategy applies): later plays may target hosts and groups it makes
   */
  changesInventory?: boolean;
  /** params that are conditions, as `when:` (assert's `that`): checked before the run like `when` */
  exprParams?: string[];
  /**
   * names of the host vars a task with these raw params sets (set_fact): known to later tasks' checks.
   * `where`: the task's directory (its role's, in a role) and the playbook's, for files it would read.
   */
  sets?(params: unknown, where?: { dir: string; role: boolean; playbookDir?: string }): string[];
  /**
   * its result's `ansible_facts` are variables at include_vars precedence (over task, block, role and
   * play vars; under set_fact and registered results), not set_fact's (Ansible's include_vars)
   */
  includesVars?: boolean;
  /**
   * Runs on the controller alone and never uses its connection (Ansible's action plugins that run no
   * module on the host: debug, assert, fail, set_fact, include_vars, pause): the host is not contacted
   * for it, so it runs on a host skiff could not reach, as in Ansible (which connects only to run a module).
   */
  controllerOnly?: boolean;
  /**
   * The host is reached only when the task runs a command there (ctx.conn opens the task's connection
   * on its first exec): a Python action plugin, whose connection Ansible connects on first use
   */
  lazyConnection?: boolean;
  /**
   * Ansible's action reaches the host without a Python module (raw, script): no interpreter discovery
   * for it (an `auto` ansible_python_interpreter is discovered by the first task that runs a module)
   */
  noModule?: boolean;
  /** facts plan() reads: the engine reads those of a whole play in one round trip (read-ahead.ts) */
  reads?(params: P): FactRead[];
  /**
   * For params some of which are known only at run time (from a registered result): the facts plan()
   * will read that these params name anyway. `known` is the rendered params, unvalidated, with what
   * is not known yet left out: check what is used.
   */
  readsKnown?(known: Record<string, unknown>): FactRead[];
  /**
   * Before apply: drop from the facts read ahead (TaskContext.cache) what apply may change, and say
   * so (true). Without it, or false, the engine drops them all.
   */
  forget?(params: P, cache: Map<string, unknown>): boolean;
  /**
   * `async:` — the command apply would run, to run it detached in the background instead (an async
   * job, src/engine/async-job.ts). A type without it refuses async by name when the task runs.
   */
  background?(ctx: TaskContext, params: P, plan: Plan<S>): BackgroundCommand;
  /**
   * `async:` for a type that starts its own job: a Python module under Ansible's async_wrapper, which
   * writes the job's result file in `dir` and kills it after `limitS` s as Ansible's does. Its jid and
   * that file's path, as the wrapper says them.
   */
  startJob?(ctx: TaskContext, params: P, dir: string, limitS: number): Promise<{ jid: string; resultsFile: string }>;
  /** Ansible's action for this module refuses async ("async is not supported for this task.") */
  noAsync?: boolean;
  plan(ctx: TaskContext, params: P): Promise<Plan<S>>;
  /**
   * returns values for `register`; one with `changed: false` makes the task ok (a module that decides
   * when it runs whether it changed anything: a playbook's own Python module), else it is changed
   */
  apply(ctx: TaskContext, params: P, plan: Plan<S>): Promise<Record<string, unknown> | void>;
}

/** The parameters of a task type's schema (an object schema, possibly first in a pipe), by name; none for others. */
export function schemaEntries(schema: unknown): Record<string, { type?: string; wrapped?: { type?: string } }> | undefined {
  let s = schema as { entries?: Record<string, { type?: string }>; pipe?: unknown[] };
  if (!s.entries && s.pipe) s = s.pipe[0] as typeof s;
  return s.entries;
}

/**
 * Whether a task type's schema takes any name besides its own (a loose object: package, whose action
 * passes the rest on to the manager's module, which takes or refuses them when it runs).
 */
export function schemaIsOpen(schema: unknown): boolean {
  let s = schema as { type?: string; pipe?: unknown[] };
  if (s.type !== 'loose_object' && s.pipe) s = s.pipe[0] as typeof s;
  return s.type === 'loose_object';
}

/** The parameter names of a task type's schema. */
export function schemaParams(schema: unknown): string[] {
  return Object.keys(schemaEntries(schema) ?? {});
}

/** A task that fails on purpose, with a message for the user (not a bug in skiff). */
export class TaskFailure extends Error {
  constructor(
    message: string,
    readonly result: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'TaskFailure';
  }
}

/**
 * A task that failed before its action ran, on an error of its templates (Ansible's result then is
 * `failed` and `msg` only: no `changed`).
 */
export class TemplateFailure extends TaskFailure {}

/**
 * A task that failed on a Python exception of its templates (ZeroDivisionError...): Ansible's result then
 * is `exception` (the traceback) with `failed` and `changed`, no `msg`. `message` is the traceback's last line.
 */
export class TaskException extends TaskFailure {
  get traceback(): string {
    return `Traceback (most recent call last):\n  File "<template>", line 1, in root\n${this.message}\n`;
  }
}

/** Task types by the name a playbook uses (aliases included). */
export interface TaskTypes extends Map<string, TaskType> {
  /**
   * Why a key that is not a task type here is refused, when it is a name skiff knows from Ansible (a
   * module or a task keyword skiff does not support): the loader names it instead of calling it unknown.
   */
  refuse?(key: string): string | undefined;
  /**
   * The task type of a Python module the playbook or its role brings (library/NAME.py), run as Ansible
   * runs it; without it such a module is refused by name.
   */
  localModule?(name: string, file: string): TaskType;
  /**
   * The task type of a Python action plugin the playbook or its role brings (action_plugins/NAME.py),
   * run inside the controller's ansible-core as Ansible runs it; without it such a plugin is refused by name.
   */
  localAction?(name: string, file: string): TaskType;
  /**
   * The task type of a module the controller's Ansible has (ansible-core's own or an installed
   * collection's) and skiff has no type for, run as Ansible runs it; undefined when there is none.
   */
  ansibleModule?(name: string): TaskType | undefined;
  /**
   * Why a module or action the controller's Ansible has (a collection's action plugin) cannot run in
   * skiff; undefined when Ansible has no such name or skiff can run it.
   */
  unrunnable?(name: string): string | undefined;
  /**
   * Whether Ansible runs this short module name through an action plugin of its own (copy, command,
   * debug): a library/ module of that name does not replace skiff's type of it then
   */
  actionPlugin?(name: string): boolean;
  /**
   * module_defaults' view of a name: the FQCN Ansible resolves a module or action name to (redirects
   * followed), undefined when the controller's Ansible has no such name
   */
  resolvedName?(name: string): string | undefined;
  /**
   * The actions of an action group (`group/ns.coll.NAME` of module_defaults: a collection's meta/runtime.yml
   * action_groups, extend_group followed), or why Ansible cannot resolve it
   */
  actionGroup?(fqGroup: string): string[] | string;
  /** Ansible's warnings of loading the playbook that the hooks above gave (an action group's bad metadata), since last asked */
  loadWarnings?(): string[];
}

/**
 * A kind of fact tasks plan from, read as pyinfra reads facts: one shell command for many queries and
 * a parser of its output, so that the engine can read what a whole play's tasks will read in one
 * round trip and keep it per host (TaskContext.cache, by `key`) until a task changes something.
 */
export interface FactSource<Q = any> {
  /** the cache key of one query's facts: the same for every task that reads the same thing */
  key(q: Q): string;
  /** POSIX sh printing the facts of all these queries (distinct keys) on stdout */
  script(qs: Q[]): string;
  /** the facts by key, from the script's stdout when it exited 0; a key left out is read by the task itself */
  parse(stdout: string, qs: Q[]): Map<string, unknown>;
}

export interface FactRead<Q = any> {
  source: FactSource<Q>;
  query: Q;
}

/** What the engine is given to run with: the task types by name (composed by the CLI from tasks/). */
export interface Registry {
  types: TaskTypes;
  /**
   * Ansible's own facts of these gather_subset collectors (its setup module), for a play that reads a
   * fact skiff's gathering lacks: the facts without their `ansible_` prefix, as ansible_facts holds them.
   */
  ansibleFacts?(conn: Connection, interpreter: string, subset: string[], opts?: { factPath?: string; timeout?: number }): Promise<Record<string, unknown>>;
}
