// ensure-external-dir: a Prometheus container's TSDB lives in a host directory (so that a Thanos
// sidecar can read it and a recreate keeps it). When it is inside the container (or in an anonymous
// volume, as with the official image's VOLUME /prometheus), the container is stopped gracefully, its
// data copied out with `ENGINE cp`, and it is recreated identical but for `-v DATA_DIR:TSDB_PATH:z`
// (`:z`, shared SELinux label: the sidecar container reads the same files; `:Z`, as Scylla
// Monitoring's start-all.sh uses, would make them private to one container).
// Never overwrites: a non-empty data_dir that the container does not mount is refused.
import * as v from 'valibot';
import { shq } from '../src/transport/quote.ts';
import { TaskFailure, type TaskType } from '../src/engine/task-type.ts';
import { AbsPath } from './lib/schema.ts';
import { EngineSchema, containerDiff, inspectContainer, recreate, specFromFacts, unmodelled, type ContainerFacts, type ContainerSpec, ContainerName, mustExist, refuseLeftovers } from './lib/container.ts';
import { cleanPath, hostPathOf, hostUrl, tsdbPath } from './lib/prometheus.ts';

const schema = v.strictObject({
  container: v.optional(ContainerName, 'aprom'),
  engine: EngineSchema,
  data_dir: AbsPath,
  /** owner of the data (Prometheus images run as nobody, 65534) */
  uid: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 65534),
  gid: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  stop_timeout: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 30),
  ready_timeout: v.optional(v.pipe(v.number(), v.minValue(1)), 120),
  /** seconds allowed for copying the data out */
  copy_timeout: v.optional(v.pipe(v.number(), v.integer(), v.minValue(10)), 3600),
});
type Params = v.InferOutput<typeof schema>;

interface DirFacts {
  exists: boolean;
  kind?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  empty?: boolean;
}

interface State {
  facts: ContainerFacts;
  spec?: ContainerSpec;
  tsdb: string;
  dir: DirFacts;
  fix: { chown: boolean; chmod: boolean };
}

async function dirFacts(ctx: Parameters<TaskType['plan']>[0], path: string): Promise<DirFacts> {
  const q = shq(path);
  const r = await ctx.conn.exec(`if [ -e ${q} ] || [ -L ${q} ]; then stat -c '%F|%a|%u|%g' -- ${q} || exit 3; if [ -d ${q} ] && [ -n "$(ls -A -- ${q})" ]; then echo full; else echo empty; fi; else echo missing; fi`);
  if (r.code !== 0) throw new TaskFailure(`cannot read ${path}: ${r.stderr.trim() || `exit ${r.code}`}`);
  const [head, fill] = r.stdout.trim().split('\n');
  if (head === 'missing') return { exists: false };
  const [kind, mode, uid, gid] = head.split('|');
  return { exists: true, kind, mode: parseInt(mode, 8), uid: Number(uid), gid: Number(gid), empty: fill === 'empty' };
}

/** Pure: what to do, from the container and the directory. Exported for the unit tests. */
export function planExternalDir(
  p: Params,
  f: ContainerFacts,
  dir: DirFacts,
  unmodelledSettings: string[] = [],
  image: { env: Record<string, string>; labels: Record<string, string> } = { env: {}, labels: {} },
): { changes: string[]; tsdb: string; spec?: ContainerSpec; fix: State['fix']; note?: string } {
  const tsdb = tsdbPath(f.args);
  const gid = p.gid ?? p.uid;
  const { hostPath, mount } = hostPathOf(f.mounts, tsdb);
  const want = cleanPath(p.data_dir);
  if (hostPath !== undefined) {
    if (cleanPath(hostPath) !== want) {
      throw new TaskFailure(`the TSDB (${tsdb}) of ${f.name} is already on the host at ${hostPath}, not at data_dir ${p.data_dir}: set data_dir to ${hostPath} (skiff does not move data between host directories)`);
    }
    const fix = { chown: dir.uid !== p.uid || dir.gid !== gid, chmod: dir.mode === undefined || (dir.mode & 0o005) !== 0o005 };
    const changes: string[] = [];
    if (fix.chown) changes.push(`owner of ${p.data_dir}: ${dir.uid}:${dir.gid} -> ${p.uid}:${gid} (recursive)`);
    if (fix.chmod) changes.push(`mode of ${p.data_dir}: ${(dir.mode ?? 0).toString(8).padStart(4, '0')} -> 0755 (readable by the sidecar)`);
    return { changes, tsdb, fix };
  }
  if (dir.exists && dir.kind !== 'directory') throw new TaskFailure(`data_dir ${p.data_dir} exists and is a ${dir.kind}, expected a directory`);
  if (dir.exists && !dir.empty) {
    throw new TaskFailure(
      `refusing to copy ${f.name}'s TSDB into ${p.data_dir}: it is not empty and ${f.name} does not mount it (skiff never overwrites data; a leftover of an interrupted run is renamed *.skiff-failed-*). Empty or remove it, or choose another data_dir`,
    );
  }
  if (unmodelledSettings.length) {
    throw new TaskFailure(`${f.name} uses settings skiff cannot carry over when recreating it (${unmodelledSettings.join(', ')}): move its data by hand`);
  }
  const spec = specFromFacts(f, image);
  spec.mounts = spec.mounts.filter((m) => m.target !== tsdb);
  spec.mounts.push({ source: cleanPath(p.data_dir), target: tsdb, ro: false, options: ['z'], kind: 'bind' });
  const where = mount ? `${mount.kind} volume ${mount.source.slice(0, 12)}` : 'the container';
  return {
    changes: [`copy ${tsdb} of ${f.name} (in ${where}) to ${p.data_dir} (${f.name} stopped gracefully)`, `recreate container ${f.name}: mounts: + ${p.data_dir}:${tsdb}:z`],
    tsdb,
    spec,
    fix: { chown: true, chmod: true },
  };
}

