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
