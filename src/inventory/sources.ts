// Several inventory sources into one inventory, as Ansible's InventoryManager reads its -i options:
// each in turn, an existing file or directory as such, else a string holding a comma as a host list
// (Ansible's host_list plugin: `-i 'web1,web2:2222,'`, `-i localhost,`), else a warning. A source
// that names a path that is not there leaves the others; none read leaves the implicit localhost.
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { InputProblem } from '../util/errors.ts';
import type { VaultSecret } from '../vault/vaultlib.ts';
import { finishInventory, hostListHost, newInventory, readSource, readVarsDirs } from './load.ts';
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
  for (const s of sources) {
    if (existsSync(s)) varsDirs.push(readSource(inv, s, problems, vault));
    else if (s.includes(',')) readHostList(inv, s, problems);
    else missing.push(s);
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
  return problems.length ? { problems, warnings } : { inventory: inv, problems, warnings };
}

/** Each entry a host in `ungrouped` (a port given becomes its ansible_port); a host already read stays as it is. */
function readHostList(inv: Inventory, list: string, problems: InputProblem[]): void {
  for (const raw of list.split(',')) {
    const entry = raw.trim();
    if (!entry) continue;
    const { host, port } = splitHostPort(entry);
    if (inv.hostOrigin.has(host)) continue;
    hostListHost(inv, host, port, { file: list, line: 0, col: 0 }, problems);
  }
}
