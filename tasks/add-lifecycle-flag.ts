// add-lifecycle-flag: a Prometheus container runs with --web.enable-lifecycle (so `POST /-/reload`
// works) and, when its blocks are uploaded by a sidecar, with compaction disabled
// (--storage.tsdb.min-block-duration == --storage.tsdb.max-block-duration, 2h): both are flags, so
// both are one recreate, identical in every other way. Refused when the TSDB is not in a host
// directory: a recreate would start with an empty TSDB (run ensure-external-dir first).
import * as v from 'valibot';
import { TaskFailure, type TaskType } from '../src/engine/task-type.ts';
import { EngineSchema, containerDiff, inspectContainer, recreate, specFromFacts, unmodelled, type ContainerFacts, type ContainerSpec, ContainerName, mustExist, refuseLeftovers } from './lib/container.ts';
import { curl, flagValue, hostPathOf, hostUrl, setFlag, tsdbPath } from './lib/prometheus.ts';

const Duration = v.pipe(v.string(), v.regex(/^(\d+(ms|s|m|h|d|w|y))+$/, 'expected a Prometheus duration like 2h'));

const schema = v.strictObject({
  container: v.optional(ContainerName, 'aprom'),
  engine: EngineSchema,
  /** also disable local compaction (min == max block duration), as block uploads need */
  disable_compaction: v.optional(v.boolean(), false),
  block_duration: v.optional(Duration, '2h'),
  /** Prometheus' URL on the host (default: from the container's listen address and ports) */
  url: v.optional(v.pipe(v.string(), v.url())),
  stop_timeout: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 30),
  ready_timeout: v.optional(v.pipe(v.number(), v.minValue(1)), 120),
});
type Params = v.InferOutput<typeof schema>;

interface State {
  spec?: ContainerSpec;
  url?: string;
}

/** Pure: the args the container should run with. */
export function wantedPrometheusArgs(args: string[], p: Pick<Params, 'disable_compaction' | 'block_duration'>): string[] {
  let out = [...args];
  const lc = flagValue(out, 'web.enable-lifecycle');
  if (lc !== true && lc !== 'true') out = setFlag(out, 'web.enable-lifecycle');
  if (p.disable_compaction) {
    for (const f of ['storage.tsdb.min-block-duration', 'storage.tsdb.max-block-duration']) {
      if (flagValue(out, f) !== p.block_duration) out = setFlag(out, f, p.block_duration);
    }
  }
  return out;
}

/** Pure: changes and the new spec, or a refusal. */
export function planLifecycle(f: ContainerFacts, p: Pick<Params, 'disable_compaction' | 'block_duration'>, image = { env: {}, labels: {} }, unmodelledSettings: string[] = []): { changes: string[]; spec?: ContainerSpec } {
  const args = wantedPrometheusArgs(f.args, p);
  if (JSON.stringify(args) === JSON.stringify(f.args)) return { changes: [] };
  const tsdb = tsdbPath(f.args);
  if (!hostPathOf(f.mounts, tsdb).hostPath) {
    throw new TaskFailure(`refusing to recreate ${f.name}: its TSDB (${tsdb}) is not in a host directory, so the new container would start empty (data lost). Run ensure-external-dir first`);
  }
  if (unmodelledSettings.length) throw new TaskFailure(`${f.name} uses settings skiff cannot carry over when recreating it (${unmodelledSettings.join(', ')})`);
  const added = args.filter((a) => !f.args.includes(a));
  const removed = f.args.filter((a) => !args.includes(a));
  const spec = { ...specFromFacts(f, image), args };
  return { changes: [`recreate container ${f.name}: ${[...removed.map((a) => `args: - ${a}`), ...added.map((a) => `args: + ${a}`)].join('; ')}`], spec };
}

export const addLifecycleFlag: TaskType<Params, State> = {
  name: 'add-lifecycle-flag',
  summary: 'a Prometheus container runs with --web.enable-lifecycle (and equal block durations for uploads): one safe recreate',
  schema,
  async plan(ctx, p) {
    const ins = await inspectContainer(ctx.conn, p.engine, p.container);
    mustExist(ins, p.container, p.engine);
    refuseLeftovers(ins);
    const image = ins.image ?? { env: {}, labels: {} };
    // In check mode on a fresh host the TSDB is not external yet (ensure-external-dir would do it
    // first): say what would happen instead of refusing.
    let r: { changes: string[]; spec?: ContainerSpec };
    try {
      r = planLifecycle(ins.facts, p, image, unmodelled(ins.raw));
    } catch (e) {
      if (!ctx.check || !(e instanceof TaskFailure) || !/not in a host directory/.test(e.message)) throw e;
      const args = wantedPrometheusArgs(ins.facts.args, p);
      const added = args.filter((a) => !ins.facts!.args.includes(a));
      return { changes: [`recreate container ${p.container}: ${added.map((a) => `args: + ${a}`).join('; ')} (after ensure-external-dir)`] };
    }
    const url = p.url ?? hostUrl(ins.facts);
    if (r.spec && !url) throw new TaskFailure(`cannot tell how to reach ${p.container}'s HTTP API from the host (no published port for its listen address): set url`);
    const diff = r.spec ? containerDiff(p.engine, p.container, specFromFacts(ins.facts, image), r.spec) : undefined;
    return { changes: r.changes, diff, state: { spec: r.spec, url } };
  },
  async apply(ctx, p, plan) {
    const { spec, url } = plan.state!;
    await recreate(ctx.conn, { engine: p.engine, spec: spec!, exists: true, stopTimeout: p.stop_timeout, readyUrl: `${url}/-/ready`, readyTimeout: p.ready_timeout });
    // a reload waits for the scrape loops to stop: ~10 s seen with a 5 s scrape interval
    const r = await curl(ctx.conn, 'POST', `${url}/-/reload`, 60);
    if (r.status !== 200) throw new TaskFailure(`${p.container} was recreated with --web.enable-lifecycle, but POST ${url}/-/reload answered ${r.status || 'nothing'}: ${r.body.trim().slice(0, 200)}`);
    return { reload_status: r.status };
  },
};