export const ensureExternalDir: TaskType<Params, State> = {
  name: 'ensure-external-dir',
  summary: "a Prometheus container's TSDB is in a host directory (data copied out, container recreated with the mount)",
  schema,
  async plan(ctx, p) {
    const ins = await inspectContainer(ctx.conn, p.engine, p.container);
    mustExist(ins, p.container, p.engine);
    refuseLeftovers(ins);
    const dir = await dirFacts(ctx, p.data_dir);
    // env/labels that only come from the image stay out of the new container
    const image = ins.image ?? { env: {}, labels: {} };
    const r = planExternalDir(p, ins.facts, dir, unmodelled(ins.raw), image);
    const spec = r.spec;
    const diff = spec ? containerDiff(p.engine, p.container, specFromFacts(ins.facts, image), spec) : undefined;
    return { changes: r.changes, diff, state: { facts: ins.facts, spec, tsdb: r.tsdb, dir, fix: r.fix }, result: { data_dir: p.data_dir, tsdb_path: r.tsdb } };
  },
  async apply(ctx, p, plan) {
    const st = plan.state!;
    const gid = p.gid ?? p.uid;
    const D = shq(cleanPath(p.data_dir));
    const owner = shq(`${p.uid}:${gid}`);
    if (!st.spec) {
      const cmds = [];
      if (st.fix.chown) cmds.push(`chown -R ${owner} -- ${D}`);
      if (st.fix.chmod) cmds.push(`chmod 0755 -- ${D}`);
      const r = await ctx.conn.exec(cmds.join(' && '));
      if (r.code !== 0) throw new TaskFailure(`cannot set owner/mode of ${p.data_dir}: ${r.stderr.trim()}`);
      return;
    }
    const E = shq(p.engine);
    const src = shq(`${p.container}:${st.tsdb.replace(/\/$/, '')}/.`);
    const url = hostUrl(st.facts);
    await recreate(ctx.conn, {
      engine: p.engine,
      spec: st.spec,
      exists: true,
      stopTimeout: p.stop_timeout,
      // checked again here: the directory may have been filled since the plan
      beforeCreate: `if [ -d ${D} ] && [ -n "$(ls -A -- ${D})" ]; then echo "${p.data_dir} is not empty: refusing to copy into it" >&2; exit 1; fi; mkdir -p -- ${D} && chown ${owner} -- ${D} && chmod 0755 -- ${D}`,
      afterStop: `${E} cp ${src} ${shq(cleanPath(p.data_dir) + '/')} && chown -R ${owner} -- ${D} && chmod 0755 -- ${D}`,
      afterStopTimeout: p.copy_timeout,
      // the copy is a duplicate (the old container keeps the original): set it aside, never delete
      onRollback: `if [ -d ${D} ] && [ -n "$(ls -A -- ${D})" ]; then aside=${D}.skiff-failed-$(date +%Y%m%d%H%M%S); mv -- ${D} "$aside" && echo "the partial copy was moved to $aside" >&2; fi`,
      readyUrl: url ? `${url}/-/ready` : undefined,
      readyTimeout: p.ready_timeout,
    });
  },
};
