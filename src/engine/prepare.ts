// Everything that can be checked without a host: inventory, playbook, extra vars, --limit, every
// task's parameters rendered for every host it will run on, key files. Problems are collected and
// returned together, before any connection is opened.
import { becomeMethodOf, becomeMethodRefused } from '../transport/become.ts';
import { FLAG_KEYWORDS } from './flag.ts';
import { askVarsPrompt, type PromptIO } from './vars-prompt.ts';
import { playFiles, taskGivenNames } from './fact-needs.ts';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import * as v from 'valibot';
import { isHostListOrigin, loadSources } from '../inventory/sources.ts';
import { parse as parseYaml } from 'yaml';
import { matchPattern, unknownName, unmatchedWarning } from '../inventory/pattern.ts';
import { connVarNames, type HostConn } from '../inventory/host.ts';
import { hostConnection, IMPLICIT_LOCALHOST, type ConnDefaults } from './connection-settings.ts';
export { IMPLICIT_LOCALHOST } from './connection-settings.ts';
import { groupsMap, hostVars } from '../inventory/vars.ts';
import { isLocalhostName } from '../inventory/localhost.ts';
import type { Inventory, Origin } from '../inventory/types.ts';
import { issuesToProblems } from '../playbook/issues.ts';
import { loadPlaybooks, walkTasks, type BlockDef, type Keywords, type LoopSpec, type Node, type PlayDef, type RoleMagic, type Playbook, type TaskDef } from '../playbook/load.ts';
import { didYouMean, show, type InputProblem } from '../util/errors.ts';
import { itemVars, loopItems, resolveLoop } from './loop.ts';
import { FACT_SHAPE, factVars } from './facts.ts';
import { isJson, loadYaml, problemAt } from '../util/yaml-source.ts';
import type { Registry } from './task-type.ts';
import { schemaEntries } from './task-type.ts';
import type { VaultSecret } from '../vault/vaultlib.ts';
import { checkingOnly } from '../lookup/builtin.ts';
import { evaluate, ExprError, HOSTVARS, HOSTVARS_VARS, LATER, truthy, UndefinedError, type Scope } from '../template/expr.ts';
import { conditionTemplate } from './conditional.ts';
import { containsLater, hasTemplate, render, renderParams, scopeOf, type Path, type RenderProblem } from '../template/template.ts';
import { OMIT, removeOmit } from './omit.ts';
import { runVars } from './run-vars.ts';
import { playHosts, playOrder, type Order } from './play-start.ts';
import { countOf } from './run-task.ts';
import { PYTYPE, pyStr, Undef } from '../template/expr-error.ts';
import { LOOKUP_FAILED } from '../lookup/builtin.ts';
import { useVaultSecrets } from '../lookup/base.ts';
import { parseKv } from '../playbook/kv.ts';
import { cachedFactVars, readCachedFacts, type FactCacheSettings } from './fact-cache.ts';
import { hashMerging, isVarsDict, mergeHash } from '../util/combine-vars.ts';
import { markUnsafe, noteFacts, noteText, textNote, tracked, UNSAFE, varTaint, YAML_TEXT } from '../template/unsafe.ts';
import { parseParams } from './float-params.ts';

export interface RunOptions {
  /** -b (--become) and --become-user: the become of each play that sets none */
  become?: boolean;
  becomeUser?: string;
  /** --become-method: sudo or su, for each play that says none */
  becomeMethod?: string;
  /** where vars_prompt is answered (a run: the terminal); without it, the defaults are taken */
  promptIO?: PromptIO;
  playbook: string;
  /** the playbooks named after the first: run after it, in order, as one run (ansible-playbook a.yml b.yml) */
  morePlaybooks?: string[];
  /** fact_caching = jsonfile: where each host's facts are kept across runs (engine/fact-cache.ts) */
  factCache?: FactCacheSettings;
  /** --flush-cache: the cached facts of every inventory host are not read, and removed when the run starts */
  flushCache?: boolean;
  /** the inventory sources (-i, each a file, a directory or a host list `a,b,`), or one */
  inventory: string | readonly string[];
  limit?: string;
  extraVars: string[]; // raw -e values
  check: boolean;
  diff: boolean;
  forks?: number;
  /** a play's strategy when it names none (ANSIBLE_STRATEGY, ansible.cfg): linear if unset */
  strategy?: 'linear' | 'free' | 'host_pinned';
  /** whether a play without gather_facts: gathers (ANSIBLE_GATHERING, ansible.cfg): implicit if unset */
  gathering?: 'implicit' | 'explicit' | 'smart';
  acceptNewHostKeys: boolean;
  /** --tags / --skip-tags (Ansible's selection, src/engine/tags.ts) */
  tags?: string[];
  skipTags?: string[];
  /** --start-at-task: tasks before the first one of this name (or glob) are not run */
  startAtTask?: string;
  /** --force-handlers (or ANSIBLE_FORCE_HANDLERS): notified handlers run even on a host that failed, unless the play says otherwise */
  forceHandlers?: boolean;
  /** ANSIBLE_NO_LOG: no_log for a task that does not say (nor its block, role or play) */
  noLog?: boolean;
  /** false (ANSIBLE_ERROR_ON_MISSING_HANDLER=false): a notify that reaches no handler is a warning, not an error */
  errorOnMissingHandler?: boolean;
  /**
   * Connection settings under every host's own (ansible.cfg / ANSIBLE_* / -u, --private-key, -T):
   * `user`, `private_key_file` (absolute), `connect_timeout`, each with where it was set.
   */
  connDefaults?: ConnDefaults;
  /** -K (--ask-become-pass): sudo's password for every host (over become_password) */
  becomePassword?: string;
  /** -k (--ask-pass): the SSH password for every host (over password) */
  sshPassword?: string;
  /** --ask-key-passphrase: the passphrase of encrypted private keys that ssh-agent does not hold */
  keyPassphrase?: string;
  /** where roles are looked for after roles/ next to the playbook (ansible.cfg roles_path, ANSIBLE_ROLES_PATH) */
  rolesPath?: string[];
  /** where modules are looked for after the library/ dirs of the playbooks and roles (ansible.cfg library, ANSIBLE_LIBRARY) */
  libraryPath?: string[];
  /** passwords for ansible-vault data in the inventory, the playbook and -e @files */
  vault?: readonly VaultSecret[];
  /**
   * --strict: an undefined variable, key or item in a task is refused before the run (by default it
   * fails the task on the host when it runs, as in Ansible: the run may define it)
   */
  strict?: boolean;
  /** -v count (ansible_verbosity) */
  verbosity?: number;
  /** the ansible.cfg read (ansible_config_file) */
  configFile?: string;
}

export interface PreparedPlay {
  play: PlayDef;
  hosts: string[];
  /**
   * its `hosts:` matched nothing before the run, where an earlier play may make the group or host
   * (add_host, group_by): resolved when the play starts, as Ansible's (inventory-change.ts)
   */
  unmatched?: boolean;
  /** its `hosts:` and `order:` as rendered when the play starts (play-start.ts) */
  pattern?: string;
  order?: Order;
}

export interface Prepared {
  inventory: Inventory;
  playbook: Playbook;
  plays: PreparedPlay[];
  extra: Record<string, unknown>;
  /** each host's inventory vars, templates rendered */
  hostvars: Record<string, Record<string, unknown>>;
  conns: Map<string, HostConn>;
  registry: Registry;
  /** --check and --diff, which tasks see as ansible_check_mode and ansible_diff_mode */
  mode?: { check: boolean; diff: boolean };
  /** the connection settings of a host first named by a task read at run time (a dynamic include's delegate_to) */
  /** `connection`: the connection keyword's, over the -c default (the host's own var still wins) */
  /** `forced`: the connection comes from ansible_connection in a play's or task's vars, over the host's own */
  connect?: (host: string, connection?: 'local' | 'ssh', forced?: boolean, remote?: Record<string, unknown>) => { conn: HostConn } | { problems: InputProblem[] };
  /** the magic variables of the whole run (run-vars.ts): ansible_version, ansible_run_tags... */
  runVars?: Record<string, unknown>;
  /** each play's vars_files as read for each host (readVarsFiles) */
  varsFilesOf?: Map<PlayDef, Map<string, Record<string, unknown>>>;
  /** set by the run: hosts out of the play and each play's current batch (ansible_play_hosts, ansible_play_batch) */
  live?: { dead: ReadonlyMap<string, unknown>; batch: Map<PlayDef, string[]> };
  /** set by the run: per host, the variables include_vars set (their own precedence layer) */
  included?: Map<string, Record<string, unknown>>;
  /**
   * each host's registered results and set_fact facts (the run's; while preparing, the names known so
   * far, as LATER): they are in hostvars[host] too, as in Ansible
   */
  registeredOf?: ReadonlyMap<string, Record<string, unknown>>;
  /** a host's inventory vars, rendered, as the inventory is now (one add_host or group_by changed) */
  reloadHost?(host: string): Record<string, unknown>;
  /** the inventory's sources read again (meta: refresh_inventory), or what is wrong with them now */
  readInventory?(): { inventory: Inventory } | { problems: InputProblem[] };
  /** the play's vars_files read for hosts it has at run time only (a host add_host added): what is wrong */
  readVarsFilesFor?(play: PlayDef, hosts: string[]): InputProblem[];
  /**
   * a task may change the inventory (add_host, group_by, or a file read only at run time): a host
   * or group it names that the inventory lacks is known only then
   */
  inventoryMayChange?: boolean;
}

