// Ansible host patterns: `all`, `*`, names and globs of hosts or groups, joined by `:` or `,`,
// with `!x` to exclude and `&x` to intersect. A name that matches nothing is an error, not an empty set.
import { didYouMean } from '../util/errors.ts';
import type { Inventory } from './types.ts';
import { groupHosts } from './vars.ts';

export type PatternResult = { hosts: string[] } | { error: string };

export function matchPattern(inv: Inventory, pattern: string): PatternResult {
  const parts = pattern.split(/[:,]/).map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) return { error: `empty host pattern: expected a host, group or pattern` };
  let set = new Set<string>();
  const intersect: Set<string>[] = [];
  const exclude = new Set<string>();
  for (const part of parts) {
    const op = part[0] === '!' || part[0] === '&' ? part[0] : '';
    const name = op ? part.slice(1) : part;
    const hosts = resolveName(inv, name);
    if (!hosts) {
      return { error: `unknown host or group ${JSON.stringify(name)}${didYouMean(name, [...inv.hosts, ...inv.groups.keys()])}: expected one of the inventory's hosts or groups` };
    }
    if (op === '!') hosts.forEach((h) => exclude.add(h));
    else if (op === '&') intersect.push(hosts);
    else hosts.forEach((h) => set.add(h));
  }
  for (const i of intersect) set = new Set([...set].filter((h) => i.has(h)));
  return { hosts: inv.hosts.filter((h) => set.has(h) && !exclude.has(h)) };
}

function resolveName(inv: Inventory, name: string): Set<string> | undefined {
  if (name === 'all' || name === '*') return new Set(inv.hosts);
  if (inv.groups.has(name)) return groupHosts(inv, name);
  if (inv.hostOrigin.has(name)) return new Set([name]);
  if (/[*?]/.test(name)) {
    const re = new RegExp('^' + name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
    const out = new Set<string>();
    for (const h of inv.hosts) if (re.test(h)) out.add(h);
    for (const g of inv.groups.keys()) if (re.test(g)) groupHosts(inv, g).forEach((h) => out.add(h));
    return out.size ? out : undefined;
  }
  return undefined;
}
