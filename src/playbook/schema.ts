// The shapes of a playbook, as valibot schemas: the single source of these input types. Every key
// here has an effect (test/unit/keywords.test.ts walks these schemas and fails on a key it has no
// behaviour test for). Spelling and meaning are Ansible's.
import * as v from 'valibot';
import { isWithKey } from '../lookup/names.ts';
import { becomeMethodOf, becomeMethodRefused } from '../transport/become.ts';
import { PyFloat } from '../template/py-float.ts';

export const Identifier = v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a variable name (letters, digits, _)'));

/**
 * A play's, block's or task's `name`: text, or a scalar as Ansible reads it as text (`name: true` is
 * "True", `name: 7` is "7"); an empty `name:` is no name.
 */
export const Name = v.pipe(
  v.nullable(v.union([v.string(), v.number(), v.boolean()], 'expected a name (text)')),
  v.transform((x) => (x === null ? undefined : typeof x === 'boolean' ? (x ? 'True' : 'False') : String(x))),
);

/** register's name, refused with Ansible's words too (task_executor.py): scripts grep for them */
const REGISTER_MSG = "expected a variable name (letters, digits, _): Invalid variable name in 'register' specified";
const RegisterName = v.pipe(v.string(REGISTER_MSG), v.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, REGISTER_MSG));

const Bool = v.boolean('expected true or false');
const isMap = (x: unknown) => typeof x === 'object' && x !== null && !Array.isArray(x);
/** a map of variables, or (as Ansible's _load_vars takes it) a list of maps, merged in order */
const Vars = v.pipe(
  v.unknown(),
  v.transform((x) => (Array.isArray(x) && x.every(isMap) ? (Object.assign({}, ...x) as unknown) : x)),
  v.record(Identifier, v.unknown(), 'expected a map of variables (or a list of maps)'),
);
/** environment: names as a shell takes them; values become text, as in Ansible */
const EnvMap = v.record(
  v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name')),
  // a whole float (`2.0`) is one too, its text `2.0` (environment.ts)
  v.union([v.string(), v.number(), v.boolean(), v.instance(PyFloat)], 'expected a string, number or boolean'),
);
/**
 * a map, or an expression Ansible templates when the task runs (it must come to a map then), or a
 * list of those (Ansible's environment is a list, merged in order)
 */
const ENV_MSG = 'expected a map of environment variables, a {{ }} expression that comes to one, or a list of those';
const EnvLayer = v.union([EnvMap, v.pipe(v.string(), v.regex(/\{\{[^]*\}\}/, ENV_MSG))], ENV_MSG);
const Env = v.union([EnvLayer, v.array(EnvLayer)], ENV_MSG);
const Tags = v.union([v.string(), v.array(v.union([v.string(), v.number()]))], 'expected a tag or a list of tags');
const Condition = v.union([v.string(), v.boolean(), v.array(v.union([v.string(), v.boolean()]))], 'expected a condition or a list of conditions');
const Percent = v.pipe(v.number('expected a percentage (0-100)'), v.minValue(0), v.maxValue(100));
/**
 * boolean keywords: true/false, or text (an expression decided per host when the task runs: roles compute
 * them). Text that is no boolean (`diff: yes.`) fails the task when it runs, as Ansible's post-validation
 * does (src/engine/flag.ts): a block of `ignore_errors` tasks may mean it.
 */
const Flag = v.union([Bool, v.pipe(v.union([v.string(), v.number()]), v.transform(String))], 'expected true or false, or a {{ }} expression');
const Expr = v.pipe(v.string(), v.regex(/\{\{[^]*\}\}/));
/** whole seconds (async, poll): a number, its text (Ansible's int field), or an expression rendered for the host */
const Seconds = v.union(
  [v.pipe(v.number(), v.integer(), v.minValue(0)), v.pipe(v.string(), v.regex(/^\s*\d+\s*$/), v.transform(Number)), Expr],
  'expected a whole number of seconds (0 or more), or a {{ }} expression',
);
/** the connections skiff has (`smart` is ssh, as Ansible's); any other plugin is refused by name */
const CONNECTION_MSG = 'expected local, ssh or smart (skiff has no other connection plugin), or a {{ }} expression';
const Connection = v.union(
  [v.pipe(v.picklist(['local', 'ssh', 'smart'], CONNECTION_MSG), v.transform((c) => (c === 'smart' ? 'ssh' : c))), v.pipe(v.string(), v.regex(/\{\{[^]*\}\}/, CONNECTION_MSG))],
  CONNECTION_MSG,
);
// a template (`become_user: "{{ postgresql_user }}"`) is rendered for each host when the task runs
const BecomeUser = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$|\{[{%]/, 'expected a user name'));

