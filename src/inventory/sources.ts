// Several inventory sources into one inventory, as Ansible's InventoryManager reads its -i options:
// each in turn, an existing file or directory as such, else a string holding a comma as a host list
// (Ansible's host_list plugin: `-i 'web1,web2:2222,'`, `-i localhost,`), else a warning. A source
// that names a path that is not there leaves the others; none read leaves the implicit localhost.
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { InputProblem } from '../util/errors.ts';
import type { VaultSecret } from '../vault/vaultlib.ts';
import { finishInventory, hostListHost, newInventory, readSource, readVarsDirs } from './load.ts';
import { expandHostRange } from './host-range.ts';
import type { Inventory, Origin } from './types.ts';

/** Ansible's host_list plugin takes a source that is not an existing path and holds a comma. */
export const isHostList = (source: string): boolean => source.includes(',') && !existsSync(source);

/** Where a host list's host was declared: the list itself, at no line (a file's hosts have one). */
export const isHostListOrigin = (o: Origin): boolean => o.line === 0 && o.file.includes(',');

/**
 * `host` or `host:port`, `[v6addr]:port`, as Ansible's parse_address (without ranges) splits it; what it
 * cannot split stays the host name, as Ansible leaves it.
 */
export function splitHostPort(entry: string): { host: string; port?: number } {
  const v6 = entry.match(/^\[([^\]]+)\](?::(\d+))?$/);
  if (v6) return { host: v6[1], ...(v6[2] ? { port: Number(v6[2]) } : {}) };
  const m = entry.match(/^([^:\[\]]+):(\d+)$/);
  if (m) return { host: m[1], port: Number(m[2]) };
  return { host: entry };
}

/**
 * How a host list is read, as the first of Ansible's host_list and advanced_host_list plugins its
 * INVENTORY_ENABLED names (config; a constant of the run, as Ansible's): advanced_host_list expands host
 * ranges (`local[100:110:2],`).
 */
let hostListPlugin: 'host_list' | 'advanced_host_list' = 'host_list';
export const setHostListPlugin = (p: typeof hostListPlugin): void => void (hostListPlugin = p);

/**
 * advanced_host_list's hosts of one entry (its _expand_hostpattern): `name[1:3]` or `name[1:3]:port`
 * expanded; a range Ansible's expand_hostname_range refuses with its own error stays the name as written
 * (it says so at -vvv); one Python itself fails on (`[1:j]`, no `]`) fails the whole source.
 */
export function advancedHostListEntry(entry: string): { hosts: string[]; port?: number } | { error: string } {
  const plain = splitHostPort(entry);
  // a port after a name with ranges: `web[1:3]:2222` (parse_address with allow_ranges)
  const ranged = entry.match(/^([^:\[\]]*(?:\[[^\]]*\][^:\[\]]*)+):(\d+)$/);
  const { host, port } = plain.host !== entry || !ranged ? plain : { host: ranged[1], port: Number(ranged[2]) };
  if (!host.includes('[')) return { hosts: [host], ...(port !== undefined ? { port } : {}) };
  if (!host.includes(']')) return { error: 'not enough values to unpack (expected 3, got 2)' };
  const names = expandHostRange(host);
  if ('error' in names) return names.python ? { error: names.error } : { hosts: [entry] };
  return { hosts: names, ...(port !== undefined ? { port } : {}) };
}

export interface LoadedSources {
  inventory?: Inventory;
  problems: InputProblem[];
  warnings: string[];
}

/**
 * `keepUnclaimed`: as loadInventory's (vars files of groups and hosts a playbook may make at run time).
 * `playbookDirs`: the playbooks' directories, whose group_vars/ and host_vars/ count too, over the
 * inventory's (Ansible's playbook-adjacent vars).
 */
export function loadSources(sources: readonly string[], vault: readonly VaultSecret[] = [], o: { keepUnclaimed?: boolean; playbookDirs?: string[] } = {}): LoadedSources {
  const problems: InputProblem[] = [];
  const warnings: string[] = [];
  const firstPath = sources.find((s) => !isHostList(s) && existsSync(s));
  const root = firstPath ? (statSync(firstPath).isDirectory() ? resolve(firstPath) : dirname(resolve(firstPath))) : process.cwd();
  const inv = newInventory(root);
  if (o.keepUnclaimed) inv.unclaimed = { groups: new Map(), hosts: new Map() };
  const varsDirs: string[] = [];
  const missing: string[] = [];
  // the sources read so far: an inventory plugin (constructed) works on what they made
  const read: string[] = [];
  for (const s of sources) {
    if (existsSync(s)) varsDirs.push(readSource(inv, s, problems, vault, read, o.playbookDirs?.[0]));
    else if (s.includes(',')) {
      const failed = readHostList(inv, s, problems);
      if (failed) warnings.push(`skiff: Failed to parse ${s} with advanced_host_list plugin: ${failed}; skipped, as Ansible skips a source it cannot parse`);
    } else {
      missing.push(s);
      continue;
    }
    read.push(s);
  }
  // as Ansible: an inventory that is not there leaves only the implicit localhost, with a warning
  const none = missing.length === sources.length;
  for (const m of missing) warnings.push(`skiff: inventory ${m} not found${none ? ': only the implicit localhost is available (as in Ansible)' : ': skipped, as Ansible skips a source it cannot parse'}`);
  // host lists have no group_vars/host_vars of their own (Ansible's vars plugins skip them)
  const playbookDirs = new Set((o.playbookDirs ?? []).map((p) => resolve(p)));
  for (const d of varsDirs) readVarsDirs(inv, d, problems, vault, 'inventory', playbookDirs.has(d));
  // a playbook's directory that is an inventory's too is read once, as the inventory's (the same values)
  for (const d of playbookDirs) if (!varsDirs.includes(d)) readVarsDirs(inv, d, problems, vault, 'playbook');
  finishInventory(inv, problems);
  for (const w of inv.warnings ?? []) warnings.push(`[WARNING]: ${w}`);
  return problems.length ? { problems, warnings } : { inventory: inv, problems, warnings };
}

/**
 * Each entry a host in `ungrouped` (a port given becomes its ansible_port); a host already read stays
 * as it is. With advanced_host_list an entry may be a range of hosts; the error that makes the plugin
 * fail the whole source (then no host of it is added: Ansible's parse raised), if any.
 */
function readHostList(inv: Inventory, list: string, problems: InputProblem[]): string | undefined {
  const entries = list.split(',').map((e) => e.trim()).filter(Boolean);
  const read = entries.map((e) => (hostListPlugin === 'advanced_host_list' ? advancedHostListEntry(e) : { hosts: [splitHostPort(e).host], port: splitHostPort(e).port }));
  const failed = read.find((r) => 'error' in r);
  if (failed && 'error' in failed) return failed.error;
  for (const r of read) {
    if ('error' in r) continue;
    for (const host of r.hosts) if (!inv.hostOrigin.has(host)) hostListHost(inv, host, r.port, { file: list, line: 0, col: 0 }, problems);
  }
  return undefined;
}
