// The modules skiff has no type of its own for, found where Ansible finds them: ansible-core's
// ansible/modules/ (ansible.builtin, ansible.legacy and short names, short names of moved modules
// through ansible-core's own redirect table) and the installed collections (namespace.collection.name).
// Such a module runs as Ansible runs it (python-module.ts: the controller's ansible-core builds the
// AnsiballZ payload). Only modules Ansible runs through its `normal` action qualify: one with an action
// plugin of its own (fetch, script, ...) does part of its work inside Ansible's process: skiff has its own
// type for each, except those of CORE_ACTIONS, which run inside the controller's ansible-core
// (python-action.ts), as a playbook's own action plugin does.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

import { CONTROLLER_PYTHON, collectionDir } from '../../src/playbook/collections.ts';
import { pyRepr } from '../../src/template/expr-error.ts';

export { CONTROLLER_PYTHON };

interface Roots {
  /** ansible-core's package directory (…/ansible) */
  core: string;
  /** ansible-core's plugin_routing.modules: short name -> FQCN of a module that moved to a collection */
  redirects: Record<string, string>;
}

// the controller's ansible-core, asked once and only when a playbook names a module skiff lacks
const FIND = `
import json, os
import ansible
print(json.dumps({'core': os.path.dirname(ansible.__file__)}))
`;

let roots: Roots | null | undefined;

