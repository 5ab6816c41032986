// run-sidecar: a Thanos sidecar container next to a Prometheus, reading its TSDB from the host
// directory (ensure-external-dir) and its external labels from its API; optionally uploading
// blocks to object storage (objstore config written mode 0600, never shown).
//
// It runs as Prometheus' own user (--user, and --userns=keep-id where aprom has it: rootless Podman,
// where uid N inside is the operator only with keep-id): Thanos images >= 0.32 run as uid 1001 by
// default, which cannot read a TSDB whose directories are 0700, nor write its shipper file.
// Ports are published BEFORE the image (`-p 10911:10911 -p 10912:10912 IMAGE sidecar ...`); the
// Scylla docs put them after it, where they become arguments of thanos. With host networking
// nothing is published.
import { dirname } from 'node:path';
import * as v from 'valibot';
import YAML from 'yaml';
import { shq } from '../src/transport/quote.ts';
import { TaskFailure, type FactRead, type TaskType } from '../src/engine/task-type.ts';
import { AbsPath } from './lib/schema.ts';
import { factsOf, fileReads, readFileFacts, writeFileAtomic, type FileFacts } from './lib/files.ts';
import { EngineSchema, PinnedImage, ContainerName, type ContainerSpec, type Mount } from './lib/container/spec.ts';
import { containerReads, inspectOf, refuseScyllaThanos } from './lib/container/inspect.ts';
import { resume } from './lib/container/resume.ts';
import { planWanted, type ContainerPlanState } from './lib/container/plan.ts';
import { recreate, restartContainer, startContainer } from './lib/container/recreate.ts';
import { thanosVersion } from './run-query.ts';
import { waitReady } from './lib/prometheus.ts';

const Port = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535));
const OBJSTORE_IN_CONTAINER = '/etc/thanos/objstore.yml';

const schema = v.strictObject({
  name: v.optional(ContainerName, 'sidecar'),
  engine: EngineSchema,
  image: PinnedImage,
  /** host directory of the Prometheus TSDB */
  data_dir: AbsPath,
  /** where the sidecar sees it */
  tsdb_path: v.optional(AbsPath, '/prometheus'),
  /** Prometheus as seen from the sidecar container (host networking: 127.0.0.1; bridge: the host's address) */
  prometheus_url: v.optional(v.pipe(v.string(), v.url()), 'http://127.0.0.1:9090'),
  user: v.optional(v.pipe(v.union([v.string(), v.number()]), v.transform(String)), '65534:65534'),
  /** --userns: '' (the engine's default) or keep-id (rootless Podman, as aprom runs there) */
  userns: v.optional(v.picklist(['', 'keep-id'], "expected '' or keep-id"), ''),
  network: v.optional(v.pipe(v.string(), v.minLength(1))),
  grpc_port: v.optional(Port, 10911),
  http_port: v.optional(Port, 10912),
  restart_policy: v.optional(v.picklist(['no', 'always', 'unless-stopped', 'on-failure'])),
  /** object storage config (Thanos objstore YAML as a map); unset/null: no uploads */
  objstore: v.nullish(v.record(v.string(), v.unknown())),
  /** host path of the objstore config file */
  objstore_file: v.optional(AbsPath, '/etc/thanos/objstore.yml'),
  extra_args: v.optional(v.array(v.string()), []),
  /** Thanos version (default: from the image tag) and the Prometheus version it runs next to */
  version: v.optional(v.pipe(v.union([v.string(), v.number()]), v.transform(String))),
  prometheus_version: v.optional(v.pipe(v.union([v.string(), v.number()]), v.transform(String))),
  stop_timeout: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 30),
  ready_timeout: v.optional(v.pipe(v.number(), v.minValue(1)), 60),
});
type Params = v.InferOutput<typeof schema>;

interface State {
  container: ContainerPlanState;
  spec: ContainerSpec;
  objstore?: { content: string; file: FileFacts; write: boolean; attrs: boolean };
  /** uploads turned off: the old config (credentials) is removed */
  removeObjstore?: boolean;
  bucketDir?: { path: string; create: boolean };
}

const uidOf = (user: string) => user.split(':')[0];
const gidOf = (user: string) => user.split(':')[1] ?? user.split(':')[0];

