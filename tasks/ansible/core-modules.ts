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
  const routing = parse(readFileSync(join(found.core, 'config/ansible_builtin_runtime.yml'), 'utf8'))?.plugin_routing?.modules ?? {};
  const redirects: Record<string, string> = {};
  for (const [name, r] of Object.entries<{ redirect?: string }>(routing)) if (typeof r?.redirect === 'string') redirects[name] = r.redirect;
  return (roots = { core: found.core, redirects });
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
}

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
    // an action plugin of the collection handles the task, module or not (TaskExecutor's
    // action_loader.has_plugin): run inside the controller's ansible-core (python-action.ts)
    const action = join(dir, 'plugins/action', ...rest, `${mod}.py`);
    if (existsSync(action)) return { fqcn, path, action };
    const meta = join(dir, 'meta/runtime.yml');
    const plugins = existsSync(meta) ? parse(readFileSync(meta, 'utf8'))?.plugin_routing : undefined;
    // an action the collection routes elsewhere (plugin_routing.action) is an action plugin too: ansible-core's loader follows the route
    if (typeof plugins?.action?.[[...rest, mod].join('.')]?.redirect === 'string') return { fqcn, path, action: meta };
    if (existsSync(path)) return { fqcn, path };
    // a module the collection moved (meta/runtime.yml plugin_routing)
    const routing = plugins?.modules?.[[...rest, mod].join('.')];
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
  if (typeof m === 'object') return m.fqcn;
  // ansible-core's action-plugin modules (copy, debug...) are found, as are collections' removed ones (no)
  return typeof m === 'string' && /^ansible\.builtin\./.test(name) ? name : undefined;
}

/** The action_groups of a collection's meta/runtime.yml (ansible.builtin: ansible-core's own routing file). */
function actionGroupsOf(collection: string): Record<string, unknown> | undefined {
  let file: string | undefined;
  if (collection === 'ansible.builtin') {
    const r = findRoots();
    file = r ? join(r.core, 'config/ansible_builtin_runtime.yml') : undefined;
  } else {
    const dir = collectionDir(collection);
    file = dir ? join(dir, 'meta/runtime.yml') : undefined;
    // a collection without meta/runtime.yml has no groups (Ansible's metadata is empty then)
    if (dir && !existsSync(file!)) return {};
  }
  if (!file || !existsSync(file)) return undefined;
  const groups = parse(readFileSync(file, 'utf8'))?.action_groups;
  return groups && typeof groups === 'object' ? groups : {};
}

const groupCache = new Map<string, string[]>();

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
  for (const item of group) {
    if (typeof item === 'string') {
      const r = resolvedName(item.split('.').length >= 3 ? item : `${collection}.${item}`);
      if (r) actions.push(r);
    } else if (item && typeof item === 'object' && 'metadata' in item) {
      const more = (item as { metadata?: { extend_group?: unknown } }).metadata?.extend_group;
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
