// Which groups a host is in, and its merged variables. Precedence, lowest first (documented in README),
// as Ansible's default VARIABLE_PRECEDENCE (all_inventory, groups_inventory, all_plugins_inventory,
// all_plugins_play, groups_plugins_inventory, groups_plugins_play), then the host's:
//   all (inventory file) < other groups (inventory file), parents before children, then by name <
//   group_vars/all (inventory's, then playbook's) < group_vars/<group> (same order) <
//   host (inventory file) < host_vars/<host> (inventory's, then playbook's)
// The playbook adds play vars, registered results and -e extra vars on top (see engine/vars.ts).
import type { Inventory, Origin, VarLayer, Vars } from './types.ts';
import { implicitLayer } from './localhost.ts';
import { hashMerging, isVarsDict, mergeHash } from '../util/combine-vars.ts';
import { noteText, textNote } from '../template/unsafe.ts';

/** Every group that holds `host` directly or through a child group. */
export function groupsOf(inv: Inventory, host: string): string[] {
  return [...inv.groups.keys()].filter((g) => groupHosts(inv, g).has(host));
}

const memo = new WeakMap<Inventory, Map<string, Set<string>>>();

/**
 * The inventory changed during the run (add_host, group_by): what is worked out from it once and kept
 * (group members, group depths, `groups`) is worked out again when next asked.
 */
export function inventoryChanged(inv: Inventory): void {
  memo.delete(inv);
  depths.delete(inv);
  groupsMemo.delete(inv);
}

/** Made once per inventory: it is every host's `groups`, and building it per host was quadratic. */
const groupsMemo = new WeakMap<Inventory, Record<string, string[]>>();
export function groupsMap(inv: Inventory): Record<string, string[]> {
  let groups = groupsMemo.get(inv);
  if (!groups) groupsMemo.set(inv, (groups = Object.fromEntries([...inv.groups.keys()].map((g) => [g, [...groupHosts(inv, g)]]))));
  return groups;
}

export function groupHosts(inv: Inventory, name: string, seen = new Set<string>()): Set<string> {
  let cache = memo.get(inv);
  if (!cache) memo.set(inv, (cache = new Map()));
  const hit = cache.get(name);
  if (hit) return hit;
  const g = inv.groups.get(name);
  const out = new Set<string>(g?.hosts ?? []);
  if (g && !seen.has(name)) {
    seen.add(name);
    for (const c of g.children) for (const h of groupHosts(inv, c, seen)) out.add(h);
  }
  // Keep inventory order, which is what users expect in listings and recaps; then the implicit
  // localhost, when group_by put it in a group
  const ordered = new Set([...inv.hosts.filter((h) => out.has(h)), ...[...out].filter((h) => !inv.hostOrigin.has(h))]);
  cache.set(name, ordered);
  return ordered;
}

/**
 * Longest path from `all`: a child group always comes after every group that contains it. Memoized
 * per inventory: without it, each path was walked anew, and a ladder of 30 groups took seconds.
 */
const depths = new WeakMap<Inventory, Map<string, number>>();
function depth(inv: Inventory, name: string, trail: string[] = []): number {
  if (name === 'all' || trail.includes(name)) return 0;
  let known = depths.get(inv);
  if (!known) depths.set(inv, (known = new Map()));
  const hit = known.get(name);
  if (hit !== undefined) return hit;
  let best = 1;
  for (const g of inv.groups.values()) if (g.children.has(name) && g.name !== name) best = Math.max(best, depth(inv, g.name, [...trail, name]) + 1);
  known.set(name, best);
  return best;
}

export function hostLayers(inv: Inventory, host: string): VarLayer[] {
  const groups = groupsOf(inv, host)
    .filter((g) => g !== 'all')
    .sort((a, b) => depth(inv, a) - depth(inv, b) || a.localeCompare(b));
  const gs = ['all', ...groups].map((name) => inv.groups.get(name)!);
  // every group's inventory-file vars under every group_vars/ file (the var_precedence target:
  // group_vars/all wins over a child group's [child:vars])
  const files = (g: (typeof gs)[number]) => [g.file, g.playFile].filter((l): l is VarLayer => !!l);
  const layers: VarLayer[] = [...gs.map((g) => g.inline), ...gs.flatMap(files)];
  // a host the inventory does not have is the implicit localhost (pattern.ts): `all`'s vars, its own, its host_vars
  layers.push(inv.hostInline.get(host) ?? implicitLayer());
  for (const f of [inv.hostFile.get(host), inv.hostPlayFile?.get(host)]) if (f) layers.push(f);
  return layers;
}

export function mergeLayers(layers: VarLayer[]): { vars: Vars; origins: Record<string, Origin> } {
  const vars: Vars = {};
  const origins: Record<string, Origin> = {};
  for (const l of layers) {
    // hash_behaviour merge: a group's dict and the host's are combined (Ansible's combine_vars)
    if (hashMerging()) for (const [k, x] of Object.entries(l.vars)) vars[k] = Object.hasOwn(vars, k) && isVarsDict(vars[k]) && isVarsDict(x) ? mergeHash(vars[k], x) : x;
    else Object.assign(vars, l.vars);
    Object.assign(origins, l.origins);
    // each name's strings are of the class of the layer that gave it (an INI host's over group_vars/ YAML)
    for (const k of Object.keys(l.vars)) noteText(vars, k, textNote(l.vars, k));
  }
  return { vars, origins };
}

export function hostVars(inv: Inventory, host: string) {
  return mergeLayers(hostLayers(inv, host));
}
