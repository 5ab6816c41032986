// container: a container runs as described (recreated safely on a difference), is absent, or is
// restarted (for handlers). docker or podman; compared field by field (see lib/container/compare.ts).
import * as v from 'valibot';
import { TaskFailure, type TaskType } from '../src/engine/task-type.ts';
import { EngineSchema, MountSchema, PinnedImage, PortSchema, StringMap, ContainerName, type ContainerSpec } from './lib/container/spec.ts';
import { containerReads, inspectOf } from './lib/container/inspect.ts';
import { specFromFacts } from './lib/container/compare.ts';
import { containerDiff } from './lib/container/argv.ts';
import { recreate, removeContainer, restartContainer, startContainer } from './lib/container/recreate.ts';
import { resume } from './lib/container/resume.ts';
import { planWanted, type ContainerPlanState } from './lib/container/plan.ts';
import { waitReady } from './lib/prometheus.ts';

const Name = ContainerName;

const schema = v.pipe(
  v.strictObject({
    name: Name,
    state: v.optional(v.picklist(['started', 'absent', 'restarted']), 'started'),
    engine: EngineSchema,
    image: v.optional(PinnedImage),
    args: v.optional(v.array(v.pipe(v.union([v.string(), v.number()]), v.transform(String))), []),
    env: v.optional(StringMap, {}),
    labels: v.optional(StringMap, {}),
    mounts: v.optional(v.array(MountSchema), []),
    ports: v.optional(v.array(PortSchema), []),
    /** host, bridge, a network name; unset = the engine's default (not compared) */
    network: v.optional(v.pipe(v.string(), v.minLength(1))),
    user: v.optional(v.pipe(v.union([v.string(), v.number()]), v.transform(String))),
    restart_policy: v.optional(v.picklist(['no', 'always', 'unless-stopped', 'on-failure'])),
    extra_hosts: v.optional(v.array(v.string())),
    /** seconds for a graceful stop */
    stop_timeout: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 30),
    /** fetched with curl on the host after a (re)start until it answers 2xx */
    ready_url: v.optional(v.pipe(v.string(), v.url())),
    ready_timeout: v.optional(v.pipe(v.number(), v.minValue(1)), 60),
  }),
  v.check((p) => p.state !== 'started' || p.image !== undefined, 'expected image when state is started'),
);
type Params = v.InferOutput<typeof schema>;

export function specOf(p: Params): ContainerSpec {
  return {
    name: p.name,
    image: p.image!,
    args: p.args,
    env: p.env,
    labels: p.labels,
    mounts: p.mounts,
    ports: p.ports,
    network: p.network,
    user: p.user,
    restart: p.restart_policy,
    extraHosts: p.extra_hosts,
  };
}

export const container: TaskType<Params, ContainerPlanState> = {
  name: 'container',
  summary: 'a container runs as described (recreated safely on a difference), is absent, or is restarted',
  schema,
  reads: (p) => containerReads({ engine: p.engine, name: p.name, image: p.state === 'started' ? p.image : undefined }),
  async plan(ctx, p) {
    const ins = await inspectOf(ctx, p.engine, p.name, p.state === 'started' ? p.image : undefined);
    const have = ins.facts;
    if (p.state === 'absent') {
      if (!have) return { changes: [], state: { inspected: ins, action: 'none' }, result: { exists: false } };
      return {
        changes: [`remove container ${p.name}${have.running ? ' (stop first)' : ''}`],
        diff: containerDiff(p.engine, p.name, specFromFacts(have, ins.image ?? { env: {}, labels: {} }), undefined),
        state: { inspected: ins, action: 'none' },
      };
    }
    if (p.state === 'restarted') {
      if (!have) throw new TaskFailure(`cannot restart container ${p.name}: it does not exist`);
      return { changes: [`restart container ${p.name}`], state: { inspected: ins, action: 'none' } };
    }
    const { changes, diff, action, resume: r } = planWanted(p.engine, specOf(p), ins, p.ready_url, p.ready_timeout);
    return { changes, diff, state: { inspected: ins, action, resume: r }, result: have ? { id: have.id, running: have.running } : undefined };
  },
  async apply(ctx, p, plan) {
    const st = plan.state!;
    if (p.state === 'absent') return void (await removeContainer(ctx.conn, p.engine, p.name, p.stop_timeout));
    if (p.state === 'restarted') return void (await restartContainer(ctx.conn, p.engine, p.name, p.stop_timeout, p.ready_url, p.ready_timeout));
    if (st.resume) await resume(ctx.conn, p.name, st.resume, p.ready_timeout);
    if (st.action === 'none') return;
    if (st.action === 'start') {
      await startContainer(ctx.conn, p.engine, p.name);
      if (p.ready_url) await waitReady(ctx.conn, p.ready_url, p.ready_timeout, ctx.progress);
      return;
    }
    await recreate(ctx.conn, {
      engine: p.engine,
      spec: specOf(p),
      exists: st.action === 'recreate',
      stopTimeout: p.stop_timeout,
      readyUrl: p.ready_url,
      readyTimeout: p.ready_timeout,
      progress: ctx.progress,
    });
  },
};
