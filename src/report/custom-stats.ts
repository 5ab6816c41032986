// Ansible's custom stats (set_stats): what its strategy adds up from each ok result's `ansible_stats`
// (executor/stats.py set_custom_stats/update_custom_stats), and the default callback's CUSTOM STATS
// after the recap (show_custom_stats). Pure.
import type { TaskResult } from '../engine/events.ts';
import { banner, pyJson } from './ansible-lines.ts';

/** By host, and `_run` for the stats of the whole run: each stat's value. */
export type CustomStats = Record<string, Record<string, unknown>>;

const isMap = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const kindOf = (x: unknown) => (Array.isArray(x) ? 'list' : x === null ? 'none' : typeof x);

/** Ansible's merge_hash (recursive, lists replaced). */
function mergeHash(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, x] of Object.entries(b)) out[k] = isMap(out[k]) && isMap(x) ? mergeHash(out[k] as Record<string, unknown>, x) : x;
  return out;
}

/** update_custom_stats: a new stat is set; one of another type is ignored; maps merged, the rest added (Python's +=). */
function aggregate(stats: Record<string, unknown>, k: string, x: unknown): void {
  if (!Object.hasOwn(stats, k)) {
    stats[k] = x;
    return;
  }
  const old = stats[k];
  // Python's isinstance(new, type(old)): a bool adds to an int, not an int to a bool
  if (kindOf(old) !== kindOf(x) && !(typeof old === 'number' && typeof x === 'boolean')) return;
  if (isMap(old)) stats[k] = mergeHash(old, x as Record<string, unknown>);
  else if (Array.isArray(old)) stats[k] = [...old, ...(x as unknown[])];
  else if (typeof old === 'number') stats[k] = old + Number(x);
  else if (typeof old === 'string') stats[k] = old + (x as string);
  // other types (None) cannot be added: Python would raise; the stat stays
}

/** The run's custom stats from its results, in order (ok and changed results only, as Ansible's strategy). */
export function customStats(results: readonly TaskResult[]): CustomStats {
  const custom: CustomStats = {};
  for (const r of results) {
    if ((r.status !== 'ok' && r.status !== 'changed') || !r.result) continue;
    const items = Array.isArray(r.result.results) ? (r.result.results as unknown[]) : [r.result];
    for (const item of items) {
      const s = isMap(item) && isMap(item.ansible_stats) ? item.ansible_stats : undefined;
      if (!s || !isMap(s.data) || !Object.keys(s.data).length) continue;
      const host = s.per_host === false ? '_run' : r.host;
      const stats = (custom[host] ??= {});
      for (const [k, x] of Object.entries(s.data)) {
        if (s.aggregate === true) aggregate(stats, k, x);
        else stats[k] = x;
      }
    }
  }
  return custom;
}

/** The default callback's CUSTOM STATS (after the recap's blank line): each host's, then the run's; none when there are none. */
export function formatCustomStats(custom: CustomStats): string | undefined {
  if (!Object.keys(custom).length) return undefined;
  const dump = (x: unknown) => pyJson(x, 1).replace(/\n/g, '');
  const lines = [banner('CUSTOM STATS: ')];
  for (const host of Object.keys(custom).sort()) if (host !== '_run') lines.push(`\t${host}: ${dump(custom[host])}`);
  if (custom._run) lines.push('', `\tRUN: ${dump(custom._run)}`);
  lines.push('');
  return lines.join('\n');
}
