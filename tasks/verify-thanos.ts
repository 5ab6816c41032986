// verify-thanos: read-only check that the query sees every sidecar and gets data from every
// Prometheus. Polls (bounded) the query's /api/v1/stores until every expected endpoint is listed
// with no lastError, then asks `up` with dedup=false and requires one replica label value per host
// of the group. Never "changed"; skipped in check mode (nothing may run yet).
import * as v from 'valibot';
import { TaskFailure, type TaskType } from '../src/engine/task-type.ts';
import { groupHosts } from '../src/inventory/vars.ts';
import { curl } from './lib/prometheus.ts';
import { storeEndpoints } from './run-query.ts';

const schema = v.strictObject({
  /** the query's HTTP API as seen from this host */
  url: v.optional(v.pipe(v.string(), v.url()), 'http://127.0.0.1:10904'),
  stores_group: v.optional(v.string(), 'prometheus'),
  store_port: v.optional(v.pipe(v.number(), v.integer()), 10911),
  replica_label: v.optional(v.string(), 'prometheus'),
  /** replica label values expected (default: the host names of stores_group, as the playbook sets them) */
  replicas: v.optional(v.array(v.pipe(v.union([v.string(), v.number()]), v.transform(String)))),
  /** seconds to keep trying */
  timeout: v.optional(v.pipe(v.number(), v.minValue(1)), 60),
});
type Params = v.InferOutput<typeof schema>;

interface StoreEntry {
  name: string;
  lastError: string | null;
}

/** Pure: what is missing, from the /api/v1/stores and /api/v1/query answers. */
export function thanosProblems(stores: unknown, up: unknown, endpoints: string[], replicas: string[], label: string): { missingStores: string[]; failing: string[]; missingReplicas: string[]; seen: string[] } {
  const data = ((stores as { data?: Record<string, StoreEntry[] | null> })?.data ?? {}) as Record<string, StoreEntry[] | null>;
  const entries = Object.values(data).flatMap((x) => x ?? []);
  const missingStores: string[] = [];
  const failing: string[] = [];
  for (const e of endpoints) {
    const s = entries.find((x) => x.name === e);
    if (!s) missingStores.push(e);
    else if (s.lastError) failing.push(`${e} (${s.lastError})`);
  }
  const result = ((up as { data?: { result?: { metric?: Record<string, string> }[] } })?.data?.result ?? []) as { metric?: Record<string, string> }[];
  const seen = [...new Set(result.map((r) => r.metric?.[label]).filter((x): x is string => x !== undefined))].sort();
  const missingReplicas = replicas.filter((r) => !seen.includes(r));
  return { missingStores, failing, missingReplicas, seen };
}

/** Pure: what keeps the answers from being healthy, in words. */
export function whyNot(last: ReturnType<typeof thanosProblems> | undefined, lastErr: string, label: string): string {
  const why: string[] = [];
  if (last?.missingStores.length) why.push(`not listed by the query: ${last.missingStores.join(', ')}`);
  if (last?.failing.length) why.push(`failing: ${last.failing.join(', ')}`);
  if (last?.missingReplicas.length) why.push(`no \`up\` series with ${label}=${last.missingReplicas.join(', ')} (seen: ${last.seen.join(', ') || 'none'})`);
  if (!last || lastErr) why.push(lastErr || 'the query never answered');
  return why.join('; ');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const verifyThanos: TaskType<Params> = {
  name: 'verify-thanos',
  summary: 'the Thanos query lists every sidecar healthy and returns `up` from every Prometheus (read-only)',
  schema,
  async plan(ctx, p) {
    if (ctx.check) return { changes: [], skip: true, note: 'skipped in check mode' };
    const endpoints = storeEndpoints(ctx, p.stores_group, p.store_port);
    const replicas = p.replicas ?? [...groupHosts(ctx.inventory, p.stores_group)];
    const base = p.url.replace(/\/+$/, '');
    const deadline = Date.now() + p.timeout * 1000;
    let last: ReturnType<typeof thanosProblems> | undefined;
    let lastErr = '';
    for (let i = 0; ; i++) {
      lastErr = '';
      try {
        const s = await curl(ctx.conn, 'GET', `${base}/api/v1/stores`, 5);
        if (s.status !== 200) throw new Error(`/api/v1/stores answered ${s.status || 'nothing'}`);
        let upBody: unknown = {};
        const u = await curl(ctx.conn, 'GET', `${base}/api/v1/query?query=up&dedup=false`, 5);
        if (u.status === 200) upBody = JSON.parse(u.body);
        else lastErr = `/api/v1/query answered ${u.status || 'nothing'}`;
        last = thanosProblems(JSON.parse(s.body), upBody, endpoints, replicas, p.replica_label);
        if (!last.missingStores.length && !last.failing.length && !last.missingReplicas.length) {
          return { changes: [], note: `${endpoints.length} sidecars healthy; up from ${last.seen.join(', ')}`, result: { stores: endpoints, replicas: last.seen, tries: i + 1 } };
        }
      } catch (e) {
        lastErr = (e as Error).message;
      }
      if (Date.now() + 1000 > deadline) break;
      // what is still missing, so a slow start is not mistaken for a hang
      ctx.progress?.({ text: `waiting for Thanos at ${base}: ${whyNot(last, lastErr, p.replica_label)}; about ${Math.round((deadline - Date.now()) / 1000)} s left` });
      await sleep(1000);
    }
    throw new TaskFailure(`Thanos not healthy after ${p.timeout}s at ${base}: ${whyNot(last, lastErr, p.replica_label)}`);
  },
  async apply() {},
};
