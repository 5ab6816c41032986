// run-query: a Thanos query container fronting every sidecar of an inventory group: one
// --endpoint=ADDRESS:PORT per host of `stores_group` (all of them, whatever --limit says: the query
// must know every store), sorted so that the command line, hence the container, is stable.
// Thanos < 0.24 has no --endpoint: --store= then. A query started by Scylla Monitoring itself
// (`start-all.sh --thanos`: container `thanos`, same ports) is detected and refused with a message.
import * as v from 'valibot';
import { TaskFailure, type TaskContext, type TaskType } from '../src/engine/task-type.ts';
import { groupHosts } from '../src/inventory/vars.ts';
import { EngineSchema, PinnedImage, ContainerName, type ContainerSpec } from './lib/container/spec.ts';
import { containerReads, inspectOf, refuseScyllaThanos } from './lib/container/inspect.ts';
import { resume } from './lib/container/resume.ts';
import { planWanted, type ContainerPlanState } from './lib/container/plan.ts';
import { recreate, startContainer } from './lib/container/recreate.ts';
import { waitReady } from './lib/prometheus.ts';
import { LabelName } from './lib/schema.ts';

const Port = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535));

const schema = v.strictObject({
  name: v.optional(ContainerName, 'thanos-query'),
  engine: EngineSchema,
  image: PinnedImage,
  /** Thanos version (default: from the image tag) */
  version: v.optional(v.pipe(v.union([v.string(), v.number()]), v.transform(String))),
  stores_group: v.optional(v.string(), 'prometheus'),
  /** the sidecars' gRPC port (a host var `sidecar_grpc_port` overrides it per host) */
  store_port: v.optional(Port, 10911),
  replica_label: v.optional(LabelName, 'prometheus'),
  http_port: v.optional(Port, 10904),
  grpc_port: v.optional(Port, 10903),
  network: v.optional(v.pipe(v.string(), v.minLength(1))),
  user: v.optional(v.pipe(v.union([v.string(), v.number()]), v.transform(String))),
  restart_policy: v.optional(v.picklist(['no', 'always', 'unless-stopped', 'on-failure'])),
  extra_args: v.optional(v.array(v.string()), []),
  stop_timeout: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 30),
  ready_timeout: v.optional(v.pipe(v.number(), v.minValue(1)), 60),
});
type Params = v.InferOutput<typeof schema>;

/** `ADDRESS:PORT` of every host of the group, sorted. Address: the host's `address` var, else its name. */
export function storeEndpoints(ctx: Pick<TaskContext, 'inventory' | 'hostvars'>, group: string, port: number): string[] {
  if (!ctx.inventory.groups.has(group)) throw new TaskFailure(`stores_group ${JSON.stringify(group)} is not a group of the inventory`);
  const hosts = [...groupHosts(ctx.inventory, group)];
  if (!hosts.length) throw new TaskFailure(`group ${group} has no hosts: no store to query`);
  return hosts
    .map((h) => {
      const hv = ctx.hostvars[h] ?? {};
      const addr = String(hv.address ?? hv.ansible_host ?? h);
      const p = Number(hv.sidecar_grpc_port ?? port);
      return `${addr.includes(':') && !addr.startsWith('[') ? `[${addr}]` : addr}:${p}`;
    })
    .sort();
}

/** The version from `version`, else from the image tag (v0.39.2 -> [0,39,2]); undefined if unknown. */
export function thanosVersion(image: string, version?: string): number[] | undefined {
  const src = version ?? image.slice(image.lastIndexOf('/') + 1).split('@')[0].split(':')[1] ?? '';
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(src);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

/** --endpoint since Thanos 0.24 (--store deprecated then, removed later); --store before. */
export function storeFlag(ver: number[] | undefined): '--endpoint' | '--store' {
  if (!ver) return '--endpoint';
  return ver[0] > 0 || ver[1] >= 24 ? '--endpoint' : '--store';
}

export function querySpec(p: Params, endpoints: string[]): ContainerSpec {
  const flag = storeFlag(thanosVersion(p.image, p.version));
  const args = [
    'query',
    `--http-address=0.0.0.0:${p.http_port}`,
    `--grpc-address=0.0.0.0:${p.grpc_port}`,
    `--query.replica-label=${p.replica_label}`,
    ...endpoints.map((e) => `${flag}=${e}`),
    ...p.extra_args,
  ];
  const ports = [p.grpc_port, p.http_port].map((x) => ({ hostIp: '', hostPort: String(x), containerPort: String(x), proto: 'tcp' }));
  return { name: p.name, image: p.image, args, env: {}, labels: {}, mounts: [], ports, network: p.network, user: p.user, restart: p.restart_policy };
}

export const runQuery: TaskType<Params, ContainerPlanState & { spec: ContainerSpec }> = {
  name: 'run-query',
  summary: 'a Thanos query container with one --endpoint per sidecar of an inventory group (sorted, stable)',
  schema,
  reads: (p) => containerReads({ engine: p.engine, name: 'thanos' }, { engine: p.engine, name: p.name, image: p.image }),
  async plan(ctx, p) {
    const endpoints = storeEndpoints(ctx, p.stores_group, p.store_port);
    const spec = querySpec(p, endpoints);
    await refuseScyllaThanos(ctx, p.engine, 'thanos', '--thanos');
    const ins = await inspectOf(ctx, p.engine, p.name, p.image);
    const c = planWanted(p.engine, spec, ins, `http://127.0.0.1:${p.http_port}/-/ready`, p.ready_timeout);
    const ver = thanosVersion(p.image, p.version);
    return {
      changes: c.changes,
      diff: c.diff,
      state: { inspected: ins, action: c.action, resume: c.resume, spec },
      result: { endpoints },
      note: ver ? undefined : `Thanos version unknown from ${p.image}: assuming >= 0.24 (--endpoint); set version to say otherwise`,
    };
  },
  async apply(ctx, p, plan) {
    const st = plan.state!;
    const ready = `http://127.0.0.1:${p.http_port}/-/ready`;
    if (st.resume) await resume(ctx.conn, p.name, st.resume, p.ready_timeout);
    if (st.action === 'none') return;
    if (st.action === 'start') {
      await startContainer(ctx.conn, p.engine, p.name);
      await waitReady(ctx.conn, ready, p.ready_timeout, ctx.progress);
    } else await recreate(ctx.conn, { engine: p.engine, spec: st.spec, exists: st.action === 'recreate', stopTimeout: p.stop_timeout, readyUrl: ready, readyTimeout: p.ready_timeout, progress: ctx.progress });
    return { endpoints: st.spec.args.filter((a) => /^--(endpoint|store)=/.test(a)).map((a) => a.slice(a.indexOf('=') + 1)) };
  },
};
