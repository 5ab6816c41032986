// Which groups a host is in, and its merged variables. Precedence, lowest first (documented in README):
//   all (inventory file) < group_vars/all.yml < other groups, parents before children, then by name
//   (inventory file, then group_vars/<group>.yml) < host (inventory file) < host_vars/<host>.yml
// (a group_vars/ or host_vars/ next to the playbook is merged over the inventory's: inventory/sources.ts)
// The playbook adds play vars, registered results and -e extra vars on top (see engine/vars.ts).
import type { Inventory, Origin, VarLayer, Vars } from './types.ts';
import { implicitLayer } from './localhost.ts';

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
  const layers: VarLayer[] = [];
  for (const name of ['all', ...groups]) {
    const g = inv.groups.get(name)!;
    layers.push(g.inline);
    if (g.file) layers.push(g.file);
  }
  // a host the inventory does not have is the implicit localhost (pattern.ts): `all`'s vars, its own, its host_vars
  layers.push(inv.hostInline.get(host) ?? implicitLayer());
  const f = inv.hostFile.get(host);
  if (f) layers.push(f);
  return layers;
}

export function mergeLayers(layers: VarLayer[]): { vars: Vars; origins: Record<string, Origin> } {
  const vars: Vars = {};
  const origins: Record<string, Origin> = {};
  for (const l of layers) {
    Object.assign(vars, l.vars);
    Object.assign(origins, l.origins);
  }
  return { vars, origins };
}

export function hostVars(inv: Inventory, host: string) {
  return mergeLayers(hostLayers(inv, host));
}
