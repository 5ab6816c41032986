// What the run does when a task changes its inventory (add_host, group_by: src/inventory/dynamic.ts):
// the hosts whose vars that changes get them worked out again (their facts kept over them), and a play
// that starts after it resolves its `hosts:` against the inventory as it is then, as Ansible's does.
import type { TaskDef } from '../playbook/load.ts';
import { addDynamicGroup, addDynamicHost, type AddHost } from '../inventory/dynamic.ts';
import { matchPattern, unmatchedWarning } from '../inventory/pattern.ts';
import { groupHosts } from '../inventory/vars.ts';
import { secretValues } from '../util/secrets.ts';
import { problemAt } from '../util/yaml-source.ts';
import { factVars, type Facts } from './facts.ts';
import type { Prepared, PreparedPlay, RunOptions } from './prepare.ts';
import { ordered, resolveLimit } from './prepare.ts';
import { TaskFailure } from './task-type.ts';
import { formatProblem } from '../util/errors.ts';

/** What of the run (host-run.ts RunCtx) an inventory change updates. */
export interface InventoryCtx {
  prep: Prepared;
  opts: Pick<RunOptions, 'limit' | 'becomePassword' | 'sshPassword' | 'keyPassphrase'>;
  factsOf: Map<string, Facts>;
  secretsOf: Map<string, string[]>;
  /** set once a task changed the inventory: later plays resolve their hosts again */
  inventoryChanged?: boolean;
  /** the run's add_host and group_by changes, in order: a refresh_inventory applies them again */
  dynamic?: (() => boolean)[];
}

/**
 * A result's `add_host` or `add_group` (a task of `host`) applied to the inventory: whether it changed.
 * A group link that would make a loop fails the task, as Ansible's error does.
 */
export function changeInventory(rc: InventoryCtx, host: string, t: TaskDef, result: Record<string, unknown>): boolean {
  const inv = rc.prep.inventory;
  let affected: string[];
  let apply: () => boolean;
  if (result.add_host && typeof result.add_host === 'object') {
    const info = result.add_host as AddHost;
    affected = [info.host_name];
    apply = () => addDynamicHost(inv, info, problemAt(t.src, t.path, ''));
  } else if (result.add_group !== undefined) {
    const name = String(result.add_group);
    const parents = Array.isArray(result.parent_groups) ? result.parent_groups.map(String) : ['all'];
    // the group's hosts get the vars of its new parents
    affected = [...new Set([...(inv.groups.has(name) ? groupHosts(inv, name) : []), host])];
    apply = () => addDynamicGroup(inv, host, name, parents);
  } else return false;
  // again on refresh_inventory; a group_by of a host the sources no longer have is passed over then
  const again = result.add_host ? apply : () => inv.hostOrigin.has(host) && apply();
  (rc.dynamic ??= []).push(again);
  const before = new Map(affected.map((h) => [h, rc.prep.hostvars[h] && rc.prep.reloadHost ? rc.prep.reloadHost(h) : {}]));
  let changed: boolean;
  try {
    changed = apply();
  } catch (e) {
    throw new TaskFailure((e as Error).message);
  }
  if (!changed) return false;
  rc.inventoryChanged = true;
  for (const h of affected) refreshHost(rc, h, before.get(h)!);
  return true;
}

/**
 * `meta: refresh_inventory`: the inventory's sources read again, then the run's add_host and group_by
 * changes applied to it again (InventoryManager.refresh_inventory, its _cached_dynamic_hosts and
 * _cached_dynamic_grouping). A host the sources no longer have is in no later play; every host's vars
 * are its inventory vars as they are now, under what the run gave it.
 */
