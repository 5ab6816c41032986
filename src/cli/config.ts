// skiff's settings, read as Ansible reads them: command-line flag > ANSIBLE_* environment variable >
// ansible.cfg ([defaults]) > default. The valibot schema below is the one list of settings: each entry
// parses the raw string and carries (as metadata) its ansible.cfg key, its environment variable and the
// default shown by `skiff config` and the README. Inventory host vars still win over remote_user,
// private_key_file and timeout: those are only the default layer under the inventory (see prepare()).
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import * as v from 'valibot';
import { show, type InputProblem } from '../util/errors.ts';
import { parseIni } from './ini.ts';

// a type (not an interface): valibot's metadata() takes a Record
export type SettingMeta = {
  /** key in ansible.cfg's [defaults], or in `section` */
  ini: string;
  /** the ansible.cfg section when it is not [defaults] (enable_plugins is in [inventory]) */
  section?: string;
  /** its ANSIBLE_* variable; none where Ansible has none (plugin_filters_cfg is read from ansible.cfg alone) */
  env?: string;
  /** what applies when nothing sets it */
  default: string;
  /** a path: relative to ansible.cfg's directory when read from it (as Ansible resolves them), ~ expanded; sources: a list of them, host lists kept as written */
  path?: 'one' | 'list' | 'sources';
};

// Ansible's boolean() spellings (lower-cased).
const TRUE = ['y', 'yes', 'on', '1', 'true', 't'];
const FALSE = ['n', 'no', 'off', '0', 'false', 'f'];

const text = (meta: SettingMeta) => v.pipe(v.string(), v.trim(), v.minLength(1, 'expected a value'), v.metadata(meta));
const bool = (meta: SettingMeta) =>
  v.pipe(v.string(), v.trim(), v.toLowerCase(), v.picklist([...TRUE, ...FALSE], 'expected a boolean (true/false, yes/no, on/off, 1/0)'), v.transform((s) => TRUE.includes(s)), v.metadata(meta));

const count = (meta: SettingMeta) =>
  v.pipe(v.string(), v.trim(), v.regex(/^[0-9]+$/, 'expected a whole number > 0'), v.transform(Number), v.minValue(1, 'expected a whole number > 0'), v.metadata(meta));