export function parseExtraVars(raw: string[], problems: InputProblem[], vault: readonly VaultSecret[] = [], warn: (text: string) => void = () => {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const e of raw) {
    if (e.startsWith('@')) {
      const { source, problems: p } = loadYaml(e.slice(1), vault);
      problems.push(...p);
      if (!source) continue;
      if (!source.value || typeof source.value !== 'object' || Array.isArray(source.value)) {
        problems.push(problemAt(source, [], `expected a map of variables, got ${show(source.value)}`));
        continue;
      }
      Object.assign(out, source.value);
      // AnsibleUnicode from a YAML file (type_debug), str from a JSON one
      for (const k of Object.keys(source.value)) noteText(out, k, source.json ? 0 : YAML_TEXT);
    } else if (e.trim().startsWith('{')) {
      // as Ansible's load_extra_vars: read as YAML, so `{"x": False}` (Python's spelling) is a boolean too
      try {
        const value = parseYaml(e);
        if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error(`got ${show(value)}`);
        Object.assign(out, value);
        // json.loads' strings are str; YAML's (`-e '{x: a}'`) AnsibleUnicode
        for (const k of Object.keys(value)) noteText(out, k, isJson(e) ? 0 : YAML_TEXT);
      } catch (err) {
        problems.push({ file: '-e', line: 0, col: 0, message: `${show(e)}: expected a JSON (or YAML) object (${(err as Error).message})` });
      }
    } else {
      // as Ansible's load_extra_vars: parse_kv, so a quoted value is unquoted (-e "seed='x'", lookup_fileglob)
      const kv = parseKv(e);
      if (!kv.ok) problems.push({ file: '-e', line: 0, col: 0, message: `${show(e)}: expected key=value, @file.yml or a JSON object (${kv.error})` });
      const { _raw_params: words, ...vars } = kv.ok ? kv.value : {};
      // words that are no key=value (`-e 'x: False'`) are the variable _raw_params, as parse_kv gives
      // them to Ansible (verify_merge_facts.yml runs so): said, since they are likely a mistake
      if (words !== undefined) {
        out._raw_params = words;
        warn(`-e ${show(words)} is no key=value: it is the variable _raw_params, as in Ansible (a YAML map is given as -e '{"x": 1}' or -e @file.yml)`);
      }
      // a name no template can read by name (1x, a.b) is kept as Ansible keeps it: vars['a.b'] reads it;
      // said, since it is likely a mistake. An empty -e is nothing, as in Ansible.
      for (const k of Object.keys(vars).filter((k) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(k))) {
        warn(`-e ${show(`${k}=${vars[k]}`)}: ${show(k)} is no variable name: only vars[${show(k)}] reads it, as in Ansible`);
      }
      Object.assign(out, vars);
    }
  }
  return out;
}

/**
 * --limit: a pattern, or @file with one host (or pattern) per line, as written by a failed run. A name
 * that matches nothing is a warning while others match (Ansible's); a limit that leaves no host is refused.
 */
export function resolveLimit(inv: Inventory, limit: string, problems: InputProblem[], warn: (w: string) => void = () => undefined): Set<string> | undefined {
  // each pattern with its line in a limit file (0: the command line's)
  let patterns: [string, number][];
  let file = '--limit';
  if (limit.startsWith('@')) {
    file = limit.slice(1);
    try {
      patterns = readFileSync(file, 'utf8').split('\n').map((l, i): [string, number] => [l.trim(), i + 1]).filter(([l]) => l && !l.startsWith('#'));
    } catch (e) {
      problems.push({ file, line: 0, col: 0, message: `cannot read limit file: ${(e as Error).message}` });
      return undefined;
    }
  } else patterns = [[limit, 0]];
  const out = new Set<string>();
  const unmatched: { at: Origin; name: string }[] = [];
  const before = problems.length;
  patterns.forEach(([p, line]) => {
    const at = { file, line, col: line ? 1 : 0 };
    const r = matchPattern(inv, p);
    if ('error' in r) problems.push({ ...at, message: `${r.error}` });
    else {
      r.hosts.forEach((h) => out.add(h));
      for (const name of r.unmatched ?? []) unmatched.push({ at, name });
    }
  });
  if (out.size) unmatched.forEach((u) => warn(unmatchedWarning(inv, u.name)));
  else if (problems.length === before) {
    // Ansible's ERROR! of a limit that leaves no host; the names that matched nothing said with it
    const unknown = unmatched.filter((u) => !inv.groups.has(u.name));
    problems.push({ ...(unknown[0]?.at ?? { file, line: 0, col: 0 }), message: `Specified inventory, host pattern and/or --limit leaves us with no hosts to target${unknown.length ? `: ${unknown.map((u) => unknownName(inv, u.name)).join('; ')}` : ''}` });
  }
  return out;
}

/**
 * Longest chain of inventory vars whose templates use one another (`a: "{{ b }}"`, `b: "{{ c }}"`...):
 * each link is a level of recursion, and a chain of 2,000 ran out of stack ("internal error").
 */
const MAX_VAR_CHAIN = 100;

/** An inventory value whose template names what only a task gives (a loop var): rendered in the task's scope. */
export class InventoryTemplate {
  constructor(readonly template: unknown) {}
  /** shown as written (skiff inventory, reports) */
  toJSON(): unknown {
    return this.template;
  }
}

/** Host vars as tasks see them: templates in inventory values rendered lazily against the same vars. */
export function renderedHostVars(inv: Inventory, host: string, extra: Record<string, unknown>, problems: InputProblem[], run: Record<string, unknown> = {}, taskGiven: (name: string, varName: string) => boolean = () => false): { vars: Record<string, unknown>; origins: Record<string, Origin> } {
  const { vars, origins } = hostVars(inv, host);
  const out: Record<string, unknown> = {};
  const busy = new Set<string>();
  const deferred = new Set<string>();
  const magic = { ...run, inventory_hostname: host, groups: groupsMap(inv) };
  // own keys only (Object.hasOwn): `{{ constructor }}` is an unknown variable, not Object's
  const scope: Scope = (name) => {
    if (Object.hasOwn(extra, name)) return { found: true, value: extra[name] };
    if (Object.hasOwn(out, name)) return deferred.has(name) ? { found: false, names: [] } : { found: true, value: out[name] };
    if (Object.hasOwn(vars, name) && !busy.has(name)) {
      // an ExprError: reported against the var whose template went one link too far
      if (busy.size >= MAX_VAR_CHAIN) throw new ExprError(`variables use one another more than ${MAX_VAR_CHAIN} deep (${name} is one too many)`);
      busy.add(name);
      const ps: RenderProblem[] = [];
      const text = { bits: 0 };
      out[name] = render(vars[name], scope, [], ps, [], text);
      // a YAML source's text is AnsibleUnicode (type_debug); an INI or JSON one's a str
      noteText(out, name, textNote(vars, name) ? text.bits : text.bits & ~YAML_TEXT);
      busy.delete(name);
      // a variable the caller says the run may give (taskGiven: by default any, under --strict what a task
      // of the playbook gives, a fact, hostvars): the value stays a template, rendered where a task reads
      // it, as Ansible templates inventory vars lazily; any other stays a mistake refused before the run
      const missing = (p: RenderProblem) => /^'(\w+)' is undefined$/.exec(p.undefinedVar ?? '')?.[1];
      if (ps.length && ps.every((p) => { const m = missing(p); return m !== undefined && (deferred.has(m) || taskGiven(m, name)); })) {
        out[name] = new InventoryTemplate(vars[name]);
        deferred.add(name);
      }
      // one that uses it waits for the task too
      if (deferred.has(name)) return { found: false, names: [] };
      for (const p of ps) problems.push({ ...(origins[name] ?? { file: 'inventory', line: 0, col: 0 }), message: `${host}: variable ${name}: ${p.message}` });
      return { found: true, value: out[name] };
    }
    if (Object.hasOwn(magic, name)) return { found: true, value: (magic as Record<string, unknown>)[name], magic: true };
    // the names are for a did-you-mean, wanted only when the miss is reported: a getter, not an array per miss
    return { found: false, get names() { return [...Object.keys(vars), ...Object.keys(extra), ...Object.keys(magic)]; } };
  };
  for (const k of Object.keys(vars)) {
    // hash_behaviour merge: a name -e gives too keeps the host's value here, for the task's scope to merge under the extra's
    if (hashMerging() && Object.hasOwn(extra, k)) {
      const ps: RenderProblem[] = [];
      out[k] = render(vars[k], scope, [], ps);
      for (const p of ps) problems.push({ ...(origins[k] ?? { file: 'inventory', line: 0, col: 0 }), message: `${host}: variable ${k}: ${p.message}` });
    } else scope(k);
  }
  return { vars: out, origins };
}