/** A module_defaults key: a short name or ansible.legacy.X is ansible.legacy.X (which also covers ansible.builtin.X). */
const defaultsKey = (name: string): string => (name.split('.').length < 3 ? `ansible.legacy.${name.split('.').pop()}` : name);
/** `group/NAME`: a group without a collection is ansible.builtin's (Ansible's _resolve_group) */
const groupKey = (key: string): string => {
  const name = key.slice('group/'.length);
  return `group/${name.split('.').length >= 3 ? name : `ansible.builtin.${name}`}`;
};

const DefaultArgs = v.record(v.string(), v.unknown(), 'expected the module\'s arguments as a map');
/**
 * module_defaults: a map (or a list of maps, merged in order) from a module's name or an action group
 * (`group/NAME`) to the arguments its tasks get under their own (Ansible's get_action_args_with_defaults).
 * A short name is ansible.legacy's (Ansible's _load_module_defaults: it covers ansible.builtin's too);
 * names and groups are resolved where the task is loaded (load.ts moduleDefaultsFor).
 */
const ModuleDefaults = v.pipe(
  // the list first: a record takes an array too
  v.union([v.array(v.record(v.string(), v.nullable(DefaultArgs))), v.record(v.string(), v.nullable(DefaultArgs))], 'expected a map of module names to their default arguments, or a list of such maps'),
  v.transform((x) => Object.assign({}, ...(Array.isArray(x) ? x : [x])) as Record<string, Record<string, unknown> | null>),
  v.transform((x) => Object.fromEntries(Object.entries(x).map(([k, a]) => [k.startsWith('group/') ? groupKey(k) : defaultsKey(k), a ?? {}]))),
);

/**
 * Keywords a play, a block and a task all take; a block's apply to every task in it (as Ansible's
 * inheritance does): `when` adds a condition, `tags` adds tags, `vars`/`environment` merge (inner
 * wins), the others are overridden by the inner value.
 */
/** `collections:` of a play, block or task: collection names (namespace.name) searched for short names, in order (Ansible's CollectionSearch) */
// one name is a list of it and a name that is no collection's finds nothing, as Ansible's list attribute takes them (issue 69054)
const Collections = v.optional(v.nullable(v.pipe(v.union([v.string(), v.array(v.string())], 'expected a list of collections'), v.transform((x) => (typeof x === 'string' ? [x] : x)))));