export const ConfigSchema = v.object({
  // Ansible's sources: from -i, each flag one source (a path, or a host list `a,b,` when no such path
  // is there); from ansible.cfg or ANSIBLE_INVENTORY, a comma-separated list of paths (a pathlist)
  inventory: v.pipe(
    v.union([v.array(v.string()), v.pipe(v.string(), v.transform((s) => s.split(',')))], 'expected inventory sources'),
    v.transform((list) => list.map((s) => s.trim()).filter(Boolean)),
    v.minLength(1, 'expected an inventory path'),
    v.metadata({ ini: 'inventory', env: 'ANSIBLE_INVENTORY', default: '/etc/ansible/hosts (Ansible\'s; where it is not: the implicit localhost alone)', path: 'sources' } satisfies SettingMeta),
  ),
  remote_user: text({ ini: 'remote_user', env: 'ANSIBLE_REMOTE_USER', default: 'the inventory user, else $USER' }),
  // the connection of a host whose vars name none (Ansible's DEFAULT_TRANSPORT, -c); smart is ssh here
  // (Ansible's smart picks ssh where OpenSSH has ControlPersist). Any name is taken: a connection skiff
  // lacks is refused on the host that would use it (an inventory's ansible_connection wins over it)
  transport: text({ ini: 'transport', env: 'ANSIBLE_TRANSPORT', default: 'smart (ssh)' }),
  private_key_file: text({ ini: 'private_key_file', env: 'ANSIBLE_PRIVATE_KEY_FILE', default: 'the inventory key, else ssh-agent', path: 'one' }),
  forks: count({ ini: 'forks', env: 'ANSIBLE_FORKS', default: 'every host of the play, at most 50' }),
  // skiff is secure by default: a host key is always verified. `False` (accept any key, even a changed
  // one) is refused by name rather than honoured or dropped; True is what skiff does anyway.
  host_key_checking: v.pipe(
    v.string(),
    v.trim(),
    v.toLowerCase(),
    v.picklist([...TRUE, ...FALSE], 'expected a boolean (true/false, yes/no, on/off, 1/0)'),
    v.transform((s) => TRUE.includes(s)),
    v.literal(true, 'refused: skiff always verifies host keys against known_hosts (a changed key may be an attacker); for hosts not yet in known_hosts use --accept-new-host-keys'),
    v.metadata({ ini: 'host_key_checking', env: 'ANSIBLE_HOST_KEY_CHECKING', default: 'True' } satisfies SettingMeta),
  ),
  // added to --vault-password-file / --vault-id passwords, as Ansible does (cli/vault.ts)
  vault_password_file: text({ ini: 'vault_password_file', env: 'ANSIBLE_VAULT_PASSWORD_FILE', default: 'none', path: 'one' }),
  // where roles are looked for after roles/ next to the playbook
  roles_path: text({ ini: 'roles_path', env: 'ANSIBLE_ROLES_PATH', default: "none: roles/ next to the playbook, then the playbook's directory", path: 'list' }),
  // where collections are looked for after collections/ next to the playbooks (Ansible's COLLECTIONS_PATHS:
  // collections_path wins over the older collections_paths, in ansible.cfg and in the environment)
  collections_path: text({ ini: 'collections_path', env: 'ANSIBLE_COLLECTIONS_PATH', default: '~/.ansible/collections:/usr/share/ansible/collections', path: 'list' }),
  collections_paths: text({ ini: 'collections_paths', env: 'ANSIBLE_COLLECTIONS_PATHS', default: 'none (the older name of collections_path)', path: 'list' }),
  // the controller Python's sys.path is searched for collections too (its site-packages' ansible_collections)
  collections_scan_sys_path: bool({ ini: 'collections_scan_sys_path', env: 'ANSIBLE_COLLECTIONS_SCAN_SYS_PATH', default: 'True' }),
  // Python callback plugins run beside skiff's own output (report/python-callbacks.ts): those named, and
  // those in these directories and beside the playbook that need no enabling (callback_whitelist: the older name)
  callbacks_enabled: text({ ini: 'callbacks_enabled', env: 'ANSIBLE_CALLBACKS_ENABLED', default: 'none' }),
  callback_whitelist: text({ ini: 'callback_whitelist', env: 'ANSIBLE_CALLBACK_WHITELIST', default: 'none (the older name of callbacks_enabled)' }),
  callback_plugins: text({ ini: 'callback_plugins', env: 'ANSIBLE_CALLBACK_PLUGINS', default: '~/.ansible/plugins/callback:/usr/share/ansible/plugins/callback', path: 'list' }),
  // a collection's action_groups metadata (module_defaults' group/NAME) checked, with Ansible's warning
  validate_action_group_metadata: bool({ ini: 'validate_action_group_metadata', env: 'ANSIBLE_VALIDATE_ACTION_GROUP_METADATA', default: 'True' }),
  // where modules are looked for after the library/ dirs of the playbook and its roles (Ansible's DEFAULT_MODULE_PATH)
  library: text({ ini: 'library', env: 'ANSIBLE_LIBRARY', default: "none: library/ next to the playbook and in its roles", path: 'list' }),
  // skiff writes a retry file for hosts that did not finish unless this says no (Ansible's default is
  // no retry files; skiff's is to write them: its --limit @file hint at the end of a failed run)
  retry_files_enabled: bool({ ini: 'retry_files_enabled', env: 'ANSIBLE_RETRY_FILES_ENABLED', default: 'True (skiff\'s; Ansible\'s is False)' }),
  retry_files_save_path: text({ ini: 'retry_files_save_path', env: 'ANSIBLE_RETRY_FILES_SAVE_PATH', default: '.skiff/retry', path: 'one' }),
  // the strategy of a play without `strategy:` (Ansible's DEFAULT_STRATEGY)
  strategy: v.pipe(
    v.string(),
    v.trim(),
    v.picklist(['linear', 'free', 'host_pinned'], 'expected linear, free or host_pinned'),
    v.metadata({ ini: 'strategy', env: 'ANSIBLE_STRATEGY', default: 'linear' } satisfies SettingMeta),
  ),
  // whether a play without `gather_facts:` gathers (Ansible's DEFAULT_GATHERING): implicit (yes), explicit
  // (no), smart (yes: skiff keeps a host's facts for the run, so a later play never gathers again)
  gathering: v.pipe(
    v.string(),
    v.trim(),
    v.picklist(['implicit', 'explicit', 'smart'], 'expected implicit, explicit or smart'),
    v.metadata({ ini: 'gathering', env: 'ANSIBLE_GATHERING', default: 'implicit' } satisfies SettingMeta),
  ),
  timeout: count({ ini: 'timeout', env: 'ANSIBLE_TIMEOUT', default: 'the inventory connect_timeout, else 10 (seconds)' }),
  // --force-handlers sets it; a play's force_handlers wins over both
  force_handlers: bool({ ini: 'force_handlers', env: 'ANSIBLE_FORCE_HANDLERS', default: 'False' }),
  // the default of every task's no_log (Ansible's DEFAULT_NO_LOG): a task's own no_log: false still shows it
  no_log: bool({ ini: 'no_log', env: 'ANSIBLE_NO_LOG', default: 'False' }),
  // false: a notify that reaches no handler is a warning, not the run's end
  error_on_missing_handler: bool({ ini: 'error_on_missing_handler', env: 'ANSIBLE_ERROR_ON_MISSING_HANDLER', default: 'True' }),
  // Ansible's fact cache (engine/fact-cache.ts): memory keeps facts for the run; jsonfile keeps each
  // host's in a file across runs. Its variables are Ansible's ANSIBLE_CACHE_PLUGIN*, not ANSIBLE_FACT_CACHING*
  fact_caching: v.pipe(
    v.string(),
    v.trim(),
    v.picklist(['memory', 'jsonfile'], 'expected memory or jsonfile (skiff has no other cache plugin)'),
    v.metadata({ ini: 'fact_caching', env: 'ANSIBLE_CACHE_PLUGIN', default: 'memory' } satisfies SettingMeta),
  ),
  // how two layers of variables that both set a dict combine (Ansible's DEFAULT_HASH_BEHAVIOUR): replace
  // (the higher one's alone) or merge (recursively, util/combine-vars.ts)
  hash_behaviour: v.pipe(
    v.string(),
    v.trim(),
    v.picklist(['replace', 'merge'], 'expected replace or merge'),
    v.metadata({ ini: 'hash_behaviour', env: 'ANSIBLE_HASH_BEHAVIOUR', default: 'replace' } satisfies SettingMeta),
  ),
  // templates keep native types (Ansible's DEFAULT_JINJA2_NATIVE: ansible_native_concat, template/native-concat.ts)
  jinja2_native: bool({ ini: 'jinja2_native', env: 'ANSIBLE_JINJA2_NATIVE', default: 'False' }),
  // the default callback's CUSTOM STATS after the recap (set_stats' data)
  show_custom_stats: bool({ ini: 'show_custom_stats', env: 'ANSIBLE_SHOW_CUSTOM_STATS', default: 'False' }),
  fact_caching_connection: text({ ini: 'fact_caching_connection', env: 'ANSIBLE_CACHE_PLUGIN_CONNECTION', default: 'none (jsonfile needs it: the directory of its files)', path: 'one' }),
  fact_caching_prefix: text({ ini: 'fact_caching_prefix', env: 'ANSIBLE_CACHE_PLUGIN_PREFIX', default: 'ansible_facts' }),
  // which inventory plugins Ansible tries, in order (INVENTORY_ENABLED): skiff reads files by their
  // content as ever; the list decides how a source with a comma is read: advanced_host_list (host
  // ranges: `local[100:110:2],`) when it comes before host_list or host_list is not there
  inventory_enabled: v.pipe(
    v.string(),
    v.transform((s) => s.split(',').map((p) => p.trim()).filter(Boolean)),
    v.minLength(1, 'expected a list of inventory plugins'),
    v.metadata({ ini: 'enable_plugins', section: 'inventory', env: 'ANSIBLE_INVENTORY_ENABLED', default: 'host_list, script, auto, yaml, ini, toml' } satisfies SettingMeta),
  ),
  // group names with characters no variable name has (`[local-]`): inventory/group-names.ts
  force_valid_group_names: v.pipe(
    v.string(),
    v.trim(),
    v.picklist(['always', 'never', 'ignore', 'silently'], 'expected always, never, ignore or silently'),
    v.metadata({ ini: 'force_valid_group_names', env: 'ANSIBLE_TRANSFORM_INVALID_GROUP_CHARS', default: 'never' } satisfies SettingMeta),
  ),
  // [privilege_escalation]: what -b, --become-user and --become-method give, for every play that does not
  // say it itself (Ansible's DEFAULT_BECOME*: playbook repositories set become = True here)
  become: bool({ ini: 'become', section: 'privilege_escalation', env: 'ANSIBLE_BECOME', default: 'False' }),
  become_user: text({ ini: 'become_user', section: 'privilege_escalation', env: 'ANSIBLE_BECOME_USER', default: 'root' }),
  become_method: text({ ini: 'become_method', section: 'privilege_escalation', env: 'ANSIBLE_BECOME_METHOD', default: 'sudo' }),
  // a YAML file of modules Ansible does not find (module_blacklist): src/playbook/plugin-filters.ts
  plugin_filters_cfg: text({ ini: 'plugin_filters_cfg', default: '/etc/ansible/plugin_filters.yml (read where it is)', path: 'one' }),
  fact_caching_timeout: v.pipe(
    v.string(),
    v.trim(),
    v.regex(/^[0-9]+$/, 'expected a whole number of seconds (0: never expires)'),
    v.transform(Number),
    v.metadata({ ini: 'fact_caching_timeout', env: 'ANSIBLE_CACHE_PLUGIN_TIMEOUT', default: '86400' } satisfies SettingMeta),
  ),
});