function findRoots(): Roots | null {
  if (roots !== undefined) return roots;
  const r = spawnSync(CONTROLLER_PYTHON, ['-c', FIND], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return (roots = null);
  const found = JSON.parse(r.stdout) as { core: string };
  const routing = runtimeOf(join(found.core, 'config/ansible_builtin_runtime.yml'))?.plugin_routing?.modules ?? {};
  const redirects: Record<string, string> = {};
  for (const [name, r] of Object.entries<{ redirect?: string }>(routing)) if (typeof r?.redirect === 'string') redirects[name] = r.redirect;
  return (roots = { core: found.core, redirects });
}

const runtimes = new Map<string, Record<string, any> | undefined>();

/** A collection's meta/runtime.yml (or ansible-core's routing file), read once: undefined where there is none. */
function runtimeOf(file: string): Record<string, any> | undefined {
  if (!runtimes.has(file)) runtimes.set(file, existsSync(file) ? (parse(readFileSync(file, 'utf8')) ?? {}) : undefined);
  return runtimes.get(file);
}

/**
 * ansible-core's modules whose action plugin skiff has no type for, run as that plugin inside the
 * controller's ansible-core: reboot (its waits and connection resets are the plugin's own).
 */
const CORE_ACTIONS = new Set(['reboot']);

/** A module Ansible runs through its normal action: its Python file, or why not (a string). */
export interface FoundModule {
  fqcn: string;
  path: string;
  /** the collection's action plugin of that name (or its meta/runtime.yml routing it), which runs the task */
  action?: string;
  /** the action plugin is the one the module's routing names (plugin_routing.modules.NAME.action_plugin) */
  routed?: boolean;
}

/** ansible-core's NETWORK_GROUP_MODULES: a module of such a family prefix runs through the family's action plugin */
const NETWORK_GROUP_MODULES = new Set(['eos', 'nxos', 'ios', 'iosxr', 'junos', 'enos', 'ce', 'vyos', 'sros', 'dellos9', 'dellos10', 'dellos6', 'asa', 'aruba', 'aireos', 'bigip', 'ironware', 'onyx', 'netconf', 'exos', 'voss', 'slxos']);

/**
 * Where the controller's Ansible has the module `name` (short, ansible.builtin./ansible.legacy. or a
 * collection's FQCN), when it is one skiff can run as Ansible does: undefined when Ansible has no such
 * module (or is not installed); a reason when it has one skiff cannot run (an action plugin of its own).
 */
export function findModule(name: string): FoundModule | string | undefined {
  const r = findRoots();
  if (!r) return undefined;
  let fqcn = /^ansible\.(builtin|legacy)\./.test(name) ? `ansible.builtin.${name.split('.').pop()}` : name.includes('.') ? name : `ansible.builtin.${name}`;
  for (let hops = 0; hops < 5; hops++) {
    // ns.coll[.subdirs].name: a module in a subdirectory of the collection's plugins/modules
    const [ns, coll, ...rest] = fqcn.split('.');
    const mod = rest.pop();
    if (mod === undefined || !coll) return undefined;
    if (ns === 'ansible' && coll === 'builtin') {
      if (rest.length) return undefined;
      const path = join(r.core, 'modules', `${mod}.py`);
      const action = join(r.core, 'plugins/action', `${mod}.py`);
      if (existsSync(path)) return !existsSync(action) ? { fqcn, path } : CORE_ACTIONS.has(mod) ? { fqcn, path, action } : actionPlugin(fqcn);
      if (!r.redirects[mod]) return undefined;
      fqcn = r.redirects[mod];
      continue;
    }
    // the collections are found where Ansible finds them (src/playbook/collections.ts): the playbooks' collections/ first
    const dir = collectionDir(`${ns}.${coll}`);
    if (!dir) return undefined;
    const path = join(dir, 'plugins/modules', ...rest, `${mod}.py`);
    const meta = join(dir, 'meta/runtime.yml');
    const plugins = runtimeOf(meta)?.plugin_routing;
    const routing = plugins?.modules?.[[...rest, mod].join('.')];
    // the action plugin TaskExecutor picks (_get_action_handler_with_module_context), run inside the
    // controller's ansible-core (python-action.ts), which picks it again: first the one the module's
    // routing names (action_plugin), then one of the task's name, then a network family's (eos_facts: eos)
    if (typeof routing?.action_plugin === 'string' && (existsSync(path) || typeof routing.redirect !== 'string')) return { fqcn, path, action: meta, routed: true };
    // a module redirected to one whose routing names its action plugin: that module context comes first
    if (typeof routing?.redirect === 'string' && hops < 4) {
      const to = findModule(routing.redirect);
      if (typeof to === 'object' && to.routed) return to;
    }
    const action = join(dir, 'plugins/action', ...rest, `${mod}.py`);
    if (existsSync(action)) return { fqcn, path, action };
    // an action the collection routes elsewhere (plugin_routing.action) is an action plugin too: ansible-core's loader follows the route
    if (typeof plugins?.action?.[[...rest, mod].join('.')]?.redirect === 'string') return { fqcn, path, action: meta };
    const prefix = mod.split('_')[0];
    const family = join(dir, 'plugins/action', ...rest, `${prefix}.py`);
    if (existsSync(path) && NETWORK_GROUP_MODULES.has(prefix) && existsSync(family)) return { fqcn, path, action: family };
    if (existsSync(path)) return { fqcn, path };
    // a module the collection moved (meta/runtime.yml plugin_routing)
    if (typeof routing?.tombstone === 'object') return `${fqcn} has been removed${routing.tombstone.warning_text ? `: ${routing.tombstone.warning_text}` : ''} (the collection's meta/runtime.yml)`;
    const to = routing?.redirect;
    if (typeof to !== 'string') return undefined;
    fqcn = to;
  }
  return undefined;
}

function actionPlugin(fqcn: string): string {
  return `${fqcn} is an Ansible module with an action plugin of its own (part of it runs inside Ansible's process), not supported by skiff`;
}

/**
 * Whether ansible-core runs the short name `mod` through an action plugin of its own (plugins/action/:
 * copy, command, debug); without ansible-core on the controller, taken as yes (a playbook's module of
 * that name could not run anyway: its payload needs ansible-core).
 */
export function hasActionPlugin(mod: string): boolean {
  const r = findRoots();
  return !r || existsSync(join(r.core, 'plugins/action', `${mod}.py`));
}

/**
 * The Python file of ansible-core's module `mod` (modules/<mod>.py), for the action plugins skiff runs
 * itself that run Ansible's module as they do (assemble with remote_src); undefined without ansible-core.
 */
export function coreModulePath(mod: string): string | undefined {
  const r = findRoots();
  const path = r ? join(r.core, 'modules', `${mod}.py`) : undefined;
  return path && existsSync(path) ? path : undefined;
}

/**
 * The FQCN Ansible resolves a module or action name to (Base._resolve_action): redirects followed; a
 * module run through an action plugin of ansible-core's is its own name; undefined when Ansible has none.
 */
export function resolvedName(name: string): string | undefined {
  if (name.startsWith('ansible.legacy.')) return name;
  const m = findModule(name);
  // the module's own name where its routing names its action plugin; else an action plugin of the name wins
  if (typeof m === 'object' && m.routed) return m.fqcn;
  const action = actionPluginName(name);
  if (action) return action;
  if (typeof m === 'object') return m.fqcn;
  // ansible-core's action-plugin modules (copy, debug...) are found, as are collections' removed ones (no)
  return typeof m === 'string' && /^ansible\.builtin\./.test(name) ? name : undefined;
}

/** The FQCN of the action plugin of this name, plugin_routing.action redirects followed; undefined if none. */
function actionPluginName(name: string): string | undefined {
  let fqcn = name;
  for (let hops = 0; hops < 5; hops++) {
    const [ns, coll, ...rest] = fqcn.split('.');
    const mod = rest.pop();
    if (mod === undefined || !coll) return undefined;
    if (ns === 'ansible' && coll === 'builtin') {
      const r = findRoots();
      return r && !rest.length && existsSync(join(r.core, 'plugins/action', `${mod}.py`)) ? fqcn : undefined;
    }
    const dir = collectionDir(`${ns}.${coll}`);
    if (!dir) return undefined;
    const to = runtimeOf(join(dir, 'meta/runtime.yml'))?.plugin_routing?.action?.[[...rest, mod].join('.')]?.redirect;
    if (typeof to === 'string') {
      fqcn = to;
      continue;
    }
    return existsSync(join(dir, 'plugins/action', ...rest, `${mod}.py`)) ? fqcn : undefined;
  }
  return undefined;
}

/** The action_groups of a collection's meta/runtime.yml (ansible.builtin: ansible-core's own routing file). */
function actionGroupsOf(collection: string): Record<string, unknown> | undefined {
  let runtime: Record<string, any> | undefined;
  if (collection === 'ansible.builtin') {
    const r = findRoots();
    runtime = r ? runtimeOf(join(r.core, 'config/ansible_builtin_runtime.yml')) : undefined;
  } else {
    const dir = collectionDir(collection);
    // a collection without meta/runtime.yml has no groups (Ansible's metadata is empty then)
    runtime = dir ? (runtimeOf(join(dir, 'meta/runtime.yml')) ?? {}) : undefined;
  }
  const groups = runtime?.action_groups;
  return runtime === undefined ? undefined : groups && typeof groups === 'object' ? groups : {};
}

const groupCache = new Map<string, string[]>();
let validateMetadata = true;
const groupWarnings: string[] = [];

/** validate_action_group_metadata (ANSIBLE_VALIDATE_ACTION_GROUP_METADATA): an action group's metadata checked, with Ansible's warning */
export function configureActionGroups(o: { validateMetadata?: boolean }): void {
  validateMetadata = o.validateMetadata ?? true;
}

/** The warnings resolving action groups gave since last asked (Ansible's, at the play's load). */
export function takeGroupWarnings(): string[] {
  return groupWarnings.splice(0);
}

/** Ansible's _validate_action_group_metadata: what is wrong with a `metadata` entry of a group, if anything. */
function metadataWarnings(item: Record<string, unknown>, seen: boolean): string[] {
  const keys = Object.keys(item);
  if (keys.length !== 1 || keys[0] !== 'metadata') return [`The only expected key is metadata, but got keys: ${keys.sort().join(', ')}`];
  const out = seen ? ['The group contains multiple metadata entries.'] : [];
  const meta = item.metadata;
  if (!meta || typeof meta !== 'object' || Array.isArray(meta)) return [...out, `The metadata is not a dictionary. Got ${pyRepr(meta)}`];
  const unexpected = Object.keys(meta).filter((k) => k !== 'extend_group');
  if (unexpected.length) out.push(`The metadata contains unexpected keys: ${unexpected.join(', ')}`);
  const extend = (meta as Record<string, unknown>).extend_group;
  if (extend !== undefined && typeof extend !== 'string' && !Array.isArray(extend)) out.push(`The metadata contains unexpected key types: extend_group is ${pyRepr(extend)} (expected type list)`);
  return out;
}

/**
 * The actions of the action group `fqGroup` (ns.coll.NAME) as Ansible's Base._resolve_group gathers them:
 * each name of the group (short names are the collection's) resolved, unresolvable ones left out, then
 * the groups it extends (metadata.extend_group), those that cannot be resolved counting as empty; a
 * group that cannot be found (its collection or its name) is Ansible's parser error.
 */
export function actionGroup(fqGroup: string, mandatory = true): string[] | string {
  const cached = groupCache.get(fqGroup);
  if (cached) return cached;
  const collection = fqGroup.split('.').slice(0, 2).join('.');
  const missing = `Error loading module_defaults: could not resolve the module_defaults group ${fqGroup}`;
  const groups = actionGroupsOf(collection);
  const group = groups?.[fqGroup] ?? groups?.[fqGroup.slice(collection.length + 1)];
  if (!Array.isArray(group)) return mandatory ? missing : [];
  const actions: string[] = [];
  let extend: unknown[] = [];
  let seen = false;
  for (const item of group) {
    if (typeof item === 'string') {
      const r = resolvedName(item.split('.').length >= 3 ? item : `${collection}.${item}`);
      if (r) actions.push(r);
      continue;
    }
    // everything else should be a metadata entry: checked (Ansible warns, and goes on)
    const entry = (item && typeof item === 'object' ? item : {}) as Record<string, unknown>;
    const wrong = validateMetadata ? metadataWarnings(entry, seen) : [];
    if (wrong.length) groupWarnings.push([`Invalid metadata was found for action_group ${fqGroup} while loading module_defaults.`, ...wrong].join(' '));
    const meta = entry.metadata;
    if (meta && typeof meta === 'object' && !Array.isArray(meta)) {
      seen = true;
      const more = (meta as { extend_group?: unknown }).extend_group;
      extend = typeof more === 'string' ? [more] : Array.isArray(more) ? more : [];
    }
  }
  // cached before the groups it extends: groups may extend each other
  groupCache.set(fqGroup, actions);
  for (const g of extend) {
    if (typeof g !== 'string') continue;
    const more = actionGroup(g.split('.').length >= 3 ? g : `${collection}.${g}`, false);
    if (Array.isArray(more)) actions.push(...more);
  }
  return actions;
}