export function refreshInventory(rc: InventoryCtx): void {
  const { prep } = rc;
  if (!prep.readInventory || !prep.reloadHost) throw new TaskFailure('refresh_inventory: the inventory cannot be read again');
  const hosts = Object.keys(prep.hostvars);
  const before = new Map(hosts.map((h) => [h, prep.reloadHost!(h)]));
  const fresh = prep.readInventory();
  if ('problems' in fresh) throw new TaskFailure(fresh.problems.map(formatProblem).join('\n'));
  // the inventory object is shared (prepare's closures, the plays): its contents are replaced
  const inv = prep.inventory as unknown as Record<string, unknown>;
  for (const k of Object.keys(inv)) delete inv[k];
  Object.assign(inv, fresh.inventory);
  for (const apply of rc.dynamic ?? []) apply();
  rc.inventoryChanged = true;
  for (const h of hosts) if (prep.inventory.hostOrigin.has(h)) refreshHost(rc, h, before.get(h)!);
}

/**
 * A host's vars after its inventory changed: its inventory vars as they are now, under what the run
 * gave it since (gathered facts over them, as in Ansible). `before`: its inventory vars before the change.
 */
function refreshHost(rc: InventoryCtx, h: string, before: Record<string, unknown>): void {
  const { prep } = rc;
  if (!prep.reloadHost) return;
  const now = prep.reloadHost(h);
  const cur = (prep.hostvars[h] ??= {});
  const kept = Object.fromEntries(Object.entries(cur).filter(([k]) => !Object.hasOwn(before, k)));
  const facts = rc.factsOf.get(h);
  for (const k of Object.keys(cur)) delete cur[k];
  Object.assign(cur, now, kept, facts ? factVars(facts) : {});
  // its connection is worked out again from its new vars when next opened
  prep.conns.delete(h);
  addSecrets(rc, h);
}

/** The host's secret values (its vars, -e, the passwords asked for), to be masked in what is shown. */
export function addSecrets(rc: InventoryCtx, h: string): void {
  const { prep, opts } = rc;
  const asked = { become_password: opts.becomePassword, ssh_password: opts.sshPassword, key_passphrase: opts.keyPassphrase };
  const all = new Set([...(rc.secretsOf.get(h) ?? []), ...secretValues({ ...prep.hostvars[h], ...prep.extra, ...asked })]);
  rc.secretsOf.set(h, [...all].sort((a, b) => b.length - a.length));
}

/**
 * A play's hosts, resolved when it starts against the inventory as the run left it (Ansible resolves
 * them then): a name that matches nothing is a warning (the play may have no hosts). Hosts new to
 * the run get their vars and secrets, hosts new to the play its vars_files. Returns the warning, if
 * any, and why a host cannot be in the play (its vars_files), by host.
 */
export function resolvePlayHosts(rc: InventoryCtx, pp: PreparedPlay): { warnings: string[]; broken: Map<string, string> } {
  const { prep } = rc;
  const broken = new Map<string, string>();
  const m = matchPattern(prep.inventory, pp.pattern ?? pp.play.hosts);
  if ('error' in m) {
    pp.hosts = [];
    return { warnings: [unmatchedWarning(prep.inventory, pp.pattern ?? pp.play.hosts)], broken };
  }
  const limit = rc.opts.limit ? resolveLimit(prep.inventory, rc.opts.limit, []) : undefined;
  pp.hosts = ordered(limit ? m.hosts.filter((h) => limit.has(h)) : m.hosts, pp.order ?? 'inventory');
  for (const h of pp.hosts) {
    if (Object.hasOwn(prep.hostvars, h) || !prep.reloadHost) continue;
    prep.hostvars[h] = prep.reloadHost(h);
    addSecrets(rc, h);
  }
  const unread = pp.play.varsFiles.length ? pp.hosts.filter((h) => !prep.varsFilesOf?.get(pp.play)?.has(h)) : [];
  for (const h of unread) {
    const problems = prep.readVarsFilesFor?.(pp.play, [h]) ?? [];
    if (problems.length) broken.set(h, problems.map(formatProblem).join('\n'));
  }
  return { warnings: (m.unmatched ?? []).map((u) => unmatchedWarning(prep.inventory, u)), broken };
}