/** The FILESYSTEM bucket's directory, which must be mounted into the sidecar at the same path. */
export function filesystemBucketDir(objstore: Record<string, unknown> | null | undefined): string | undefined {
  if (!objstore || String(objstore.type).toUpperCase() !== 'FILESYSTEM') return undefined;
  const dir = (objstore.config as Record<string, unknown> | undefined)?.directory;
  if (typeof dir !== 'string' || !dir.startsWith('/')) throw new TaskFailure('objstore type FILESYSTEM needs config.directory, an absolute path');
  return dir;
}

/** Pure: the sidecar container. */
export function sidecarSpec(p: Params): ContainerSpec {
  const mounts: Mount[] = [{ source: p.data_dir, target: p.tsdb_path, ro: false, options: ['z'], kind: 'bind' }];
  const args = ['sidecar', `--tsdb.path=${p.tsdb_path}`, `--prometheus.url=${p.prometheus_url}`, `--grpc-address=0.0.0.0:${p.grpc_port}`, `--http-address=0.0.0.0:${p.http_port}`];
  if (p.objstore) {
    mounts.push({ source: p.objstore_file, target: OBJSTORE_IN_CONTAINER, ro: true, options: ['z'], kind: 'bind' });
    args.push(`--objstore.config-file=${OBJSTORE_IN_CONTAINER}`);
    const bucket = filesystemBucketDir(p.objstore);
    if (bucket) mounts.push({ source: bucket, target: bucket, ro: false, options: ['z'], kind: 'bind' });
  }
  args.push(...p.extra_args);
  const ports = [p.grpc_port, p.http_port].map((x) => ({ hostIp: '', hostPort: String(x), containerPort: String(x), proto: 'tcp' }));
  return { name: p.name, image: p.image, args, env: {}, labels: {}, mounts, ports, network: p.network, user: p.user, userns: p.userns, restart: p.restart_policy };
}

/** Pure: a sidecar older than 0.37 never becomes ready next to Prometheus 3 (refused before any change). */
export function checkVersions(image: string, version?: string, prometheusVersion?: string): void {
  const t = thanosVersion(image, version);
  const pm = /^v?(\d+)\./.exec(prometheusVersion ?? '');
  if (t && pm && Number(pm[1]) >= 3 && t[0] === 0 && t[1] < 37) {
    throw new TaskFailure(`Thanos ${t.join('.')} next to Prometheus ${prometheusVersion}: a sidecar older than 0.37 never becomes ready next to Prometheus 3; use Thanos >= 0.37 (Scylla Monitoring pins it in versions.sh)`);
  }
}

/** What plan() reads: Scylla's sidecar1, the sidecar and its image, the objstore file (and its content when there is one). */
function readsOf(p: Pick<Params, 'name' | 'engine' | 'image' | 'objstore_file' | 'objstore'>): FactRead[] {
  return [...containerReads({ engine: p.engine, name: 'sidecar1' }, { engine: p.engine, name: p.name, image: p.image }), ...(p.objstore ? [] : fileReads(p.objstore_file))];
}

