// Ansible host patterns: `all`, `*`, names and globs of hosts or groups, joined by `:` or `,`,
// with `!x` to exclude and `&x` to intersect. A name that matches nothing matches no host, as in Ansible
// (which warns "Could not match supplied host pattern, ignoring: x"): the caller says so, with `unmatched`.
// `localhost` / `127.0.0.1` / `::1` match the implicit localhost (localhost.ts), after the inventory's hosts.
import { didYouMean } from '../util/errors.ts';
import type { Inventory } from './types.ts';
import { groupHosts } from './vars.ts';
import { isLocalhostName } from './localhost.ts';

/** unmatched: the names that matched nothing (only there when some did) */
export type PatternResult = { hosts: string[]; unmatched?: string[] } | { error: string };

/** Ansible's warning for a pattern's name that matched nothing (InventoryManager.get_hosts), with a did-you-mean. */
export const unmatchedWarning = (inv: Inventory, name: string) => `Could not match supplied host pattern, ignoring: ${name}${didYouMean(name, [...inv.hosts, ...inv.groups.keys()])}`;

/** A name that matched nothing where something must match (a --limit that leaves no host). */
export const unknownName = (inv: Inventory, name: string) => `unknown host or group ${JSON.stringify(name)}${didYouMean(name, [...inv.hosts, ...inv.groups.keys()])}: expected one of the inventory's hosts or groups`;

export function matchPattern(inv: Inventory, pattern: string): PatternResult {
  const parts = pattern.split(/[:,]/).map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) return { error: `empty host pattern: expected a host, group or pattern` };
  let set = new Set<string>();
  const intersect: Set<string>[] = [];
  const exclude = new Set<string>();
  const unmatched: string[] = [];
  for (const part of parts) {
    const op = part[0] === '!' || part[0] === '&' ? part[0] : '';
    const name = op ? part.slice(1) : part;
    const hosts = resolveName(inv, name) ?? new Set<string>();
    if (!hosts.size) unmatched.push(name);
    if (op === '!') hosts.forEach((h) => exclude.add(h));
    else if (op === '&') intersect.push(hosts);
    else hosts.forEach((h) => set.add(h));
  }
  for (const i of intersect) set = new Set([...set].filter((h) => i.has(h)));
  const implicit = [...set].filter((h) => !inv.hostOrigin.has(h) && !exclude.has(h));
  return { hosts: [...inv.hosts.filter((h) => set.has(h) && !exclude.has(h)), ...implicit], ...(unmatched.length ? { unmatched } : {}) };
}

function resolveName(inv: Inventory, name: string): Set<string> | undefined {
  const r = resolveInventoryName(inv, name);
  // Ansible's _enumerate_matches: a localhost name that matches nothing is the implicit localhost
  return r ?? (isLocalhostName(name) ? new Set([name]) : undefined);
}

function resolveInventoryName(inv: Inventory, name: string): Set<string> | undefined {
  if (name === 'all' || name === '*') return new Set(inv.hosts);
  if (inv.groups.has(name)) return groupHosts(inv, name);
  if (inv.hostOrigin.has(name)) return new Set([name]);
  if (/[*?]/.test(name)) {
    const out = new Set<string>();
    for (const h of inv.hosts) if (globMatch(name, h)) out.add(h);
    for (const g of inv.groups.keys()) if (globMatch(name, g)) groupHosts(inv, g).forEach((h) => out.add(h));
    return out.size ? out : undefined;
  }
  return undefined;
}

/**
 * `*` (any text) and `?` (one character), matched without a RegExp: as one, `*a*a*a*a*a*a*a*a*a*ab`
 * backtracked for seconds against a 30-character host name. Here a mismatch only goes back to the
 * last `*`, so the work is at most the pattern's length times the name's.
 */
export function globMatch(glob: string, name: string): boolean {
  let g = 0;
  let n = 0;
  let star = -1;
  let resume = 0;
  while (n < name.length) {
    if (g < glob.length && (glob[g] === '?' || glob[g] === name[n])) {
      g++;
      n++;
    } else if (g < glob.length && glob[g] === '*') {
      star = g++;
      resume = n;
    } else if (star >= 0) {
      g = star + 1;
      n = ++resume;
    } else return false;
  }
  while (glob[g] === '*') g++;
  return g === glob.length;
}
