// Ansible's fact cache with its jsonfile plugin (plugins/cache/jsonfile.py, BaseFileCacheModule): one
// JSON file per host, `<connection>/<prefix><host>`, holding the host's facts (gathered ones, and what
// `set_fact: ... cacheable: true` set) as the setup module names them (ansible_*). A later run reads
// them back as host facts, unless the file is older than the timeout (0: never too old); --flush-cache
// removes every inventory host's file first. Without it (Ansible's memory cache) facts last the run.
import { mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { floatJson } from '../template/py-float.ts';

export interface FactCacheSettings {
  /** fact_caching_connection: the directory, made if it is not there */
  dir: string;
  /** fact_caching_prefix: before each host's name */
  prefix: string;
  /** fact_caching_timeout, in seconds; 0: the files never expire */
  timeoutS: number;
}

const fileOf = (s: FactCacheSettings, host: string) => join(s.dir, `${s.prefix}${host}`);

/**
 * What the cache holds for `host`: undefined when nothing is there or it has expired; an error for a
 * file that is not JSON (Ansible erases it and fails).
 */
export function readCachedFacts(s: FactCacheSettings, host: string, now = Date.now()): { facts: Record<string, unknown> } | { error: string } | undefined {
  const file = fileOf(s, host);
  let mtimeMs: number;
  try {
    mtimeMs = statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
  if (s.timeoutS > 0 && now - mtimeMs > s.timeoutS * 1000) return undefined;
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? { facts: value as Record<string, unknown> } : undefined;
  } catch (e) {
    try {
      unlinkSync(file);
    } catch {
      /* gone already */
    }
    return { error: `error in 'jsonfile' cache plugin while trying to read ${file} : ${(e as Error).message}. Most likely a corrupt file, so erasing and failing.` };
  }
}

/** `facts` over what the cache holds for `host` (Ansible's set_host_facts: a shallow update), written back. */
export function writeCachedFacts(s: FactCacheSettings, host: string, facts: Record<string, unknown>): void {
  const had = readCachedFacts(s, host);
  const merged = { ...(had && 'facts' in had ? had.facts : {}), ...facts };
  mkdirSync(s.dir, { recursive: true });
  writeFileSync(fileOf(s, host), floatJson(sortKeys(merged), 4));
}

/** --flush-cache: every given host's file removed. */
export function flushCachedFacts(s: FactCacheSettings, hosts: Iterable<string>): void {
  for (const h of hosts) {
    try {
      unlinkSync(fileOf(s, h));
    } catch {
      /* nothing cached */
    }
  }
}

/**
 * Cached facts as a host's variables, as Ansible's VariableManager gives them: each under its own
 * name (inject_facts_as_vars) and all of them in `ansible_facts`, without their `ansible_` prefix.
 */
export function cachedFactVars(cached: Record<string, unknown>): Record<string, unknown> {
  const namespaced = Object.fromEntries(Object.entries(cached).map(([k, v]) => [k.startsWith('ansible_') && k !== 'ansible_local' ? k.slice(8) : k, v]));
  return { ...cached, ansible_facts: namespaced };
}

/** json.dumps(sort_keys=True), as the jsonfile plugin writes */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}
