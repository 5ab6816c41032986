// A play's `hosts` and `order` as Ansible has them when the play starts: PlaybookExecutor templates
// the play (post_validate) with VariableManager.get_vars(play=play), so `hosts: "{{ target }}"` and
// `order: "{{ myorder | default('inventory') }}"` may use extra vars, the play's vars and its roles'
// vars (no host's: there is none yet). skiff renders them before the run, where it resolves the
// play's hosts to check each host's tasks.
import { show } from '../util/errors.ts';
import type { PlayDef } from '../playbook/load.ts';
import { ORDER_MSG, ORDERS } from '../playbook/schema.ts';
import { renderString } from '../template/template.ts';
import type { Scope } from '../template/expr.ts';
import { OMIT } from './omit.ts';

export type Order = (typeof ORDERS)[number];

/** The vars a play sees before any host: get_vars(play=play)'s layers, highest first. */
function playScope(play: PlayDef, extra: Record<string, unknown>, run: Record<string, unknown>): Scope {
  const layers = [extra, play.roleVars, play.vars, { ...run, ansible_play_name: play.name, omit: OMIT }, play.roleDefaults];
  const lookup = (n: string, depth: number): ReturnType<Scope> => {
    const l = layers.find((x) => Object.hasOwn(x, n));
    if (!l) return { found: false, names: layers.flatMap((x) => Object.keys(x)) };
    const value = l[n];
    // a var made of other vars is rendered too, as Ansible's lazy templating does (bounded: a var naming itself ends)
    return { found: true, value: typeof value === 'string' && depth < 20 ? renderString(value, (m) => lookup(m, depth + 1)) : value };
  };
  return (n) => lookup(n, 0);
}

const templated = (s: string) => /\{[{%]/.test(s);

/**
 * The play's host pattern, rendered when templated: a string is a pattern, a list its patterns
 * (joined with ',' as Ansible's inventory does); anything else is refused in Ansible's words
 * (Base.get_validated_value of a list of strings).
 */
export function playHosts(play: PlayDef, extra: Record<string, unknown>, run: Record<string, unknown>): { hosts: string } | { error: string } {
  if (!templated(play.hosts)) return { hosts: play.hosts };
  let value: unknown;
  try {
    value = renderString(play.hosts, playScope(play, extra, run));
  } catch (e) {
    return { error: `hosts ${show(play.hosts)}: ${(e as Error).message} (rendered when the play starts: it may use extra vars and the play's vars, not a host's)` };
  }
  const list = Array.isArray(value) ? value : [value];
  const bad = list.find((x) => typeof x !== 'string');
  if (bad !== undefined) return { error: `the field 'hosts' should be a list of strings, but the item ${show(bad)} is not one: expected ${show(play.hosts)} to give a host pattern or a list of them` };
  const patterns = (list as string[]).filter((x) => x.trim() !== '');
  if (patterns.length < list.length || !patterns.length) return { error: `the field 'hosts' is required, and cannot have empty values: ${show(play.hosts)} gave ${show(value)}` };
  return { hosts: patterns.join(',') };
}

/** The play's `order`, rendered when templated; a value that is none of Ansible's is refused in its words. */
export function playOrder(play: PlayDef, extra: Record<string, unknown>, run: Record<string, unknown>): { order: Order } | { error: string } {
  let value: unknown = play.order;
  if (templated(play.order)) {
    try {
      value = renderString(play.order, playScope(play, extra, run));
    } catch (e) {
      return { error: `order ${show(play.order)}: ${(e as Error).message} (rendered when the play starts: it may use extra vars and the play's vars, not a host's)` };
    }
  }
  // an omitted or empty order is the default, as None is in Ansible's inventory.get_hosts
  if (value === OMIT || value === null || value === '') return { order: 'inventory' };
  if ((ORDERS as readonly unknown[]).includes(value)) return { order: value as Order };
  return { error: `Invalid 'order' specified for inventory hosts: ${String(value)}: ${ORDER_MSG}` };
}

/**
 * Ansible 2.14's reserved names (vars/reserved.py: the attributes of Play, Role, Block and Task, with
 * local_action and with_) and the Jinja2 globals its templar has: a variable named so is warned of.
 */
const RESERVED = new Set([
  'action', 'always', 'any_errors_fatal', 'args', 'async', 'async_val', 'become', 'become_exe', 'become_flags', 'become_method', 'become_user', 'block', 'changed_when',
  'check_mode', 'collections', 'connection', 'debugger', 'delay', 'delegate_facts', 'delegate_to', 'diff', 'environment', 'fact_path', 'failed_when', 'force_handlers',
  'gather_facts', 'gather_subset', 'gather_timeout', 'handlers', 'hosts', 'ignore_errors', 'ignore_unreachable', 'local_action', 'loop', 'loop_control', 'loop_with',
  'max_fail_percentage', 'module_defaults', 'name', 'no_log', 'notify', 'order', 'poll', 'port', 'post_tasks', 'pre_tasks', 'register', 'remote_user', 'rescue', 'retries',
  'roles', 'run_once', 'serial', 'strategy', 'tags', 'tasks', 'throttle', 'timeout', 'until', 'vars', 'vars_files', 'vars_prompt', 'when', 'with_',
  'cycler', 'dict', 'joiner', 'lipsum', 'lookup', 'namespace', 'now', 'q', 'query', 'range', 'undef',
]);

/**
 * The warnings Ansible's TaskQueueManager gives as a play starts: one for each variable of the play
 * (its vars, its roles' vars and defaults, the extra vars) that has a reserved name (warn_if_reserved).
 */
export function reservedWarnings(play: PlayDef, extra: Record<string, unknown>): string[] {
  const names = new Set([...Object.keys(play.roleDefaults), ...Object.keys(play.vars), ...Object.keys(play.roleVars), ...Object.keys(extra)]);
  // `vars` is one Ansible adds itself
  return [...names].filter((n) => n !== 'vars' && RESERVED.has(n)).map((n) => `Found variable using reserved name: ${n}`);
}