export { groupsMap } from '../inventory/vars.ts';


/** Ansible's magic variables skiff has, for a host (`group_names` worked out only when read). */
function magicVars(prep: ScopePrep, host: string, play?: PlayDef, role?: RoleMagic, delegate?: string): Record<string, unknown> {
  const groups = groupsMap(prep.inventory);
  const origin = prep.inventory.hostOrigin.get(host);
  const hv = prep.hostvars[host] ?? {};
  // the connection's magic vars are those of the host the task reaches: a delegated one's are the
  // delegate's (PlayContext.update_vars, under the host's own vars as it fills only what is unset)
  const on = delegate ?? host;
  const cv = prep.hostvars[on] ?? {};
  const onOrigin = prep.inventory.hostOrigin.get(on);
  // the play's hosts still in it (all of them before the run), and those of the current serial batch
  const all = (play && prep.plays?.find((p) => p.play === play)?.hosts) ?? [];
  const alive = (hs: string[]) => hs.filter((h) => !prep.live?.dead.has(h));
  const m: Record<string, unknown> = {
    ...prep.runVars,
    ...(play ? { ansible_play_name: play.name, ansible_play_hosts_all: all } : {}),
    ...(role ? {
      role_name: role.short,
      role_path: role.path,
      ansible_role_name: role.name,
      ansible_collection_name: role.collection,
    } : {}),
    // undefined outside an included role, as in Ansible (special_vars: `ansible_parent_role_names is undefined`)
    ...(role?.parents.length ? { ansible_parent_role_names: role.parents.map((p) => p.name), ansible_parent_role_paths: role.parents.map((p) => p.path) } : {}),
    omit: OMIT,
    // a host whose facts were never gathered has them empty, not undefined (Ansible's namespace_facts
    // of its empty fact cache): `when: ansible_facts == {}` (setup_remote_tmp_dir)
    ansible_facts: {},
    inventory_hostname: host,
    inventory_hostname_short: host.split('.')[0],
    groups,
    hostvars: hostvarsView(prep),
    get group_names() {
      return Object.keys(groups).filter((g) => g !== 'all' && groups[g].includes(host)).sort();
    },
    // where the host is declared, as Ansible's (roles put their files next to the inventory); the
    // implicit localhost has none; a host list's host has the list as its file and no directory (Ansible's None)
    ...(origin ? (isHostListOrigin(origin) ? { inventory_file: origin.file, inventory_dir: null } : { inventory_file: resolve(origin.file), inventory_dir: dirname(resolve(origin.file)) }) : {}),
    // the connection the host is reached by, as Ansible's play context gives it to tasks (-c's when the
    // inventory names none); known once prepare() has worked out the host's connection
    ...(prep.conns?.has(on) ? { ansible_connection: cv.ansible_connection ?? prep.conns.get(on)!.connection } : {}),
    // the address, as Ansible's connection vars define it for every host (the implicit localhost's is 127.0.0.1)
    ansible_host: cv.ansible_host ?? cv.address ?? (onOrigin ? on : '127.0.0.1'),
    ...(prep.playbook ? { playbook_dir: dirname(resolve(play?.playbookFile ?? prep.playbook.file)) } : {}),
    // where lookups (first_found) look, as Ansible's task.get_search_path(): the role (and the roles that
    // brought it in), its tasks/, the playbook's directory (an include's own file's: host-run.ts)
    ...(prep.playbook ? { ansible_search_path: [...(role ? [role.path, ...role.parents.map((p) => p.path), join(role.path, 'tasks')] : []), dirname(resolve(play?.playbookFile ?? prep.playbook.file))] } : {}),
    ...(prep.mode ? { ansible_check_mode: prep.mode.check, ansible_diff_mode: prep.mode.diff } : {}),
  };
  // getters, computed when read: a spread would compute each list for every task and host (O(hosts²))
  if (play) {
    const batch = () => alive(prep.live?.batch.get(play) ?? all);
    Object.defineProperties(m, {
      ansible_play_hosts: { get: () => alive(all), enumerable: true },
      ansible_play_batch: { get: batch, enumerable: true },
      play_hosts: { get: batch, enumerable: true },
    });
  }
  return m;
}

/**
 * Ansible's hostvars: each host's vars (inventory vars and facts) under what set_fact, register and
 * include_vars gave it; play vars are not there (as in Ansible). Read through, never copied: a view per use.
 */
function hostvarsView(prep: ScopePrep): Record<string, unknown> {
  const all = prep.hostvars;
  // under them, the host's own magic vars, as Ansible's hostvars has them (`hostvars[h].group_names`)
  const own = (h: string) => ({
    ansible_facts: {},
    inventory_hostname: h,
    inventory_hostname_short: h.split('.')[0],
    get group_names() {
      const groups = groupsMap(prep.inventory);
      return Object.keys(groups).filter((g) => g !== 'all' && groups[g].includes(h)).sort();
    },
  });
  const one = (h: string) => layered([prep.registeredOf?.get(h) ?? {}, prep.included?.get(h) ?? {}, all[h], own(h)], HOSTVARS_VARS);
  return new Proxy({} as Record<string, unknown>, {
    get: (_, k) => (k === PYTYPE ? HOSTVARS : typeof k === 'string' && Object.hasOwn(all, k) ? one(k) : undefined),
    has: (_, k) => typeof k === 'string' && Object.hasOwn(all, k),
    ownKeys: () => Object.keys(all),
    getOwnPropertyDescriptor: (_, k) => (typeof k === 'string' && Object.hasOwn(all, k) ? { value: one(k), enumerable: true, configurable: true, writable: false } : undefined),
  });
}

/** A read-only dict of layers, the first that has a key giving its value; `type`: its Python class in messages. */
function layered(layers: Record<string, unknown>[], type: string): Record<string, unknown> {
  const owner = (k: string | symbol) => (typeof k === 'string' ? layers.find((l) => Object.hasOwn(l, k)) : undefined);
  return new Proxy({} as Record<string, unknown>, {
    get: (_, k) => {
      if (k === PYTYPE) return type;
      const o = owner(k);
      // hostvars[h].registered is unsafe as it is in the host's own scope
      if (o && varTaint(o, k as string) === 'unsafe') markUnsafe();
      if (o) markUnsafe(textNote(o, k as string));
      return o?.[k as string];
    },
    has: (_, k) => !!owner(k),
    ownKeys: () => [...new Set(layers.flatMap((l) => Object.keys(l)))],
    getOwnPropertyDescriptor: (_, k) => {
      const o = owner(k);
      return o ? { value: o[k as string], enumerable: true, configurable: true, writable: false } : undefined;
    },
  });
}

/** What of a task's keywords its variables come from (Keywords: load.ts). */
export type VarKeywords = Partial<Pick<Keywords, 'vars' | 'defaults' | 'role' | 'roleVars' | 'roleParams' | 'includeParams'>>;