export const Inheritable = {
  module_defaults: v.optional(ModuleDefaults),
  when: v.optional(Condition),
  tags: v.optional(Tags),
  vars: v.optional(Vars),
  environment: v.optional(Env),
  become: v.optional(Flag),
  become_user: v.optional(BecomeUser),
  /** sudo or su, the ways skiff becomes (written out, or an expression that must come to one of them when the task runs) */
  become_method: v.optional(v.pipe(v.string(), v.check((m) => becomeMethodOf(m) !== undefined || /\{[{%]/.test(m), (i) => becomeMethodRefused(i.input)))),
  /** the program run instead of sudo or su (Ansible's become_exe); may be an expression */
  become_exe: v.optional(v.pipe(v.string(), v.minLength(1, 'expected a program (sudo, su, or a path to one)'))),
  /** shell words after sudo or su (Ansible's become_flags), as written; may be an expression */
  become_flags: v.optional(v.string('expected the flags as one text, as a shell would read them')),
  ignore_errors: v.optional(Flag),
  no_log: v.optional(Flag),
  /** false: this task's diff is never shown; true: shown even without --diff (Ansible's keyword) */
  diff: v.optional(Flag),
  check_mode: v.optional(Flag),
  any_errors_fatal: v.optional(Flag),
  run_once: v.optional(Flag),
  /** seconds each attempt of a task may take (0: no limit), as Ansible's keyword (src/engine/task-timeout.ts) */
  timeout: v.optional(Seconds),
  delegate_to: v.optional(v.pipe(v.string(), v.minLength(1, 'expected an inventory host or localhost'))),
  /** with delegate_to: the facts the task returns are the delegated host's, not this host's (Ansible's keyword) */
  delegate_facts: v.optional(Flag),
  /** an unreachable host on this task is counted ok and ignored, and stays in the play (Ansible's keyword) */
  ignore_unreachable: v.optional(Flag),
  /** at most this many hosts run the task at once (0: forks decide), as Ansible's */
  throttle: v.optional(v.union([v.pipe(v.number(), v.integer(), v.minValue(0)), Expr], 'expected a whole number (0 or more), or a {{ }} expression')),
  /** the SSH user; a host's own user var (ansible_user) wins, as in Ansible (checked in prepare) */
  remote_user: v.optional(v.pipe(v.string(), v.minLength(1, 'expected a user name'))),
  /** how the hosts are reached for these tasks, over -c (a host's own ansible_connection wins, as in Ansible) */
  connection: v.optional(Connection),
  /**
   * Ansible's task debugger: `never` (or empty) is what skiff does anyway, which has no debugger; one
   * that would stop for a prompt (always, on_failed...) is refused by name
   */
  debugger: v.optional(v.nullable(v.picklist(['never'], 'expected never or nothing: skiff has no task debugger (always, on_failed, on_unreachable and on_skipped would stop the run for a prompt)'))),
};

const InheritableSchema = v.object(Inheritable);
export type InheritableInput = v.InferOutput<typeof InheritableSchema>;

/** Python's name of a YAML value's class, as Ansible's messages show it */
const pyClass = (x: unknown) =>
  `<class '${typeof x === 'number' ? (Number.isInteger(x) ? 'int' : 'float') : typeof x === 'boolean' ? 'bool' : typeof x === 'string' ? 'ansible.parsing.yaml.objects.AnsibleUnicode' : 'ansible.parsing.yaml.objects.AnsibleMapping'}'>`;
/** a play's list of tasks; null is none (Ansible's _load_tasks), anything else is refused in Ansible's words */
const TaskList = (key: string) =>
  v.optional(v.pipe(
    v.nullable(v.unknown()),
    v.check((x) => x === null || Array.isArray(x), (i) => `ERROR! A malformed block was encountered while loading ${key}${key === 'tasks' ? `: ${JSON.stringify(i.input)} should be a list or None but is ${pyClass(i.input)}` : ''}: expected a list of tasks`),
    v.transform((x) => (Array.isArray(x) ? (x as unknown[]) : [])),
  ), []);

/** Ansible's `order` of a play's hosts (inventory.get_hosts) */
export const ORDERS = ['inventory', 'reverse_inventory', 'sorted', 'reverse_sorted', 'shuffle'] as const;
export const ORDER_MSG = 'expected inventory, reverse_inventory, sorted, reverse_sorted or shuffle';

const VARS_PROMPT_KEYS = ['name', 'prompt', 'default', 'private', 'confirm', 'encrypt', 'salt_size', 'salt', 'unsafe'];
/** one of a play's vars_prompt (src/engine/vars-prompt.ts), with Ansible's messages for a malformed one */
const VarsPromptEntry = v.pipe(
  v.record(v.string(), v.unknown(), 'Invalid vars_prompt data structure: expected a map with name:'),
  v.check((x) => Object.hasOwn(x, 'name'), "ERROR! Invalid vars_prompt data structure, missing 'name' key: expected name: VARIABLE"),
  v.check((x) => Object.keys(x).every((k) => VARS_PROMPT_KEYS.includes(k)), (i) => `ERROR! Invalid vars_prompt data structure, found unsupported key '${Object.keys(i.input).find((k) => !VARS_PROMPT_KEYS.includes(k))}': expected ${VARS_PROMPT_KEYS.join(', ')}`),
);
export type VarsPrompt = { name: string; prompt?: unknown; default?: unknown; private?: unknown; confirm?: unknown; encrypt?: string; salt_size?: number; salt?: string; unsafe?: unknown };
const HOSTS_EMPTY = 'ERROR! Hosts list cannot be empty. Please check your playbook: expected a host pattern';
export const PlaySchema = v.strictObject({
  name: v.optional(Name),
  /** a pattern, or a list of them (Ansible joins the list with ',') */
  hosts: v.pipe(
    v.unknown(),
    v.check((x) => x !== '' && x !== null && !(Array.isArray(x) && x.length === 0), HOSTS_EMPTY),
    v.union([v.string(), v.pipe(v.array(v.pipe(v.string(), v.minLength(1))), v.transform((l) => l.join(',')))], 'expected a host pattern, or a list of them'),
  ),
  vars: v.optional(Vars),
  /**
   * files of variables, over play vars (under role vars/), each found next to the playbook (vars/NAME,
   * then NAME) with its name rendered for the host; a nested list is first-found
   */
  vars_files: v.optional(
    v.pipe(
      v.nullable(v.union([v.string(), v.array(v.union([v.string(), v.array(v.string())], 'expected a file or a list of files (the first found is read)'))], 'expected a list of files')),
      v.transform((f) => (f === null ? [] : typeof f === 'string' ? [f] : f)),
    ),
  ),
  /** the order of the play's hosts, as Ansible's: inventory (default), reverse_inventory, sorted, reverse_sorted, shuffle */
  order: v.optional(v.union([v.picklist(ORDERS, ORDER_MSG), Expr], `${ORDER_MSG}, or a {{ }} expression`)),
  /** Ansible's search list for short module names: the first listed collection with a module of the name has it (load.ts inCollections) */
  collections: Collections,
  remote_user: v.optional(v.pipe(v.string(), v.minLength(1, 'expected a user name'))),
  connection: v.optional(Connection),
  pre_tasks: TaskList('pre_tasks'),
  tasks: TaskList('tasks'),
  post_tasks: TaskList('post_tasks'),
  handlers: TaskList('handlers'),
  /** roles run after pre_tasks, before tasks (each a name or a RoleEntrySchema); null is none */
  roles: v.optional(v.pipe(v.nullable(v.unknown()), v.check((x) => x === null || Array.isArray(x), 'ERROR! A malformed role declaration was encountered.: expected a list of roles'), v.transform((x) => (Array.isArray(x) ? (x as unknown[]) : []))), []),
  /** a number of hosts, a percentage, or an expression for the play's start (omit: no serial, as Ansible's) */
  serial: v.optional(v.union([v.pipe(v.number(), v.integer(), v.minValue(1)), v.pipe(v.string(), v.regex(/^\d+%$|\{\{[^]*\}\}/, 'expected a number of hosts or a percentage like "30%", or a {{ }} expression'))])),
  max_fail_percentage: v.optional(Percent),
  any_errors_fatal: v.optional(Bool),
  force_handlers: v.optional(Bool),
  /**
   * Ansible's strategies: `linear` (the default, or ANSIBLE_STRATEGY / ansible.cfg's strategy): the hosts
   * of a batch go task by task together; `free` (and `host_pinned`, the same here): each host at its
   * own pace. Or an expression, rendered with the play's and extra vars when the play starts.
   */
  strategy: v.optional(v.union([v.picklist(['linear', 'free', 'host_pinned'], 'expected linear, free or host_pinned'), Expr], 'expected linear, free or host_pinned, or a {{ }} expression')),
  run_once: v.optional(Flag),
  ignore_unreachable: v.optional(Flag),
  throttle: v.optional(v.union([v.pipe(v.number(), v.integer(), v.minValue(0)), Expr], 'expected a whole number (0 or more), or a {{ }} expression')),
  /**
   * true by default, as in Ansible; skiff gathers only for a play that names a fact (src/engine/facts.ts),
   * so `true` and the default are the same. `false`: never gathered for this play.
   */
  gather_facts: v.optional(Bool),
  /**
   * Ansible's setup options for the play's gathering: the collectors (`min`, `!all`, `network`...), a
   * comma-separated text or a list; where local facts are (facts.d); how long a collector may take.
   * Given, skiff's own facts are completed by Ansible's setup module with them (engine/host-run.ts).
   */
  gather_subset: v.optional(
    v.pipe(
      v.union([v.string(), v.array(v.string())], 'expected a list of fact subsets (all, min, network, !hardware...)'),
      v.transform((x) => (Array.isArray(x) ? x : [x]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean)),
    ),
  ),
  fact_path: v.optional(v.string('expected the directory of local facts (a path)')),
  gather_timeout: v.optional(v.union([v.pipe(v.number(), v.integer(), v.minValue(1)), v.pipe(v.string(), v.regex(/^\d+$/, 'expected a whole number of seconds'), v.transform(Number))], 'expected a whole number of seconds')),
  become: v.optional(Flag),
  become_user: v.optional(BecomeUser),
  become_method: Inheritable.become_method,
  become_exe: Inheritable.become_exe,
  become_flags: Inheritable.become_flags,
  tags: v.optional(Tags),
  environment: v.optional(Env),
  ignore_errors: v.optional(Flag),
  no_log: v.optional(Flag),
  diff: v.optional(Flag),
  check_mode: v.optional(Flag),
  debugger: Inheritable.debugger,
  timeout: Inheritable.timeout,
  /** variables asked for on the terminal before the run (null: none); a map is one (Ansible's preprocess_vars) */
  vars_prompt: v.optional(v.pipe(v.nullable(v.unknown()), v.transform((x) => (x === null ? [] : Array.isArray(x) ? x : [x])), v.array(VarsPromptEntry), v.transform((x) => x as VarsPrompt[])), []),
  module_defaults: Inheritable.module_defaults,
});
export type PlayInput = v.InferOutput<typeof PlaySchema>;

const LoopControl = v.strictObject({
  /** a name, or an expression rendered when the task runs (Ansible post-validates loop_control) */
  loop_var: v.optional(v.union([Identifier, Expr], 'expected a variable name (letters, digits, _), or a {{ }} expression')),
  index_var: v.optional(v.union([Identifier, Expr], 'expected a variable name (letters, digits, _), or a {{ }} expression')),
  label: v.optional(v.string()),
  pause: v.optional(v.pipe(v.number(), v.minValue(0))),
  /** ansible_loop: index, first, last, length, previtem, nextitem... for each item */
  extended: v.optional(Bool),
  /** with extended: ansible_loop.allitems too (true by default, as Ansible's) */
  extended_allitems: v.optional(Bool),
});

/** A task's `with_<lookup>:` loops (any lookup plugin's name): kept out of the strict schemas, whose keys are fixed. */
export type WithLoops = { [k: `with_${string}`]: unknown };

/** `obj` without its `with_<name>` keys, and those keys: the schema checks the rest, the loader the with_ names. */
export function splitWith(obj: Record<string, unknown>): { rest: Record<string, unknown>; withs: WithLoops } {
  const rest: Record<string, unknown> = {};
  const withs: WithLoops = {};
  for (const [k, x] of Object.entries(obj)) {
    if (isWithKey(k)) withs[k] = x;
    else rest[k] = x;
  }
  return { rest, withs };
}

/** Keys of a task that are not its type. */
export const TaskMetaSchema = v.strictObject({
  /** where the task's short module name is looked up first (the play's or role's otherwise) */
  collections: Collections,
  name: v.optional(Name),
  notify: v.optional(v.union([v.string(), v.array(v.string())])),
  register: v.optional(RegisterName),
  changed_when: v.optional(v.union([v.string(), v.boolean(), v.array(v.union([v.string(), v.boolean()]))])),
  failed_when: v.optional(v.union([v.string(), v.boolean(), v.array(v.union([v.string(), v.boolean()]))])),
  loop: v.optional(v.unknown()),
  loop_control: v.optional(LoopControl),
  until: v.optional(v.union([v.string(), v.boolean(), v.array(v.union([v.string(), v.boolean()]))])),
  /** a number, or an expression rendered for the host (`"{{ timeout // 30 }}"`) */
  retries: v.optional(v.union([v.pipe(v.number(), v.integer(), v.minValue(0)), Expr], 'expected a whole number (0 or more), or a {{ }} expression')),
  delay: v.optional(v.union([v.pipe(v.number(), v.minValue(0)), Expr], 'expected a number of seconds, or a {{ }} expression')),
  /** seconds an async job may run (0: not async), or an expression rendered for the host */
  async: v.optional(Seconds),
  /** with async: seconds between looks at the job (0: fire and forget); Ansible's default 15 */
  poll: v.optional(Seconds),
  args: v.optional(v.record(v.string(), v.unknown())),
  /** handlers only: topics a `notify` may name instead of the handler's name */
  listen: v.optional(v.union([v.string(), v.array(v.string())])),
  ...Inheritable,
});
export type TaskMeta = v.InferOutput<typeof TaskMetaSchema> & WithLoops;
export const META_KEYS = Object.keys(TaskMetaSchema.entries);

export const BlockSchema = v.strictObject({
  name: v.optional(Name),
  /** the notify of each task in the block that has none of its own (Ansible's Notifiable) */
  notify: v.optional(v.union([v.string(), v.array(v.string())])),
  block: v.array(v.unknown(), 'expected a list of tasks'),
  /** where its tasks' short module names are looked up first */
  collections: Collections,
  rescue: v.optional(v.array(v.unknown(), 'expected a list of tasks'), []),
  always: v.optional(v.array(v.unknown(), 'expected a list of tasks'), []),
  ...Inheritable,
});

/** `meta:` actions (Ansible's, by the strategy's _execute_meta; `role_complete` is internal to it). */
export const META_ACTIONS = ['flush_handlers', 'noop', 'end_host', 'end_play', 'end_batch', 'clear_host_errors', 'clear_facts', 'reset_connection', 'refresh_inventory'] as const;
export const MetaTaskSchema = v.strictObject({
  name: v.optional(Name),
  meta: v.picklist(META_ACTIONS, `expected one of ${META_ACTIONS.join(', ')}`),
  when: v.optional(Condition),
  tags: v.optional(Tags),
});

export const ImportPlaybookSchema = v.strictObject({
  name: v.optional(Name),
  import_playbook: v.pipe(v.string(), v.minLength(1, 'expected a playbook file')),
  /** Ansible's conditional import: every imported play's fact gathering and tasks get it */
  when: v.optional(Condition),
  /** over each imported play's own vars (Ansible's `entry.vars | new_obj.vars`) */
  vars: v.optional(Vars),
  /** added to each imported play's tags */
  tags: v.optional(Tags),
});

const File = v.pipe(v.string('expected a task file'), v.minLength(1, 'expected a task file'));
/** include_tasks' `apply`: keywords for the included tasks (the include's own keywords are the include's) */
export const ApplySchema = v.strictObject({
  ...Inheritable,
  /** the notify of each included task that has none of its own (Ansible's apply is a Block, which is Notifiable) */
  notify: v.optional(v.union([v.string(), v.array(v.string())])),
});
/** `import_tasks: x.yml`, or the free-form `{file: x.yml}` Ansible also takes (include_tasks: with `apply`) */
const FileRef = v.union([File, v.strictObject({ file: File, apply: v.optional(ApplySchema) })], 'expected a task file (a path, or {file: path})');

/**
 * `import_tasks` (static: read with the playbook, its keywords on each of its tasks) and `include_tasks`
 * (dynamic, as Ansible's: a task of its own, whose `when`, `tags`... are the include's; its file is read
 * when a host reaches it, src/playbook/includes.ts). `include`: Ansible's older spelling, static unless
 * its file name is a template or it loops.
 */
export const IncludeTasksSchema = v.strictObject({
  name: v.optional(Name),
  import_tasks: v.optional(FileRef),
  include_tasks: v.optional(FileRef),
  include: v.optional(FileRef),
  /** include_tasks only: the include's own result (included, skipped or failed) */
  register: v.optional(RegisterName),
  /** import_tasks (and a static include): the notify of each imported task that has none of its own */
  notify: v.optional(v.union([v.string(), v.array(v.string())])),
  /** a handler that is an include_tasks: topics a notify may name instead of its name */
  listen: v.optional(v.union([v.string(), v.array(v.string())])),
  /** include_tasks only: the file's tasks run once per item, the item in the loop var */
  loop: v.optional(v.unknown()),
  loop_control: v.optional(LoopControl),
  ...Inheritable,
});
export const INCLUDE_TASKS_KEYS = ['import_tasks', 'include_tasks', 'include'] as const;

export const RoleName = v.pipe(v.string('expected a role name'), v.minLength(1, 'expected a role name'));
/** Python's type() of a YAML value, as Ansible's messages show it */
const pyType = (x: unknown) => `<class '${Array.isArray(x) ? 'ansible.parsing.yaml.objects.AnsibleSequence' : x && typeof x === 'object' ? 'ansible.parsing.yaml.objects.AnsibleMapping' : x === null ? 'NoneType' : typeof x === 'boolean' ? 'bool' : typeof x === 'number' ? (Number.isInteger(x) ? 'int' : 'float') : 'str'}'>`;
/**
 * a role's *_from: a file of that directory of the role. import_role keeps its basename (IncludeRole.load);
 * include_role the path as rendered, which must stay inside the directory (playbook/role-files.ts)
 */
const FromFile = (key: string) => v.pipe(v.string((i) => `Expected a string for ${key} but got ${pyType(i.input)} instead`), v.minLength(1, 'expected a file name'));
/**
 * A boolean of import_role/include_role (`yes` as the free form writes it too), or a `{{ }}` rendered when
 * the playbook is read, as Ansible post-validates it with the play's vars (includes.ts staticValue)
 */
const RoleFlag = v.union([v.pipe(v.union([v.boolean(), v.picklist(['yes', 'no', 'true', 'false', 'True', 'False'])]), v.transform((x): boolean | string => x === true || x === 'yes' || x === 'true' || x === 'True')), Expr], 'expected true or false, or a {{ }} expression');
/** what `import_role:` / `include_role:` take */
export const RoleCallSchema = v.strictObject({
  name: RoleName,
  /** a task file of the role's tasks/ instead of main.yml */
  tasks_from: v.optional(FromFile('tasks_from')),
  /** a file of the role's handlers/ instead of main.yml */
  handlers_from: v.optional(FromFile('handlers_from')),
  /** a file of the role's vars/ instead of main.yml */
  vars_from: v.optional(FromFile('vars_from')),
  /** a file of the role's defaults/ instead of main.yml */
  defaults_from: v.optional(FromFile('defaults_from')),
  /**
   * include_role only: its vars and defaults are the play's from when it runs (Ansible's public; `yes`
   * as the free form writes it too)
   */
  public: v.optional(RoleFlag),
  /** the role runs again where it already ran in the play (Ansible's default for import_role/include_role: true) */
  allow_duplicates: v.optional(RoleFlag),
  /** false: the role's meta/argument_specs.yml is not checked, which is all skiff does (true is refused by name) */
  rolespec_validate: v.optional(RoleFlag),
  /** include_role only: keywords for the role's tasks (the include's own keywords are the include's) */
  apply: v.optional(ApplySchema),
});
export const IncludeRoleSchema = v.strictObject({
  name: v.optional(Name),
  import_role: v.optional(RoleCallSchema),
  include_role: v.optional(RoleCallSchema),
  /** include_role only: the include's own result (included, skipped or failed) */
  register: v.optional(RegisterName),
  /** include_role only: the role is included once per item, the item in the loop var */
  loop: v.optional(v.unknown()),
  loop_control: v.optional(LoopControl),
  ...Inheritable,
});
export const INCLUDE_ROLE_KEYS = ['import_role', 'include_role'] as const;

/** An entry of a play's `roles:` (or of a role's meta/main.yml `dependencies:`) written as a map. */
export const RoleEntrySchema = v.strictObject({
  role: v.optional(RoleName),
  /** Ansible's other spelling of `role` */
  name: v.optional(RoleName),
  ...Inheritable,
});