export const runSidecar: TaskType<Params, State> = {
  name: 'run-sidecar',
  summary: 'a Thanos sidecar container runs next to Prometheus (pinned image, --user 65534, ready-checked)',
  schema,
  reads: (p) => readsOf(p),
  // thanos.yml's params come from prepare-prometheus' result: the containers and the objstore file are known before
  readsKnown: (k) => {
    const p = v.safeParse(v.object({ name: schema.entries.name, engine: schema.entries.engine, image: schema.entries.image, objstore_file: schema.entries.objstore_file, objstore: schema.entries.objstore }), k);
    return p.success ? readsOf(p.output) : [];
  },
  async plan(ctx, p) {
    checkVersions(p.image, p.version, p.prometheus_version);
    await refuseScyllaThanos(ctx, p.engine, 'sidecar1', '--thanos-sc');
    const spec = sidecarSpec(p);
    const ins = await inspectOf(ctx, p.engine, p.name, p.image);
    const c = planWanted(p.engine, spec, ins, `http://127.0.0.1:${p.http_port}/-/ready`, p.ready_timeout);
    const changes: string[] = [];
    const diffs: string[] = [];
    const state: State = { container: { inspected: ins, action: c.action, resume: c.resume }, spec };
    if (p.objstore) {
      const content = YAML.stringify(p.objstore);
      const file = await readFileFacts(ctx.conn, p.objstore_file, true);
      if (file.exists && file.kind !== 'file') throw new TaskFailure(`${p.objstore_file} is a ${file.kind}, expected a file`);
      const write = !file.exists || file.content !== content;
      const attrs = !write && (file.mode !== '0600' || String(file.uid) !== uidOf(p.user));
      if (write) {
        changes.push(`${file.exists ? 'update' : 'create'} ${p.objstore_file} (mode 0600, owner ${uidOf(p.user)})`);
        diffs.push(`--- ${p.objstore_file}\n+++ ${p.objstore_file}\n(secret content hidden)`);
      } else if (attrs) changes.push(`mode/owner of ${p.objstore_file} -> 0600 ${uidOf(p.user)}`);
      state.objstore = { content, file, write, attrs };
      const bucket = filesystemBucketDir(p.objstore);
      if (bucket) {
        const b = await readFileFacts(ctx.conn, bucket);
        if (b.exists && b.kind !== 'directory') throw new TaskFailure(`bucket directory ${bucket} is a ${b.kind}`);
        const create = !b.exists || String(b.uid) !== uidOf(p.user);
        if (create) changes.push(`${b.exists ? 'chown' : 'create'} bucket directory ${bucket} (owner ${p.user})`);
        state.bucketDir = { path: bucket, create };
      }
    }
    else {
      const file = await factsOf(ctx, p.objstore_file);
      if (file.exists) {
        changes.push(`remove ${p.objstore_file} (no objstore: uploads off)`);
        state.removeObjstore = true;
      }
    }
    changes.push(...c.changes);
    if (c.diff) diffs.push(c.diff);
    // a new objstore config is only read at start
    if (c.action === 'none' && state.objstore?.write) {
      changes.push(`restart container ${p.name} (objstore config changed)`);
      state.container.action = 'start';
    }
    return { changes, diff: diffs.join('\n') || undefined, state };
  },
  async apply(ctx, p, plan) {
    const st = plan.state!;
    const ready = `http://127.0.0.1:${p.http_port}/-/ready`;
    if (st.objstore && (st.objstore.write || st.objstore.attrs)) {
      const mk = await ctx.conn.exec(`mkdir -p -- ${shq(dirname(p.objstore_file))}`);
      if (mk.code !== 0) throw new TaskFailure(`cannot create ${dirname(p.objstore_file)}: ${mk.stderr.trim()}`);
      await writeFileAtomic(ctx.conn, p.objstore_file, st.objstore.content, { mode: '0600', owner: uidOf(p.user), group: gidOf(p.user) });
    }
    if (st.bucketDir?.create) {
      const q = shq(st.bucketDir.path);
      const r = await ctx.conn.exec(`mkdir -p -- ${q} && chown ${shq(`${uidOf(p.user)}:${gidOf(p.user)}`)} -- ${q} && chmod 0750 -- ${q}`);
      if (r.code !== 0) throw new TaskFailure(`cannot create bucket directory ${st.bucketDir.path}: ${r.stderr.trim()}`);
    }
    if (st.removeObjstore) {
      const r = await ctx.conn.exec(`rm -f -- ${shq(p.objstore_file)}`);
      if (r.code !== 0) throw new TaskFailure(`cannot remove ${p.objstore_file}: ${r.stderr.trim()}`);
    }
    if (st.container.resume) await resume(ctx.conn, p.name, st.container.resume, p.ready_timeout);
    const action = st.container.action;
    if (action === 'create' || action === 'recreate') {
      await recreate(ctx.conn, { engine: p.engine, spec: st.spec, exists: action === 'recreate', stopTimeout: p.stop_timeout, readyUrl: ready, readyTimeout: p.ready_timeout, progress: ctx.progress });
    } else if (action === 'start') {
      if (st.container.inspected.facts?.running) await restartContainer(ctx.conn, p.engine, p.name, p.stop_timeout, ready, p.ready_timeout);
      else {
        await startContainer(ctx.conn, p.engine, p.name);
        await waitReady(ctx.conn, ready, p.ready_timeout, ctx.progress);
      }
    }
  },
};