/**
 * The scope a task sees on a host, in Ansible's precedence (VariableManager.get_vars), highest first:
 * loop vars, extra vars, include params, role params, registered results and set_fact, include_vars,
 * task and block vars, the task's role's vars, the play's roles' vars, vars_files, play vars, host vars,
 * role defaults, magic vars. Registered names are LATER while validating. Playbook vars may hold
 * templates: rendered when used, against the whole scope as Ansible does (a role default `"{{ a }}"`
 * sees an inventory `a`); a var whose template names itself reads the next layer down.
 */
export function taskScope(prep: ScopePrep, play: PlayDef, host: string, registered: Record<string, unknown>, kw: VarKeywords = {}, loopVars: Record<string, unknown> = {}, delegate?: string): Scope {
  const magic = magicVars(prep, host, play, kw.role, delegate);
  const hv = prep.hostvars[host] ?? {};
  const fixed = scopeOf(loopVars, prep.extra);
  // host vars and registered results are rendered already: `what` is empty for them
  const layers = [
    { vars: kw.includeParams ?? {}, what: 'include param' },
    { vars: kw.roleParams ?? {}, what: 'role param' },
    { vars: registered, what: '' },
    { vars: prep.included?.get(host) ?? {}, what: 'include_vars var' },
    { vars: kw.vars ?? {}, what: 'task var' },
    { vars: kw.roleVars ?? {}, what: 'role var' },
    { vars: play.roleVars, what: 'role var' },
    { vars: prep.varsFilesOf?.get(play)?.get(host) ?? {}, what: 'vars_files var' },
    { vars: play.vars, what: 'play var' },
    { vars: hv, what: '' },
    { vars: kw.defaults ?? {}, what: 'role default' },
    { vars: play.roleDefaults, what: 'role default' },
  ];
  const busy = new Set<string>();
  const templated = (vars: Record<string, unknown>, name: string, what: string, under: Scope, stored?: number) => {
    const ps: RenderProblem[] = [];
    const text = { bits: 0 };
    // what the template read is unsafe or not; its strings' class is that of its value (type_debug):
    // YAML's text, as a playbook's vars are, or for a stored fact its own (`stored`)
    const { value } = tracked(() => render(vars[name], under, [], ps, [], text), UNSAFE);
    markUnsafe(stored === undefined || !(text.bits & YAML_TEXT) ? text.bits : stored);
    // an ExprError, so render() reports it against the template that used the var
    if (ps.length && ps[0].undefinedVar === undefined) throw new ExprError(`${what} ${name}: ${ps[0].message}`);
    // a var whose template uses something undefined is itself undefined (AnsibleJ2Vars since 2.14: lazy):
    // `is undefined` and `default` take it, any other use fails naming the var's template
    if (ps.length) return { found: true as const, value: new Undef(`${what} ${name}: ${ps[0].message}`, false, `${pyStr(vars[name])}: ${ps[0].undefinedVar}`) };
    return { found: true as const, value };
  };
  // the value layer i gives the name, rendered; undefined when it has none (or is rendering it now)
  const at = (i: number, name: string): { found: true; value: unknown } | undefined => {
    const { vars, what } = layers[i];
    const key = `${i}:${name}`;
    if (!Object.hasOwn(vars, name) || busy.has(key)) return undefined;
    // a set_fact value holding a template is rendered again, unless it was unsafe (unsafe.ts)
    const how = what ? undefined : varTaint(vars, name);
    if (!what && how !== 'templated') {
      const v = vars[name];
      if (how === 'unsafe') markUnsafe();
      if (!(v instanceof InventoryTemplate)) {
        markUnsafe(textNote(vars, name));
        return { found: true, value: v };
      }
      return templated({ [name]: v.template }, name, 'inventory var', from(0));
    }
    busy.add(key);
    try {
      return templated(vars, name, what || 'fact', from(0), what ? undefined : textNote(vars, name));
    } finally {
      busy.delete(key);
    }
  };
  // hash_behaviour merge: a dict is combined with the dicts the layers under it give the name, down to
  // the first that gives something else (which it replaces), as combine_vars builds them up layer by layer
  const mergedDown = (name: string, top: { found: true; value: unknown }, next: number): { found: true; value: unknown } => {
    if (!isVarsDict(top.value)) return top;
    for (let i = next; i < layers.length; i++) {
      const r = at(i, name);
      if (!r) continue;
      const below = mergedDown(name, r, i + 1);
      return isVarsDict(below.value) ? { found: true, value: mergeHash(below.value, top.value) } : top;
    }
    return top;
  };
  const merging = hashMerging();
  const from = (start: number): Scope => (name) => {
    const a = fixed(name);
    if (a.found) {
      const v = merging ? mergedDown(name, a, 0) : a;
      return Object.hasOwn(prep.extra, name) ? { ...v, inventory: true } : v;
    }
    for (let i = start; i < layers.length; i++) {
      const r = at(i, name);
      if (!r) continue;
      const v = merging ? mergedDown(name, r, i + 1) : r;
      return layers[i].vars === hv ? { ...v, inventory: true } : v;
    }
    if (Object.hasOwn(magic, name)) return { found: true, value: (magic as Record<string, unknown>)[name], magic: true };
    if (name === 'vars') return { found: true, value: varsDict(from(0)) };
    if (Object.hasOwn(registered, AFTER_DYNAMIC_INCLUDE)) return { found: true, value: LATER };
    return { found: false, get names() { return [...Object.keys(loopVars), ...Object.keys(prep.extra), ...layers.flatMap((l) => Object.keys(l.vars)), ...Object.keys(magic)]; } };
  };
  return from(0);
}

/**
 * Ansible's `vars`: every variable the task sees, as a dict (`vars['x']`, `'x' in vars`); each read
 * through the scope, so a var is rendered only when used.
 */
function varsDict(scope: Scope): Record<string, unknown> {
  const names = () => {
    const r = scope('\0');
    return r.found ? [] : [...new Set(r.names)];
  };
  return new Proxy({} as Record<string, unknown>, {
    get: (_, k) => (typeof k === 'string' && k !== 'vars' ? (scope(k) as { value?: unknown }).value : undefined),
    has: (_, k) => typeof k === 'string' && k !== 'vars' && scope(k).found,
    ownKeys: () => names(),
    getOwnPropertyDescriptor: (_, k) => {
      if (typeof k !== 'string' || k === 'vars') return undefined;
      const r = scope(k);
      return r.found ? { value: r.value, enumerable: true, configurable: true, writable: false } : undefined;
    },
  });
}

const SILENT: PromptIO = { interactive: false, ask: () => '', say: () => undefined };

type ScopePrep = Pick<Prepared, 'extra' | 'hostvars' | 'inventory'> & Partial<Pick<Prepared, 'conns' | 'playbook' | 'mode' | 'plays' | 'live' | 'included' | 'registeredOf' | 'runVars' | 'varsFilesOf'>>;

export function prepare(opts: RunOptions, registry: Registry): { prepared?: Prepared; problems: InputProblem[]; warnings?: string[] } {
  return checkingOnly(() => prepareChecked(opts, registry));
}

