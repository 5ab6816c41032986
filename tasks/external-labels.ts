// external-labels: a Prometheus config has these `global.external_labels` (edited with the yaml
// Document API: comments and every other key stay), and they are live: POST /-/reload, then
// GET /api/v1/status/config must show them. When it does not (a single-file bind mount keeps
// showing the container the old inode after an atomic rename; or no --web.enable-lifecycle),
// the container is restarted (graceful) and checked again.
import * as v from 'valibot';
import { TaskFailure, type TaskType } from '../src/engine/task-type.ts';
import { AbsPath } from './lib/schema.ts';
import { fileDiff, readFileFacts, writeFileAtomic } from './lib/files.ts';
import { EngineSchema, StringMap, inspectContainer, restartContainer, ContainerName, mustExist } from './lib/container.ts';
import { cleanPath, configFile, curl, externalLabels, hostPathOf, hostUrl, waitReady, withExternalLabels } from './lib/prometheus.ts';

const LabelName = v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a Prometheus label name'));

const schema = v.strictObject({
  container: v.optional(ContainerName, 'aprom'),
  engine: EngineSchema,
  /** host path of prometheus.yml (default: the host side of the container's --config.file mount) */
  config_file: v.optional(AbsPath),
  /** the label that tells replicas apart (the query's --query.replica-label) */
  replica_label: v.optional(LabelName, 'prometheus'),
  /** its value: unique per Prometheus (the playbook passes the inventory host name) */
  replica: v.pipe(v.union([v.string(), v.number()]), v.transform(String), v.minLength(1, 'expected a replica name')),
  /** more labels, the same on every replica (e.g. cluster, dc) */
  labels: v.optional(StringMap, {}),
  url: v.optional(v.pipe(v.string(), v.url())),
  stop_timeout: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 30),
  ready_timeout: v.optional(v.pipe(v.number(), v.minValue(1)), 120),
});
type Params = v.InferOutput<typeof schema>;

interface State {
  path: string;
  before: string;
  after: string;
  url: string;
  want: Record<string, string>;
  /** the container mounts this one file (not its directory): it keeps seeing the old inode after an atomic replace */
  singleFile: boolean;
}

export function wantedLabels(p: Pick<Params, 'labels' | 'replica_label' | 'replica'>): Record<string, string> {
  return { ...p.labels, [p.replica_label]: p.replica };
}

async function liveLabels(ctx: Parameters<TaskType['plan']>[0], url: string): Promise<Record<string, string> | undefined> {
  const r = await curl(ctx.conn, 'GET', `${url}/api/v1/status/config`);
  if (r.status !== 200) return undefined;
  try {
    return externalLabels((JSON.parse(r.body) as { data: { yaml: string } }).data.yaml);
  } catch {
    return undefined;
  }
}

const same = (want: Record<string, string>, have: Record<string, string> | undefined) => !!have && Object.entries(want).every(([k, x]) => have[k] === x);

export const externalLabelsTask: TaskType<Params, State> = {
  name: 'external-labels',
  summary: "a Prometheus config has these external labels, and they are live (reload, else restart)",
  schema,
  async plan(ctx, p) {
    const ins = await inspectContainer(ctx.conn, p.engine, p.container);
    mustExist(ins, p.container, p.engine);
    const inside = configFile(ins.facts.args);
    const mounted = hostPathOf(ins.facts.mounts, inside);
    const path = p.config_file ?? mounted.hostPath;
    if (!path) throw new TaskFailure(`${p.container}'s config ${inside} is not on a host mount: set config_file (or mount it)`);
    const singleFile = mounted.mount?.target === cleanPath(inside);
    const url = p.url ?? hostUrl(ins.facts);
    if (!url) throw new TaskFailure(`cannot tell how to reach ${p.container}'s HTTP API from the host: set url`);
    const f = await readFileFacts(ctx.conn, path, true);
    if (!f.exists || f.kind !== 'file') throw new TaskFailure(`${path} is ${f.exists ? `a ${f.kind}` : 'missing'}, expected the Prometheus config file`);
    const want = wantedLabels(p);
    const before = f.content!;
    const after = withExternalLabels(before, want, path);
    const changes: string[] = [];
    const shown = Object.entries(want).map(([k, x]) => `${k}=${x}`).join(', ');
    if (after !== before) changes.push(`set external labels ${shown} in ${path}`);
    const live = await liveLabels(ctx, url);
    if (!same(want, live)) changes.push(`make them live in ${p.container} (${live ? `now: ${JSON.stringify(live)}` : 'config API not answering'})`);
    return {
      changes,
      diff: after !== before ? fileDiff(path, before, after) : undefined,
      state: { path, before, after, url, want, singleFile },
      result: { labels: want },
    };
  },
  async apply(ctx, p, plan) {
    const st = plan.state!;
    const wrote = st.after !== st.before;
    if (wrote) await writeFileAtomic(ctx.conn, st.path, st.after);
    let how: string;
    let reloaded = false;
    if (wrote && st.singleFile) {
      // a reload would read the old inode (and take ~10 s for nothing): restart right away
      how = 'restart (single-file bind mount: the container keeps the old file after an atomic replace)';
    } else {
      // a reload waits for the scrape loops to stop: ~10 s seen with a 5 s scrape interval
      const reload = await curl(ctx.conn, 'POST', `${st.url}/-/reload`, 60);
      reloaded = reload.status === 200 && same(st.want, await liveLabels(ctx, st.url));
      how = reloaded ? 'reload' : `restart (reload answered ${reload.status || 'nothing'}${reload.status === 200 ? ' but the old config stayed' : ''})`;
    }
    if (!reloaded) {
      await restartContainer(ctx.conn, p.engine, p.container, p.stop_timeout, `${st.url}/-/ready`, p.ready_timeout);
      await waitReady(ctx.conn, `${st.url}/-/ready`, p.ready_timeout);
      const live = await liveLabels(ctx, st.url);
      if (!same(st.want, live)) throw new TaskFailure(`external labels still not live after restarting ${p.container}: config API shows ${JSON.stringify(live)}; is ${st.path} the file it reads?`);
    }
    return { labels: st.want, made_live_by: how };
  },
};
