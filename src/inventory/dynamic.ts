// The in-memory inventory changed by a run, as Ansible's InventoryManager.add_dynamic_host (add_host)
// and add_dynamic_group (group_by) change it: hosts, groups and memberships, and whether anything is
// new (the task's `changed`). Later plays, `groups` and `hostvars` see the change.
import { isDeepStrictEqual } from 'node:util';
import type { Group, Inventory, Origin } from './types.ts';
import { groupHosts, inventoryChanged } from './vars.ts';

/** What an add_host result asks for (Ansible's result `add_host`). */
export interface AddHost {
  host_name: string;
  groups: string[];
  host_vars: Record<string, unknown>;
}

/** A group the run makes: a child of `all`, with its group_vars/ file if one was kept aside for it. */
function newGroup(inv: Inventory, name: string): Group {
  const g: Group = { name, hosts: new Set(), children: new Set(), inline: { vars: {}, origins: {} } };
  const file = inv.unclaimed?.groups.get(name);
  if (file) {
    if (file.layer) g.file = file.layer;
    if (file.play) g.playFile = file.play;
    inv.unclaimed!.groups.delete(name);
  }
  inv.groups.set(name, g);
  return g;
}

/**
 * Ansible's reconcile_inventory: a group with no parent is a child of `all`; a host in no group
 * but `all` is in `ungrouped`, and one in another group is not.
 */
function reconcile(inv: Inventory): void {
  const all = inv.groups.get('all')!;
  const parented = new Set([...inv.groups.values()].flatMap((g) => [...g.children]));
  for (const name of inv.groups.keys()) if (name !== 'all' && !parented.has(name)) all.children.add(name);
  inventoryChanged(inv);
  const ungrouped = inv.groups.get('ungrouped');
  if (!ungrouped) return;
  const grouped = new Set<string>();
  for (const g of inv.groups.values()) if (g.name !== 'all' && g.name !== 'ungrouped') groupHosts(inv, g.name).forEach((h) => grouped.add(h));
  for (const h of inv.hosts) {
    if (grouped.has(h)) ungrouped.hosts.delete(h);
    else ungrouped.hosts.add(h);
  }
  inventoryChanged(inv);
}

/**
 * add_host: the host (new, or one the inventory has), its vars over its own inventory vars, and its
 * groups (made if new). Changed when the host, a var's value, a group or a membership is new.
 * `origin`: the add_host task, where a new host is said to come from.
 */
export function addDynamicHost(inv: Inventory, info: AddHost, origin: Origin): boolean {
  let changed = false;
  const name = info.host_name;
  if (!inv.hostOrigin.has(name)) {
    inv.hosts.push(name);
    inv.hostOrigin.set(name, origin);
    inv.hostInline.set(name, { vars: {}, origins: {} });
    (inv.added ??= new Set()).add(name);
    inv.groups.get('all')!.hosts.add(name);
    const file = inv.unclaimed?.hosts.get(name);
    if (file) {
      if (file.layer) inv.hostFile.set(name, file.layer);
      if (file.play) (inv.hostPlayFile ??= new Map()).set(name, file.play);
      inv.unclaimed!.hosts.delete(name);
    }
    changed = true;
  }
  const own = inv.hostInline.get(name)!;
  for (const [k, value] of Object.entries(info.host_vars)) {
    if (Object.hasOwn(own.vars, k) && isDeepStrictEqual(own.vars[k], value)) continue;
    own.vars[k] = value;
    own.origins[k] = origin;
    changed = true;
  }
  for (const g of info.groups) {
    const group = inv.groups.get(g) ?? ((changed = true), newGroup(inv, g));
    if (group.hosts.has(name)) continue;
    group.hosts.add(name);
    changed = true;
  }
  if (changed) reconcile(inv);
  return changed;
}

/**
 * group_by: `host` in the group `name` (made if new), a child of each of `parents` (made if new).
 * Changed as Ansible computes it: a new parent group or parent link, or the host new in the group.
 * A link that would make a group its own ancestor is an error, as Ansible's.
 */
export function addDynamicGroup(inv: Inventory, host: string, name: string, parents: string[]): boolean {
  let changed = false;
  const group = inv.groups.get(name) ?? newGroup(inv, name);
  for (const p of parents) {
    if (inv.groups.has(p)) continue;
    newGroup(inv, p);
    changed = true;
  }
  for (const p of parents) {
    const parent = inv.groups.get(p)!;
    if (parent.children.has(name)) continue;
    if (p === name) throw new Error(`can't add group to itself`);
    if (descends(inv, p, name)) throw new Error(`Adding group '${name}' as child to '${p}' creates a recursive dependency loop.`);
    parent.children.add(name);
    changed = true;
  }
  // a group with a parent now is no longer only `all`'s child (Ansible's group keeps both links: harmless)
  inventoryChanged(inv);
  if (!groupHosts(inv, name).has(host)) {
    group.hosts.add(host);
    changed = true;
  }
  reconcile(inv);
  return changed;
}

/** Is `g` `ancestor` or below it? */
function descends(inv: Inventory, g: string, ancestor: string, seen = new Set<string>()): boolean {
  if (g === ancestor) return true;
  if (seen.has(ancestor)) return false;
  seen.add(ancestor);
  for (const c of inv.groups.get(ancestor)?.children ?? []) if (descends(inv, g, c, seen)) return true;
  return false;
}