function prepareChecked(opts: RunOptions, registry: Registry): { prepared?: Prepared; problems: InputProblem[]; warnings?: string[] } {
  const problems: InputProblem[] = [];
  const warnings: string[] = [];
  // every -i source (a path, or a host list), as Ansible's InventoryManager reads them
  const readSources = () => loadSources(typeof opts.inventory === 'string' ? [opts.inventory] : opts.inventory, opts.vault, { keepUnclaimed: true, playbookDirs: [opts.playbook, ...(opts.morePlaybooks ?? [])].map((p) => dirname(resolve(p))) });
  const { inventory: inv, problems: ip, warnings: iw } = readSources();
  warnings.push(...iw);
  problems.push(...ip);
  const extra = parseExtraVars(opts.extraVars, problems, opts.vault, (w) => warnings.push(w));
  // the file and template lookups open vaulted files with the run's passwords
  useVaultSecrets(opts.vault ?? []);
  // --become-method: one skiff has not is refused before any play, as written in a play
  if (opts.becomeMethod !== undefined && becomeMethodOf(opts.becomeMethod) === undefined) problems.push({ file: '--become-method', line: 0, col: 0, message: becomeMethodRefused(opts.becomeMethod) });
  const { playbook, problems: pp } = loadPlaybooks([opts.playbook, ...(opts.morePlaybooks ?? [])], registry.types, opts.vault, opts.rolesPath, extra, opts.libraryPath, { become: opts.become, become_user: opts.becomeUser, become_method: opts.becomeMethod });
  warnings.push(...(registry.types.loadWarnings?.() ?? []).map((w) => `[WARNING]: ${w}`));
  problems.push(...pp);
  if (!inv || !playbook) return { problems };
  // vars_prompt: asked now, before any host is touched; validate and the listings take the defaults (as Ansible's)
  for (const play of playbook.plays) {
    if (!play.varsPrompt.length) continue;
    try {
      Object.assign(play.vars, askVarsPrompt(play.varsPrompt, play.vars, extra, opts.promptIO ?? SILENT, (w) => opts.promptIO && !warnings.includes(w) && warnings.push(w)));
    } catch (e) {
      problems.push({ file: play.playbookFile ?? playbook.file, line: 0, col: 0, message: `vars_prompt of play ${JSON.stringify(play.name)}: ${(e as Error).message}` });
    }
  }
  const limit = opts.limit ? resolveLimit(inv, opts.limit, problems, (w) => warnings.push(w)) : undefined;

  const hostvars: Record<string, Record<string, unknown>> = {};
  const origins: Record<string, Record<string, Origin>> = {};
  const run = runVars({ ...opts, playbook: opts.playbook });
  // Ansible templates inventory vars lazily: one naming what is undefined is only wrong for a task that
  // reads it (a vault file's var the repository leaves out, hostvars, a fact), so it is rendered there,
  // as a task's own undefined variable is. --strict refuses it before the run, unless a task of the
  // playbook may give it, or it is a fact (by gathering or setup, when the play runs); so is a
  // connection variable (the host is reached with it before any task). hostvars is known once the run has every host
  const taskGiven = taskGivenNames(() => playbook.plays.flatMap((p) => playFiles(p, resolve(p.playbookFile ?? playbook.file))));
  const given = (name: string, varName: string) => (opts.strict !== true && !Object.keys(connVarNames({ [varName]: true })).length) || /^(ansible_\w+|hostvars)$/.test(name) || taskGiven(name);
  const addHostVars = (h: string) => {
    const r = renderedHostVars(inv, h, extra, problems, { ...run, playbook_dir: dirname(resolve(opts.playbook)), omit: OMIT }, given);
    hostvars[h] = r.vars;
    origins[h] = r.origins;
  };
  inv.hosts.forEach(addHostVars);
  // cached facts (fact_caching = jsonfile): host facts from the first task, as Ansible's fact cache gives them
  if (opts.factCache && !opts.flushCache) {
    for (const h of inv.hosts) {
      const cached = readCachedFacts(opts.factCache, h);
      if (cached && 'error' in cached) problems.push({ file: opts.factCache.dir, line: 0, col: 0, message: cached.error });
      else if (cached) {
        const vars = cachedFactVars(cached.facts);
        noteFacts(Object.assign(hostvars[h], vars), Object.keys(vars));
      }
    }
  }
  // which plays may change the inventory: the plays after one resolve what they name at run time
  const changers = playbook.plays.map((p) => mayChangeInventory([...p.tasks, ...p.handlers]));
  const inventoryMayChange = changers.some(Boolean);
  // group_vars/host_vars of a group or host nothing can make are a mistake
  if (!inventoryMayChange) for (const u of [...(inv.unclaimed?.groups.values() ?? []), ...(inv.unclaimed?.hosts.values() ?? [])]) if (u.problem) problems.push(u.problem);
  const prep: Prepared = { inventory: inv, playbook, plays: [], extra, hostvars, conns: new Map(), registry, mode: { check: opts.check, diff: opts.diff }, runVars: run, varsFilesOf: new Map(), inventoryMayChange };
  prep.readVarsFilesFor = (play, hosts) => {
    const ps: InputProblem[] = [];
    readVarsFiles(prep, play, hosts, opts.vault ?? [], (p) => ps.push(p));
    return ps;
  };
  prep.readInventory = () => {
    const r = readSources();
    return r.inventory && !r.problems.length ? { inventory: r.inventory } : { problems: r.problems };
  };
  prep.reloadHost = (h) => {
    const r = renderedHostVars(inv, h, extra, [], { ...run, playbook_dir: dirname(resolve(opts.playbook)), omit: OMIT }, given);
    origins[h] = r.origins;
    return r.vars;
  };
  const seen = new Set<string>();
  const push = (p: InputProblem) => {
    const key = `${p.file}:${p.line}:${p.col}:${p.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(p);
    }
  };
  const delegates = new Set<string>();
  // registered results last for the whole run, per host, across plays (as in Ansible)
  const registeredOf = new Map<string, Record<string, unknown>>();
  const strict = opts.strict === true;
  // hosts whose facts are gathered by this play or an earlier one (kept for the run): validation sees
  // every fact name there, each known at run time
  const factHosts = new Set<string>();
  const shaped = factVars(FACT_SHAPE);
  for (const [i, play] of playbook.plays.entries()) {
    // templated hosts and order: rendered with the play's vars and the extra vars, as the play starts in Ansible
    const runScope = { ...run, playbook_dir: dirname(resolve(play.playbookFile ?? opts.playbook)) };
    const pattern = playHosts(play, extra, runScope);
    const order = playOrder(play, extra, runScope);
    if ('error' in pattern || 'error' in order) {
      if ('error' in pattern) push(problemAt(play.src, [...play.path, 'hosts'], pattern.error));
      if ('error' in order) push(problemAt(play.src, [...play.path, 'order'], order.error));
      continue;
    }
    // an unnamed play is named by its hosts, as rendered (Ansible's Play.get_name after post_validate)
    if (play.name === play.hosts) play.name = pattern.hosts;
    const m = matchPattern(inv, pattern.hosts);
    // a name no host or group has yet: one an earlier play may make (add_host, group_by) is resolved as
    // the play starts; otherwise it matches nothing, with Ansible's warning (the play may have no host)
    if ('hosts' in m && m.unmatched && changers.slice(0, i).some(Boolean)) {
      prep.plays.push({ play, hosts: [], unmatched: true, pattern: pattern.hosts, order: order.order });
      continue;
    }
    if ('error' in m) {
      push(problemAt(play.src, [...play.path, 'hosts'], m.error));
      continue;
    }
    for (const u of m.unmatched ?? []) warnings.push(unmatchedWarning(inv, u));
    const hosts = ordered(limit ? m.hosts.filter((h) => limit.has(h)) : m.hosts, order.order);
    // the implicit localhost (a host the inventory lacks): its vars once it is a play's host
    for (const h of hosts) if (!Object.hasOwn(hostvars, h)) addHostVars(h);
    prep.plays.push({ play, hosts, pattern: pattern.hosts, order: order.order });
    if (gathers(play, opts)) hosts.forEach((h) => factHosts.add(h));
    const vprep = { ...prep, registeredOf, ...(factHosts.size ? { hostvars: Object.fromEntries(Object.entries(hostvars).map(([h, hv]) => [h, factHosts.has(h) ? { ...hv, ...shaped } : hv])) } : {}) };
    if (play.varsFiles.length) readVarsFiles(vprep, play, hosts, opts.vault ?? [], push);
    for (const host of hosts) {
      // what a block's rescue sees of the failure (known at run time only)
      const registered = registeredOf.get(host) ?? { ansible_failed_task: LATER, ansible_failed_result: LATER };
      registeredOf.set(host, registered);
      checkNodes(vprep, play, [...play.tasks, ...play.handlers], host, registered, delegates, strict).forEach(push);
    }
  }
  if (opts.startAtTask !== undefined && !playbook.plays.some((p) => [...walkTasks(p.tasks)].some((t) => startsHere(t.name, opts.startAtTask!)))) {
    push({ file: '--start-at-task', line: 0, col: 0, message: `no task is named ${JSON.stringify(opts.startAtTask)}: expected the name (or a glob) of a task in ${opts.playbook}` });
  }
  // a delegate_to the implicit localhost: its vars, as a play's host has them
  for (const h of delegates) if (!Object.hasOwn(hostvars, h)) addHostVars(h);
  // Connection settings of every host that will be contacted (delegate_to targets too).
  prep.connect = (h, connection, forced, remote) => hostConnection(prep, origins, h, { ...(forced ? { connection } : {}), remote, defaults: connection === undefined ? opts.connDefaults : { ...opts.connDefaults, connection: { value: connection, origin: opts.connDefaults?.connection?.origin ?? inv.hostOrigin.get(h)! } }, becomePassword: opts.becomePassword, sshPassword: opts.sshPassword, keyPassphrase: opts.keyPassphrase });
  for (const h of new Set([...prep.plays.flatMap((p) => p.hosts), ...delegates])) {
    const r = prep.connect(h);
    if ('problems' in r) r.problems.forEach(push);
    else prep.conns.set(h, r.conn);
  }
  return problems.length ? { problems, warnings } : { prepared: prep, problems, warnings };
}

/** Ansible's `order` keyword: the play's hosts in inventory order (the default), reversed, by name, or shuffled. */
export function ordered(hosts: string[], order: Order): string[] {
  if (order === 'reverse_inventory') return [...hosts].reverse();
  if (order === 'sorted') return [...hosts].sort();
  if (order === 'reverse_sorted') return [...hosts].sort().reverse();
  if (order === 'shuffle') return hosts.map((h) => [Math.random(), h] as const).sort((a, b) => a[0] - b[0]).map(([, h]) => h);
  return hosts;
}

/**
 * A play's vars_files for each of its hosts, as Ansible's VariableManager reads them: each name rendered
 * for the host, looked up as vars/NAME then NAME next to the play's playbook (an absolute path as is); a
 * list is first-found. A file found nowhere is an error (Ansible's "vars file X was not found").
 */
function readVarsFiles(prep: Prepared, play: PlayDef, hosts: string[], vault: readonly VaultSecret[], push: (p: InputProblem) => void): void {
  const byHost = prep.varsFilesOf!.get(play) ?? new Map<string, Record<string, unknown>>();
  prep.varsFilesOf!.set(play, byHost);
  const base = dirname(resolve(play.src.file));
  const loaded = new Map<string, Record<string, unknown> | undefined>();
  const load = (file: string, at: Path): Record<string, unknown> | undefined => {
    if (loaded.has(file)) return loaded.get(file);
    const { source, problems } = loadYaml(file, vault);
    problems.forEach(push);
    let vars: Record<string, unknown> | undefined = {};
    const data = source?.value;
    const maps = Array.isArray(data) ? data : data === null || data === undefined ? [] : [data];
    if (!source || !maps.every((d) => d && typeof d === 'object' && !Array.isArray(d))) {
      if (source) push(problemAt(play.src, at, `vars_files: ${file}: expected a map of variables, got ${show(data)}`));
      vars = undefined;
    } else Object.assign(vars, ...maps);
    loaded.set(file, vars);
    return vars;
  };
  for (const host of hosts) {
    const vars: Record<string, unknown> = {};
    // names see the host's vars and the play's, not the files being read
    const scope = taskScope(prep, play, host, {});
    play.varsFiles.forEach((entry, i) => {
      const names = Array.isArray(entry) ? entry : [entry];
      const at: Path = [...play.path, 'vars_files', i];
      const rendered: string[] = [];
      for (const [j, n] of names.entries()) {
        const ps: { path: Path; message: string }[] = [];
        const r = render(n, scope, [], ps);
        const where = Array.isArray(entry) ? [...at, j] : at;
        for (const p of ps) push(problemAt(play.src, where, `vars_files: ${p.message} (host ${host})`));
        if (ps.length) return;
        if (containsLater(r)) return push(problemAt(play.src, where, `vars_files: ${show(n)} names a fact or a registered result, known only once the play runs: skiff reads vars_files before it (expected a name from inventory, play or extra vars)`));
        rendered.push(String(r));
      }
      const candidates = rendered.flatMap((n) => (isAbsolute(n) ? [n] : [join(base, 'vars', n), join(base, n)]));
      const found = candidates.find((f) => existsSync(f) && statSync(f).isFile());
      if (!found) return push(problemAt(play.src, at, `vars file ${rendered.join(', ')} was not found: looked for ${candidates.join(', ')} (host ${host})`));
      Object.assign(vars, load(found, at) ?? {});
    });
    byHost.set(host, vars);
  }
}

/** --start-at-task matches a task's name exactly or as a glob (Ansible uses fnmatch). */
export function startsHere(name: string, pattern: string): boolean {
  if (name === pattern) return true;
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  return re.test(name);
}

/** Names a task's `until`, `changed_when` and `failed_when` see besides the scope: its own result. */
export const RESULT_NAMES = ['rc', 'stdout', 'stderr', 'stdout_lines', 'result', 'attempts', 'changed', 'failed'];

function checkTask(prep: Prepared, play: PlayDef, t: TaskDef, host: string, registered: Record<string, unknown>, delegates: Set<string>, strict: boolean): InputProblem[] {
  const out: InputProblem[] = [];
  // the vars of enclosing include_tasks loops: known when the task runs
  const outer = Object.fromEntries(t.kw.loopVars.map((n) => [n, LATER]));
  const scope0 = taskScope(prep, play, host, registered, t.kw, outer);
  // the loop: its items when known now (each checked), else the loop var is known at run time
  let itemsToCheck: unknown[] = [LATER];
  if (t.loop) {
    const ps: RenderProblem[] = [];
    const value = render(t.loop.value, scope0, [], ps);
    for (const p of certain(ps, strict)) out.push(problemAt(t.src, [...t.path, t.loop.kind, ...p.path], `${p.message} (host ${host})`));
    if (!ps.length && !containsLater(value)) {
      const r = loopItems(t.loop.kind, value, t.roleDir ?? dirname(t.src.file), { scope: scope0, action: t.type.name });
      // a lookup's own error (with_together: []) fails the task when it runs, as Ansible's: a block may rescue it
      if ('error' in r) {
        if (!r.lookup) out.push(problemAt(t.src, [...t.path, t.loop.kind], `${r.error} (host ${host})`));
      } else itemsToCheck = r.items.slice(0, MAX_ITEMS_CHECKED);
    }
  }
  for (const item of t.loop ? itemsToCheck : [undefined]) {
    // ansible_loop, ansible_index_var...: known when the item runs
    const loop = t.loop && resolvedNow(t.loop, scope0);
    const later = loop ? Object.fromEntries(Object.keys(itemVars(loop, [], 0)).map((k) => [k, LATER])) : {};
    const loopVars = loop ? { ...outer, ...later, [loop.loopVar]: item, ...(loop.indexVar ? { [loop.indexVar]: item === LATER ? LATER : 0 } : {}) } : {};
    const scope = taskScope(prep, play, host, registered, t.kw, t.loop ? loopVars : outer);
    // a task (or item) whose `when` is false on this host whatever happens before it is skipped there:
    // Ansible never renders its parameters, so a role's `when: cfg | length > 0` guard around
    // `cfg.cert_file` is not an error while cfg is {}. A misspelled parameter name still is.
    const skipped = whenFalse(t, scope);
    out.push(...checkConditions(t, scope, host, skipped, strict));
    for (const key of FLAG_KEYWORDS) {
      const value = t.kw[key];
      if (typeof value !== 'string') continue;
      const ps: RenderProblem[] = [];
      render(value, scope, [], ps);
      const own = t.meta[key] !== undefined;
      for (const p of certain(ps, strict)) out.push(problemAt(t.src, own ? [...t.path, key] : t.path, `${key}${own ? '' : ' (from an enclosing block)'}: ${p.message} (host ${host})`));
    }
    for (const key of ['retries', 'delay'] as const) {
      const value = t.meta[key];
      if (typeof value !== 'string' || skipped) continue;
      const ps: RenderProblem[] = [];
      const n = render(value, scope, [], ps);
      for (const p of certain(ps, strict)) out.push(problemAt(t.src, [...t.path, key], `${key}: ${p.message} (host ${host})`));
      if (ps.length || containsLater(n)) continue;
      try {
        countOf(key, value, scope, key === 'retries');
      } catch (e) {
        out.push(problemAt(t.src, [...t.path, key], `${(e as Error).message} (host ${host})`));
      }
    }
    out.push(...checkParams(t, scope, host, skipped, strict));
    if (t.kw.remote_user !== undefined && !skipped) {
      const ps: { path: Path; message: string }[] = [];
      render(t.kw.remote_user, scope, [], ps);
      for (const p of ps) out.push(problemAt(t.src, t.meta.remote_user !== undefined ? [...t.path, 'remote_user'] : t.path, `remote_user: ${p.message} (host ${host})`));
    }
    if (!skipped) out.push(...checkNotify(t, scope, host, strict));
    if (t.kw.delegate_to !== undefined) {
      const ps: RenderProblem[] = [];
      const d = render(t.kw.delegate_to, scope, [], ps);
      for (const p of certain(ps, strict)) out.push(problemAt(t.src, [...t.path, 'delegate_to'], `delegate_to: ${p.message} (host ${host})`));
      // `delegate_to: "{{ x | default(omit) }}"`: not delegated (geerlingguy.mysql); a task skipped here delegates nowhere
      if (!ps.length && d !== LATER && d !== OMIT && !skipped) {
        if (typeof d === 'string' && (prep.inventory.hosts.includes(d) || isLocalhostName(d))) delegates.add(d);
        // a name not in the inventory (one add_host adds, or none: Ansible then connects to it by that
        // name, and an unknown one is unreachable) is known when the task runs
        else if (typeof d !== 'string') out.push(problemAt(t.src, [...t.path, 'delegate_to'], `delegate_to: got ${show(d)}, expected an inventory host or localhost${typeof d === 'string' ? didYouMean(d, prep.inventory.hosts) : ''} (host ${host})`));
      }
    }
  }
  return out;
}

/**
 * A templated notify name renders on the host. Whether a name reaches a handler is known when the task
 * changes something (as in Ansible, where include_role may add handlers on the way).
 */
function checkNotify(t: TaskDef, scope: Scope, host: string, strict: boolean): InputProblem[] {
  const out: InputProblem[] = [];
  t.notify.forEach((n, k) => {
    if (!n.includes('{{')) return;
    const at = typeof t.meta.notify === 'string' ? [...t.path, 'notify'] : [...t.path, 'notify', k];
    const ps: RenderProblem[] = [];
    render(n, scope, [], ps);
    for (const p of certain(ps, strict)) out.push(problemAt(t.src, at, `notify: ${p.message} (host ${host})`));
  });
  return out;
}

/**
 * Set in a host's registered results once it has passed an include whose file is read only when the
 * host reaches it: the variables that file sets are not known before, so a name nothing defines is
 * taken as set there (LATER) and is checked when its task runs.
 */
export const AFTER_DYNAMIC_INCLUDE = Symbol('after a dynamic include');

/** Tasks and includes, in the order a host meets them (blocks opened; includes before their tasks). */
function* walkRun(nodes: Node[]): Generator<TaskDef | BlockDef> {
  for (const n of nodes) {
    if (n.kind === 'task') yield* n.include ? walkRun([n.include]) : [n];
    else if (n.kind === 'block') {
      if (n.include) yield n;
      for (const part of [n.block, n.rescue, n.always]) yield* walkRun(part);
    }
  }
}

/** Every check of these nodes on a host, in the order it meets them: what they register is LATER after. */
function checkNodes(prep: Prepared, play: PlayDef, nodes: Node[], host: string, registered: Record<string, unknown>, delegates: Set<string>, strict = false): InputProblem[] {
  const out: InputProblem[] = [];
  for (const n of walkRun(nodes)) {
    if (n.kind === 'block') {
      out.push(...checkInclude(prep, play, n, host, registered, strict));
      if (!n.include!.loaded) (registered as Record<PropertyKey, unknown>)[AFTER_DYNAMIC_INCLUDE] = true;
      continue;
    }
    out.push(...checkTask(prep, play, n, host, registered, delegates, strict));
    if (n.meta.register) registered[n.meta.register] = LATER;
    const where = { dir: n.roleDir ?? dirname(n.src.file), role: n.roleDir !== undefined, playbookDir: dirname(resolve(play.playbookFile ?? prep.playbook.file)) };
    for (const name of n.type.sets?.(n.params, where) ?? []) registered[name] = LATER;
    // a name that is a template (set_fact: "{{ item.0 }}=x") is known only at run time: any may be set
    if ((n.type.sets?.(n.params, where) ?? []).some(hasTemplate)) (registered as Record<PropertyKey, unknown>)[AFTER_DYNAMIC_INCLUDE] = true;
  }
  return out;
}

/**
 * The checks of a file a dynamic include read on a host at run time, before any of its tasks runs (as
 * prepare() does for the rest), with what the host has registered so far; the connection settings of a
 * host one of its tasks is delegated to, new in the run, are added.
 */
export function checkIncluded(prep: Prepared, play: PlayDef, nodes: Node[], host: string, registered: Record<string, unknown>): InputProblem[] {
  return checkingOnly(() => checkIncludedNodes(prep, play, nodes, host, registered));
}

function checkIncludedNodes(prep: Prepared, play: PlayDef, nodes: Node[], host: string, registered: Record<string, unknown>): InputProblem[] {
  const delegates = new Set<string>();
  const out = checkNodes(prep, play, nodes, host, { ...registered, ansible_failed_task: LATER, ansible_failed_result: LATER }, delegates);
  for (const d of delegates) {
    if (prep.conns.has(d) || !prep.connect) continue;
    const r = prep.connect(d);
    if ('problems' in r) out.push(...r.problems);
    else prep.conns.set(d, r.conn);
  }
  return out;
}

/**
 * A dynamic include on a host: its own `when` renders, its loop is a list when known now, its file
 * name is a template that can be read (what it names is known when the host reaches it).
 */
function checkInclude(prep: Prepared, play: PlayDef, b: BlockDef, host: string, registered: Record<string, unknown>, strict: boolean): InputProblem[] {
  const inc = b.include!;
  const loop = b.loop;
  // the include's own loop var is not known to its own loop expression, enclosing ones are
  const own = new Set(loop ? Object.keys(itemVars(resolvedNow(loop, taskScope(prep, play, host, registered, inc.kw, {})), [], 0)) : []);
  const outer = Object.fromEntries(inc.kw.loopVars.filter((n) => !own.has(n)).map((n) => [n, LATER]));
  const scope = taskScope(prep, play, host, registered, inc.kw, outer);
  const out: InputProblem[] = [];
  if (loop) {
    const ps: RenderProblem[] = [];
    const value = render(loop.value, scope, [], ps);
    out.push(...certain(ps, strict).map((p) => problemAt(b.src, [...b.path, loop.kind, ...p.path], `${p.message} (host ${host})`)));
    if (!ps.length && !containsLater(value)) {
      const r = loopItems(loop.kind, value, b.roleDir ?? dirname(b.src.file), { scope, action: inc.action });
      if ('error' in r && !r.lookup) out.push(problemAt(b.src, [...b.path, loop.kind], `${r.error} (host ${host})`));
    }
  }
  const withItem = taskScope(prep, play, host, registered, inc.kw, Object.fromEntries(inc.kw.loopVars.map((n) => [n, LATER])));
  inc.when.forEach((e, i) => {
    if (typeof e !== 'string') return;
    const ps: RenderProblem[] = [];
    render(conditionTemplate(e), withItem, [], ps);
    for (const p of certain(ps, strict)) out.push(problemAt(b.src, inc.when.length > 1 ? [...b.path, 'when', i] : [...b.path, 'when'], `when: ${p.message} (host ${host})`));
  });
  if (!inc.loaded) {
    // only what is wrong whatever the variables: what the name reads (facts, lookups) is the host's
    const ps: { path: Path; message: string }[] = [];
    render(inc.file, withItem, [], ps);
    for (const p of ps.filter((p) => STATIC.test(p.message))) out.push(problemAt(b.src, b.path, `${inc.action}: ${p.message} (host ${host})`));
  }
  return out;
}

/**
 * The problems that are certain before the run: without --strict, an undefined variable, key or item
 * is not one (set_fact, register, include_vars, facts, add_host... may define it on the host), so the
 * task fails there when it runs, with Ansible's message, and ignore_errors or a rescue can take it.
 */
function certain(ps: RenderProblem[], strict: boolean): RenderProblem[] {
  // a lookup plugin's own error is the task's failure when it runs (ignore_errors, rescue), as Ansible's
  ps = ps.filter((p) => !p.message.includes(LOOKUP_FAILED));
  // so is a test's or filter's error on its input (Ansible's AnsibleFilterError)
  ps = ps.filter((p) => p.pluginError === undefined);
  // and so is any other error of evaluation (`{{ 5 / 0 }}`, `{{ 'a' + 1 }}`): Ansible only meets it when
  // the task runs, and a rescue or ignore_errors takes it. What no run can change stays a load error:
  // a template that cannot be parsed, what skiff refuses by name;
  // and under --strict, an undefined variable.
  return ps.filter((p) => STATIC.test(p.message) || SKIFF_REFUSAL.test(p.message) || (strict && p.undefinedVar !== undefined));
}

/** skiff's own refusals by name (a lookup or statement it lacks): certain before the run, as STATIC is. */
const SKIFF_REFUSAL = /is not supported by skiff/;

/** A loop with loop_var and index_var rendered when they can be now; else as written (known when it runs). */
function resolvedNow(loop: LoopSpec, scope: Scope): LoopSpec {
  try {
    return resolveLoop(loop, scope);
  } catch {
    return loop;
  }
}

/** Items of a loop known before the run that are each checked (the rest are like them, or fail at run time). */
const MAX_ITEMS_CHECKED = 50;

/** A task's parameters for a host; `namesOnly` (a task skipped there): only unknown parameter names. */
/**
 * What is wrong in a template whatever the variables, so even under a `when` that is already false:
 * it cannot be parsed (the rest, unset vars and keys, lookups skiff lacks, depends on what the guard is
 * there for; a filter or test skiff lacks is ansible-core's to find when the task runs, as Ansible does).
 */
const STATIC = /cannot read expression|^unexpected |^expected |expression ends too early|is never closed|unknown Jinja2 statement|before the end/;

/**
 * The task's parameters, rendered for this host, against its schema. `skipped`: the task's `when` is
 * already false here, so, as Ansible never renders them, a variable or key that is not set is no error
 * (the guard idiom); what is wrong whatever the variables (STATIC, an unknown parameter name, a literal
 * of the wrong type) still is.
 */
function checkParams(t: TaskDef, scope: Scope, host: string, skipped: boolean, strict: boolean): InputProblem[] {
  const out: InputProblem[] = [];
  const rp: RenderProblem[] = [];
  const base = [...t.path, t.type.name];
  const shortForm = typeof t.src.doc.getIn(base) === 'string';
  const params = removeOmit(renderParams(t.params, t.type, scope, rp));
  // a task whose failure the playbook takes (ignore_errors, failed_when) may mean its parameters to be
  // wrong (a template that cannot be parsed, a missing or mistyped option): Ansible runs the play and the
  // task fails there (lookup_csvfile, fetch's failures.yml); it is a load error otherwise
  if (!strict && ((t.kw.ignore_errors !== undefined && t.kw.ignore_errors !== false) || t.meta.failed_when !== undefined)) return [];
  const reported = skipped ? rp.filter((p) => STATIC.test(p.message)) : certain(rp, strict);
  for (const p of reported) out.push(problemAt(t.src, shortForm ? base : [...base, ...p.path], `${p.message} (host ${host})`));
  // a variable only the run may define: the names of the parameters are still checked
  const namesOnly = rp.length > 0 && (skipped || !reported.length);
  if ((rp.length && !namesOnly) || containsLater(params)) return out;
  const r = parseParams(t.type.schema, params);
  if (!r.success) {
    const unknownName = (i: v.BaseIssue<unknown>) => i.expected === 'never' && (i.path ?? []).some((p) => 'origin' in p && p.origin === 'key');
    // skipped here: a value a template gave is never rendered by Ansible (`path: "{{ x.socket | dirname }}"`
    // under a `when` that is false gives "" here), so only what is written as a literal is checked
    const raw = t.params && typeof t.params === 'object' ? (t.params as Record<string, unknown>) : {};
    // (a check of the whole set, apt's "name or update_cache", is on what was written only when no
    // parameter was templated: varnish's `apt: {name: "{{ modules_pkg }}"}` under `when: modules_pkg`)
    const templated = (x: unknown) => /\{[{%]/.test(JSON.stringify(x) ?? '');
    const literal = (i: v.BaseIssue<unknown>) => {
      const k = i.path?.[0]?.key;
      if (typeof k !== 'string') return !templated(raw);
      // a key written with no value (`pkg:` under a false when, jnv.unattended-upgrades) is None, which
      // Ansible's argument spec takes as not given: not checked here either
      return !Object.hasOwn(raw, k) || (raw[k] !== null && !templated(raw[k]));
    };
    const kept = namesOnly ? r.issues.filter(unknownName) : skipped ? r.issues.filter((i) => unknownName(i) || literal(i)) : r.issues;
    const issues = issuesToProblems(t.src, base, kept, `task type ${t.type.name}`, paramsOf(t.type.schema));
    if (shortForm) issues.forEach((i) => Object.assign(i, problemAt(t.src, base, i.message)));
    out.push(...issues);
  }
  return out;
}

/** True when one of the task's `when` conditions (its blocks' included) is false before the run. */
function whenFalse(t: TaskDef, scope: Scope): boolean {
  return [...(t.kw.guards ?? []), ...t.kw.when].some((e) => {
    if (typeof e === 'boolean') return !e;
    if (typeof e !== 'string') return false;
    const ps: RenderProblem[] = [];
    const v = render(conditionTemplate(e), scope, [], ps);
    return !ps.length && v !== LATER && !truthy(v);
  });
}

function checkConditions(t: TaskDef, scope: Scope, host: string, skipped: boolean, strict: boolean): InputProblem[] {
  const out: InputProblem[] = [];
  // block/play conditions are checked where they are written; the task's own here
  const own = skipped ? { when: t.meta.when } : { when: t.meta.when, changed_when: t.meta.changed_when, failed_when: t.meta.failed_when, until: t.meta.until };
  // a task type's own conditions (assert's `that`), checked as `when` is, where they are written
  const raw = (t.params ?? {}) as Record<string, unknown>;
  if (!skipped) for (const k of t.type.exprParams ?? []) if (typeof raw === 'object' && Object.hasOwn(raw, k)) checkExprs(t, [t.type.name, k], raw[k], scope, host, out, strict);
  const inherited = t.kw.when.slice(0, t.kw.when.length - (t.meta.when === undefined ? 0 : Array.isArray(t.meta.when) ? t.meta.when.length : 1));
  inherited.forEach((e) => {
    if (typeof e !== 'string') return;
    const ps: RenderProblem[] = [];
    render(conditionTemplate(e), scope, [], ps);
    for (const p of certain(ps, strict)) out.push(problemAt(t.src, t.path, `when (from an enclosing block): ${p.message} (host ${host})`));
  });
  for (const [key, w] of Object.entries(own)) {
    if (typeof w !== 'string' && !Array.isArray(w)) continue;
    const list = Array.isArray(w) ? w : [w];
    list.forEach((e, i) => {
      if (typeof e !== 'string') return;
      const ps: RenderProblem[] = [];
      // changed_when, failed_when and until also see the task's own result
      const s: Scope = key === 'when' ? scope : (n) => (RESULT_NAMES.includes(n) || n === t.meta.register ? { found: true, value: LATER } : scope(n));
      render(conditionTemplate(e), s, [], ps);
      for (const p of certain(ps, strict)) out.push(problemAt(t.src, Array.isArray(w) ? [...t.path, key, i] : [...t.path, key], `${key}: ${p.message} (host ${host})`));
    });
  }
  return out;
}

function checkExprs(t: TaskDef, at: Path, w: unknown, scope: Scope, host: string, out: InputProblem[], strict: boolean): void {
  const list = Array.isArray(w) ? w : [w];
  list.forEach((e, i) => {
    if (typeof e !== 'string') return;
    const ps: RenderProblem[] = [];
    render(conditionTemplate(e), scope, [], ps);
    for (const p of certain(ps, strict)) out.push(problemAt(t.src, Array.isArray(w) ? [...t.path, ...at, i] : [...t.path, ...at], `${at[at.length - 1]}: ${p.message} (host ${host})`));
  });
}

function paramsOf(schema: unknown): string[] | undefined {
  const entries = schemaEntries(schema);
  // a parameter declared as never is there to be refused by name, not to be suggested
  return entries && Object.keys(entries).filter((k) => entries[k].wrapped?.type !== 'never');
}

/**
 * May these tasks change the inventory? add_host and group_by do; a file included at run time may
 * hold them.
 */
function mayChangeInventory(nodes: Node[]): boolean {
  for (const n of nodes) {
    if (n.kind === 'meta' && n.action === 'refresh_inventory') return true;
    if (n.kind === 'task') {
      if (n.type.changesInventory || (n.include && mayChangeInventory([n.include]))) return true;
    } else if (n.kind === 'block') {
      if (n.include && !n.include.loaded) return true;
      if (mayChangeInventory([...n.block, ...n.rescue, ...n.always])) return true;
    }
  }
  return false;
}

/** Does the play gather facts first? gather_facts as written, else the `gathering` setting (implicit: yes). */
export function gathers(play: PlayDef, opts: Pick<RunOptions, 'gathering'>): boolean {
  return play.gatherFacts ?? opts.gathering !== 'explicit';
}
