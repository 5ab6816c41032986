// What a task's keywords come to, shared by the loader of plays and tasks (load.ts) and of included
// files and roles (includes.ts): the keywords it inherits from what encloses it, and its loop.
import type { InputProblem } from '../util/errors.ts';
import { problemAt, type Path, type YamlSource } from '../util/yaml-source.ts';
import type { EnvLayer, Keywords, LoopSpec } from './load.ts';
import type { TaskMeta } from './schema.ts';
import { ANSIBLE_LOOKUPS, isWithKey, lookupName } from '../lookup/names.ts';
import { hasLookupPlugin } from '../template/py-plugins.ts';

type OwnKeywords = Partial<{ when: unknown; tags: unknown; notify: string | string[]; vars: Record<string, unknown>; defaults: Record<string, unknown>; includeParams: Record<string, unknown>; loopVars: string[]; environment: EnvLayer | EnvLayer[] } & Omit<Keywords, 'when' | 'tags' | 'notify' | 'vars' | 'defaults' | 'includeParams' | 'loopVars' | 'environment'>>;

/** Ansible's _load_tags: `tags: a, b` is two tags (a list is taken as it is). */
export const loadTags = (own: unknown): unknown[] => (typeof own === 'string' ? own.split(',').map((s) => s.trim()) : own === undefined ? [] : Array.isArray(own) ? own : [own]);

/** Pure: an inner node's keywords over its parent's (Ansible's inheritance, see schema.ts). */
export function inherit(parent: Keywords, own: OwnKeywords): Keywords {
  const list = (x: unknown): unknown[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
  const out: Keywords = {
    when: [...parent.when, ...(list(own.when) as (string | boolean)[])],
    tags: [...new Set([...parent.tags, ...loadTags(own.tags).map(String)])],
    vars: { ...parent.vars, ...(own.vars ?? {}) },
    defaults: { ...parent.defaults, ...(own.defaults ?? {}) },
    loopVars: [...parent.loopVars, ...(own.loopVars ?? [])],
    environment: [...parent.environment, ...(list(own.environment) as EnvLayer[])],
  };
  // a block's notify: its tasks without their own notify these (Ansible's Notifiable)
  if (own.notify !== undefined) out.notify = (Array.isArray(own.notify) ? own.notify : [own.notify]).map(String);
  else if (parent.notify) out.notify = parent.notify;
  const includeParams = parent.includeParams || own.includeParams ? { ...parent.includeParams, ...own.includeParams } : undefined;
  if (includeParams) out.includeParams = includeParams;
  if (parent.module_defaults || own.module_defaults) out.module_defaults = { ...parent.module_defaults, ...own.module_defaults };
  const guards = [...(parent.guards ?? []), ...(own.guards ?? [])];
  if (guards.length) out.guards = guards;
  for (const k of ['become', 'ignore_errors', 'no_log', 'diff', 'check_mode', 'any_errors_fatal', 'run_once', 'ignore_unreachable', 'delegate_facts'] as const) {
    const mine = own[k];
    if (typeof mine === 'string' && /\{[{%]/.test(mine) && parent[k] !== undefined) out.enclosing = { ...parent.enclosing, [k]: parent[k] };
    else if (parent.enclosing?.[k] !== undefined && mine === undefined) out.enclosing = { ...out.enclosing, [k]: parent.enclosing[k] };
  }
  for (const k of ['become', 'become_user', 'become_method', 'become_exe', 'become_flags', 'ignore_errors', 'no_log', 'diff', 'check_mode', 'any_errors_fatal', 'run_once', 'delegate_to', 'delegate_facts', 'ignore_unreachable', 'throttle', 'timeout', 'remote_user', 'connection', 'role', 'roleVars', 'roleParams', 'roleChain'] as const) {
    const value = own[k] ?? parent[k];
    if (value !== undefined) (out as unknown as Record<string, unknown>)[k] = value;
  }
  return out;
}

/** Where a task's plugins are: the playbook's directory, its role's. */
export interface PluginDirs {
  playDir: string;
  roleDir?: string;
}

/** The task's loop, if any; null when it is refused (two loops, an empty with_*). */
export function loopOf(src: YamlSource, path: Path, meta: TaskMeta, problems: InputProblem[], where?: PluginDirs): LoopSpec | undefined | null {
  const kinds = (['loop', ...Object.keys(meta).filter(isWithKey)] as const).filter((k) => meta[k] !== undefined);
  // Task._preprocess_with_loop: with_<name> is a loop only when <name> is a lookup plugin, ansible-core's
  // or one its loader finds (the playbook's lookup_plugins/, its role's, a collection's)
  const isLookup = (name: string) => ANSIBLE_LOOKUPS.has(lookupName(name)) || (!!where && hasLookupPlugin(name, where.playDir, where.roleDir ? [where.roleDir] : []));
  const notLookup = kinds.find((k) => k !== 'loop' && !isLookup(k.slice('with_'.length)));
  if (notLookup) {
    problems.push(problemAt(src, [...path, notLookup], `'${notLookup}' is not a valid attribute for a Task`, 'key'));
    return null;
  }
  if (kinds.length > 1) {
    problems.push(problemAt(src, [...path, kinds[1]], `a task loops once: got ${kinds.join(' and ')}, expected one of them`, 'key'));
    return null;
  }
  // loop_control without a loop is loaded and left unused, as Ansible does (robertdebock.users' group.yml)
  if (!kinds.length) return undefined;
  // Ansible's task loader (_preprocess_with_loop) refuses an empty with_*
  if (kinds[0] !== 'loop' && meta[kinds[0]] === null) {
    problems.push(problemAt(src, [...path, kinds[0]], `you must specify a value when using ${kinds[0]}`, 'key'));
    return null;
  }
  const c = meta.loop_control ?? {};
  return { kind: kinds[0], value: meta[kinds[0]], loopVar: c.loop_var ?? 'item', indexVar: c.index_var, label: c.label, pauseS: c.pause ?? 0, extended: c.extended ?? false, allItems: c.extended_allitems ?? true };
}