export type Config = v.InferOutput<typeof ConfigSchema>;
export type SettingName = keyof Config;
export const SETTINGS = Object.keys(ConfigSchema.entries) as SettingName[];

export function settingMeta(name: SettingName): SettingMeta {
  return v.getMetadata(ConfigSchema.entries[name]) as unknown as SettingMeta;
}

/** A setting's ansible.cfg name: its key, `section.key` outside [defaults]. */
const iniName = (m: SettingMeta) => (m.section ? `${m.section}.${m.ini}` : m.ini);

export type Source = { kind: 'flag'; flag: string } | { kind: 'env'; name: string } | { kind: 'file'; file: string; line: number; col: number } | { kind: 'default' };

export interface ResolvedConfig {
  values: Partial<Config>;
  sources: Record<SettingName, Source>;
  /** the ansible.cfg read, if any */
  file?: string;
  /** lines for stderr: a skipped ansible.cfg, the settings skiff does not support */
  warnings: string[];
}

export interface ConfigEnv {
  env: Record<string, string | undefined>;
  cwd: string;
  home: string;
}

const readableFile = (p: string) => {
  try {
    accessSync(p, constants.R_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
};
const worldWritable = (p: string) => {
  try {
    return (statSync(p).mode & 0o002) !== 0;
  } catch {
    return false;
  }
};
const expandHome = (p: string, home: string) => (p === '~' ? home : p.startsWith('~/') ? join(home, p.slice(2)) : p);

/**
 * Ansible's search: $ANSIBLE_CONFIG (a directory means its ansible.cfg), ./ansible.cfg, ~/.ansible.cfg,
 * /etc/ansible/ansible.cfg; the first readable one wins, the others are not read. As Ansible does,
 * ./ansible.cfg is ignored (with a warning) when the current directory is world-writable: anyone could
 * have put it there. skiff also ignores it when the file itself is world-writable, for the same reason.
 */
export function findConfigFile(ce: ConfigEnv, etc = '/etc/ansible/ansible.cfg'): { file?: string; warnings: string[] } {
  const warnings: string[] = [];
  const candidates: string[] = [];
  const fromEnv = ce.env.ANSIBLE_CONFIG;
  if (fromEnv !== undefined && fromEnv !== '') {
    let p = resolve(ce.cwd, expandHome(fromEnv, ce.home));
    try {
      if (statSync(p).isDirectory()) p = join(p, 'ansible.cfg');
    } catch {
      /* not there: Ansible goes on to the next place; say so below */
    }
    if (readableFile(p)) return { file: p, warnings };
    warnings.push(`skiff: ANSIBLE_CONFIG=${fromEnv}: no readable file there; looking further, as Ansible does`);
  }
  const local = join(ce.cwd, 'ansible.cfg');
  if (readableFile(local)) {
    if (worldWritable(ce.cwd) || worldWritable(local)) {
      warnings.push(
        worldWritable(ce.cwd)
          ? `skiff: ignoring ${local}: the directory ${ce.cwd} is world-writable, anyone could have put it there (Ansible ignores it too)`
          : `skiff: ignoring ${local}: the file is world-writable, anyone could have written its settings`,
      );
    } else candidates.push(local);
  }
  candidates.push(join(ce.home, '.ansible.cfg'), etc);
  return { file: candidates.find(readableFile), warnings };
}

/**
 * The effective settings. `flags` holds the raw command-line values by setting (e.g. { forks: '4' }),
 * `flagNames` the flag each came from, for messages and `skiff config`.
 */
export function resolveConfig(
  flags: Partial<Record<SettingName, string | string[]>>,
  flagNames: Partial<Record<SettingName, string>>,
  ce: ConfigEnv,
  etc?: string,
): { config?: ResolvedConfig; problems: InputProblem[] } {
  const problems: InputProblem[] = [];
  const { file, warnings } = findConfigFile(ce, etc);
  const fromFile = new Map<string, { value: string; line: number; col: number }>();
  if (file) {
    let textOf: string;
    try {
      textOf = readFileSync(file, 'utf8');
    } catch (e) {
      return { problems: [{ file, line: 0, col: 0, message: `cannot read: ${(e as Error).message}` }] };
    }
    const { entries, problems: ip } = parseIni(textOf, file);
    problems.push(...ip);
    const known = new Set(SETTINGS.map((s) => iniName(settingMeta(s))));
    const unsupported: string[] = [];
    for (const e of entries) {
      const name = e.section === 'defaults' ? e.key : `${e.section}.${e.key}`;
      if (e.section === 'defaults' && ACCEPTED_AS_IS[e.key] === e.value.trim()) continue;
      if (known.has(name)) fromFile.set(name, e);
      else unsupported.push(name);
    }
    // named once, never silently dropped
    if (unsupported.length) warnings.push(`skiff: ${file}: settings skiff does not support (ignored): ${unsupported.join(', ')}`);
  }
  const unknownEnv = unknownAnsibleEnv(ce.env);
  // named once, like ansible.cfg settings skiff does not support: never silently dropped
  if (unknownEnv.length) warnings.push(`skiff: environment variables skiff does not support (ignored): ${unknownEnv.join(', ')}`);
  const values: Record<string, unknown> = {};
  const sources = {} as Record<SettingName, Source>;
  for (const name of SETTINGS) {
    const meta = settingMeta(name);
    let raw: string | string[] | undefined;
    let source: Source = { kind: 'default' };
    let base = ce.cwd;
    const inFile = fromFile.get(iniName(meta));
    if (flags[name] !== undefined) [raw, source] = [flags[name], { kind: 'flag', flag: flagNames[name] ?? name }];
    // an empty variable is unset (as a shell user means by ANSIBLE_X= to switch a setting off)
    else if (meta.env && ce.env[meta.env] !== undefined && ce.env[meta.env] !== '') [raw, source] = [ce.env[meta.env], { kind: 'env', name: meta.env }];
    else if (inFile && file) [raw, source, base] = [inFile.value, { kind: 'file', file, line: inFile.line, col: inFile.col }, dirname(file)];
    sources[name] = source;
    if (raw === undefined) continue;
    const r = v.safeParse(ConfigSchema.entries[name], raw);
    if (!r.success) {
      const where = source.kind === 'file' ? { file: source.file, line: source.line, col: source.col } : { file: source.kind === 'flag' ? source.flag : (source as { name: string }).name, line: 0, col: 0 };
      const label = source.kind === 'file' ? `${iniName(meta)}: ` : '';
      problems.push({ ...where, message: `${label}got ${show(raw)}, ${r.issues[0].message}` });
      continue;
    }
    let value: unknown = r.output;
    // a relative path in ansible.cfg is relative to its directory (as Ansible resolves it); from a flag
    // or the environment it stays relative to the current directory
    const abs = (p: string) => (source.kind === 'file' ? resolve(base, expandHome(p, ce.home)) : expandHome(p, ce.home));
    if (meta.path === 'one') value = abs(String(value));
    if (meta.path === 'list') value = String(value).split(':').filter(Boolean).map(abs).join(':');
    if (meta.path === 'sources') value = (value as string[]).map((p) => (p.includes(',') ? p : abs(p)));
    values[name] = value;
  }
  return problems.length ? { problems } : { config: { values: values as Partial<Config>, sources, file, warnings }, problems };
}

/**
 * ANSIBLE_* variables skiff reads without a setting of its own: ANSIBLE_CONFIG (findConfigFile), the
 * colour switches (report/color.ts), the vault password file (vault/sources.ts), and ANSIBLE_PLAYBOOK_DIR,
 * which ansible-playbook itself does not use (the playbook's directory is playbook_dir).
 */
const READ_ELSEWHERE = new Set([
  'ANSIBLE_CONFIG', 'ANSIBLE_NOCOLOR', 'ANSIBLE_FORCE_COLOR', 'ANSIBLE_VAULT_PASSWORD_FILE', 'ANSIBLE_PLAYBOOK_DIR',
  // a collection's roles (includes.ts); the plugins ansible-core runs for skiff (py-plugins.ts) find theirs
  // with these, read by ansible-core itself from the environment it inherits
  'ANSIBLE_COLLECTIONS_PATH', 'ANSIBLE_COLLECTIONS_PATHS', 'ANSIBLE_LOOKUP_PLUGINS', 'ANSIBLE_FILTER_PLUGINS', 'ANSIBLE_TEST_PLUGINS',
]);

/**
 * Settings whose value is what skiff does anyway, by ansible.cfg key and by variable: no warning for
 * them. stdout_callback default: skiff's plain output is Ansible's default callback's lines.
 */
const ACCEPTED_AS_IS: Record<string, string> = { stdout_callback: 'default', ANSIBLE_STDOUT_CALLBACK: 'default' };

/** The ANSIBLE_* variables set (not empty) that skiff neither reads nor has a setting for, sorted. */
export function unknownAnsibleEnv(env: Record<string, string | undefined>): string[] {
  const known = new Set([...SETTINGS.flatMap((s) => settingMeta(s).env ?? []), ...READ_ELSEWHERE]);
  return Object.keys(env)
    .filter((k) => k.startsWith('ANSIBLE_') && env[k] !== undefined && env[k] !== '' && !known.has(k) && ACCEPTED_AS_IS[k] !== env[k]!.trim())
    .sort();
}

export function describeSource(s: Source): string {
  if (s.kind === 'flag') return `flag ${s.flag}`;
  if (s.kind === 'env') return `env ${s.name}`;
  if (s.kind === 'file') return `ansible.cfg ${s.file}:${s.line}`;
  return 'default';
}

/** `skiff config`: one line per setting: name, value, where it came from. */
export function formatConfig(c: ResolvedConfig): string {
  const rows = SETTINGS.map((name) => {
    const meta = settingMeta(name);
    const val = c.values[name];
    const shown = val === undefined ? meta.default : String(val);
    return [name, shown, describeSource(c.sources[name])];
  });
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  const head = `config file: ${c.file ?? 'none found ($ANSIBLE_CONFIG, ./ansible.cfg, ~/.ansible.cfg, /etc/ansible/ansible.cfg)'}`;
  return [head, ...rows.map((r) => `${r[0].padEnd(w0)}  ${r[1].padEnd(w1)}  ${r[2]}`)].join('\n');
}
