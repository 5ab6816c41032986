// prepare-prometheus: a Prometheus container as Scylla Monitoring's start-all.sh runs it (`aprom`)
// gets what a Thanos sidecar needs, planned together so that it is recreated at most once:
//   - its TSDB in a host directory, in the layout `start-all.sh -d DIR` makes (DIR mounted at the
//     TSDB path Prometheus works out: the flag, else data/ under the working directory,
//     /prometheus/data). An existing bind mount of it counts: nothing is copied twice. Data inside
//     the container (or its anonymous volume) is copied out after a graceful stop, owned by the
//     container's own user (who keeps writing it; the sidecar runs as the same user);
//   - --web.enable-lifecycle (start-all.sh passes it already) and, for block uploads, equal min and
//     max block durations (no local compaction);
//   - unique external labels, in the generated prometheus.yml AND in the template start-all.sh
//     regenerates it from (prometheus/prometheus.yml.template), so a rerun of start-all.sh keeps them.
// It then writes, next to Scylla's own scylla.txt in the data directory, the start-all.sh options
// that keep this (`-d DIR`, `-b FLAG`), and returns them (register) for the run's closing message.
// After kill-all.sh + start-all.sh without -d, the history is in data_dir and the new container's
// TSDB is a few minutes old: it is set aside next to data_dir (never deleted) and data_dir mounted again.
import * as v from 'valibot';
import { shq } from '../src/transport/quote.ts';
import { TaskFailure, type Plan, type TaskContext, type TaskType } from '../src/engine/task-type.ts';
import { AbsPath, LabelName } from './lib/schema.ts';
import { fileDiff, inPlaceLeftover, inPlaceNext, readFilesWithContent, writeFileAtomic, writeFileInPlace } from './lib/files.ts';
import { EngineSchema, StringMap, ContainerName, type ContainerFacts, type ContainerSpec, type Engine } from './lib/container/spec.ts';
import { containerReads, inspectOf, mustExist, unmodelled, type Inspected } from './lib/container/inspect.ts';
import { planResume, resume, resumeScript, type Resume } from './lib/container/resume.ts';
import { isHostNetwork, specFromFacts } from './lib/container/compare.ts';
import { containerDiff } from './lib/container/argv.ts';
import { recreate } from './lib/container/recreate.ts';
import { precopyScript, syncScript } from './lib/tsdb-copy.ts';
import { cleanPath, configFile, curl, curlAll, externalLabels, type HttpAnswer, flagValue, hostPathOf, hostUrl, listenPort, promtoolCheck, setFlag, tsdbPath, waitReady, withExternalLabels } from './lib/prometheus.ts';

const Duration = v.pipe(v.string(), v.regex(/^(\d+(ms|s|m|h|d|w|y))+$/, 'expected a Prometheus duration like 2h'));
const Seconds = v.pipe(v.number(), v.minValue(1));

const schema = v.strictObject({
  container: v.optional(ContainerName, 'aprom'),
  engine: EngineSchema,
  /** where the TSDB goes when it is not on the host yet (an existing bind mount wins) */
  data_dir: AbsPath,
  /** the label that tells replicas apart (the query's --query.replica-label) and its value */
  replica_label: v.optional(LabelName, 'prometheus'),
  replica: v.pipe(v.union([v.string(), v.number()]), v.transform(String), v.minLength(1, 'expected a replica name')),
  /** more external labels, the same on every replica */
  labels: v.optional(StringMap, {}),
  /** also disable local compaction (min == max block duration), as block uploads need */
  disable_compaction: v.optional(v.boolean(), false),
  block_duration: v.optional(Duration, '2h'),
  stop_timeout: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 120),
  ready_timeout: v.optional(Seconds, 120),
  copy_timeout: v.optional(v.pipe(v.number(), v.integer(), v.minValue(10)), 3600),
});
type Params = v.InferOutput<typeof schema>;

/** Arguments start-all.sh gives aprom itself: what `-b` need not repeat. */
const START_ALL_OWN = new Set(['--web.enable-lifecycle', '--enable-feature=promql-experimental-functions', '--config.file=/etc/prometheus/prometheus.yml']);

interface FileEdit {
  path: string;
  before: string;
  after: string;
  /** written in place (same inode): the file is bind-mounted alone into the running container */
  inPlace?: boolean;
}

interface State {
  facts: ContainerFacts;
  spec?: ContainerSpec;
  tsdb: string;
  dataDir: string;
  owner: string;
  move?: 'copy' | 'reattach';
  edits: FileEdit[];
  /** a config edit with no recreate: made live with a reload (the lifecycle API is there, or a recreate adds it) */
  live?: 'reload';
  url: string;
  want: Record<string, string>;
  note: { path: string; before?: string; after: string };
}

/** An interrupted recreate is finished first; everything else is planned again after it. */
interface ResumeFirst {
  resumeFirst: Resume;
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

/** Pure: the start-all.sh options that recreate this container as it is wanted. */
export function startAllOptions(dataDir: string, args: string[], network: string): string {
  const b = args.filter((a) => !START_ALL_OWN.has(a)).map((a) => `-b ${a}`);
  return [`-d ${dataDir}`, ...(isHostNetwork(network) ? ['-l'] : []), ...b].join(' ');
}

/** Pure: the template start-all.sh regenerates a config from, for a config at `configPath`. */
export function templateOf(configPath: string): string | undefined {
  const m = /^(.*)\/prometheus\/build(?:\/stack\/\d+)?\/prometheus\.yml$/.exec(configPath);
  return m ? `${m[1]}/prometheus/prometheus.yml.template` : undefined;
}

/** Pure: how the sidecar container reaches this Prometheus, and on which network it runs. */
export function sidecarView(f: ContainerFacts): { network: string; prometheus_url: string } | undefined {
  const port = listenPort(f.args);
  if (isHostNetwork(f.network)) return { network: 'host', prometheus_url: `http://127.0.0.1:${port}` };
  // a user-defined network (start-all.sh's monitor-net) resolves container names; the default bridge does not
  if (f.network !== 'bridge') return { network: f.network, prometheus_url: `http://${f.name}:${port}` };
  return undefined;
}

async function sh(ctx: TaskContext, cmd: string, what: string): Promise<string> {
  const r = await ctx.conn.exec(cmd);
  if (r.code !== 0) throw new TaskFailure(`${what}: ${r.stderr.trim() || `exit ${r.code}`}`);
  return r.stdout;
}

/**
 * uid:gid the container's process runs as, read on the host from /proc of its main process (names
 * like `nobody` resolve inside the image; an `exec` into the container would show in its inspect);
 * of a stopped container (an engine restart stops it), the owner of its TSDB directory on the host,
 * which that process made.
 */
async function processOwner(ctx: TaskContext, engine: Engine, f: ContainerFacts, tsdb: string, pid: unknown): Promise<string> {
  const u = f.user.trim();
  if (/^\d+(:\d+)?$/.test(u)) return u.includes(':') ? u : `${u}:${u}`;
  const E = shq(engine);
  const { hostPath, mount } = hostPathOf(f.mounts, tsdb);
  const sub = mount ? tsdb.slice(mount.target.length).replace(/^\//, '') : '';
  const dir = hostPath
    ? `d=${shq(hostPath)}`
    : mount && mount.kind !== 'other'
      ? `d=$(${E} volume inspect -f '{{.Mountpoint}}' ${shq(mount.source)} 2>/dev/null)${sub ? `/${shq(sub)}` : ''}`
      : 'd=';
  const script = [
    // the pid inspect gave (no second engine call: ~100 ms with Podman)
    typeof pid === 'number' && Number.isInteger(pid) ? `pid=${pid}` : `pid=$(${E} container inspect -f '{{.State.Pid}}' ${shq(f.name)})`,
    `if [ "\${pid:-0}" -gt 0 ] && [ -d /proc/"$pid" ]; then stat -c '%u:%g' /proc/"$pid"; exit; fi`,
    dir,
    `[ -n "$d" ] && [ -d "$d" ] && stat -c '%u:%g' "$d" || { echo "${f.name} is not running and its TSDB is not on the host: cannot tell which user writes it" >&2; exit 1; }`,
  ].join('\n');
  const out = await sh(ctx, script, `cannot tell ${f.name}'s user`);
  const owner = out.trim();
  if (!/^\d+:\d+$/.test(owner)) throw new TaskFailure(`${f.name}: unexpected answer for its user: ${JSON.stringify(owner)}`);
  return owner;
}

/** 'missing' | 'empty' | 'tsdb' (holds wal/ or chunks_head/) | 'other' */
async function dirState(ctx: TaskContext, path: string): Promise<string> {
  const q = shq(path);
  const out = await sh(ctx, `if [ ! -e ${q} ]; then echo missing; elif [ ! -d ${q} ]; then echo notdir; elif [ -z "$(ls -A -- ${q})" ]; then echo empty; elif [ -d ${q}/wal ] || [ -d ${q}/chunks_head ]; then echo tsdb; else echo other; fi`, `cannot read ${path}`);
  return out.trim();
}

async function liveLabels(ctx: TaskContext, url: string): Promise<Record<string, string> | undefined> {
  return labelsIn(await curl(ctx.conn, 'GET', `${url}/api/v1/status/config`));
}

/** The external labels in an answer of /api/v1/status/config (undefined: no answer, or unreadable). */
function labelsIn(r: HttpAnswer): Record<string, string> | undefined {
  if (r.status !== 200) return undefined;
  try {
    return externalLabels((JSON.parse(r.body) as { data: { yaml: string } }).data.yaml);
  } catch {
    return undefined;
  }
}
const same = (want: Record<string, string>, have: Record<string, string> | undefined) => !!have && Object.entries(want).every(([k, x]) => have[k] === x);

export const preparePrometheus: TaskType<Params, State | ResumeFirst> = {
  name: 'prepare-prometheus',
  summary: 'a Prometheus container (as start-all.sh runs it) keeps its TSDB on the host, has the lifecycle API and unique external labels: at most one recreate',
  schema,
  reads: (p) => containerReads({ engine: p.engine, name: p.container }),
  async plan(ctx, p) {
    const ins = await inspectOf(ctx, p.engine, p.container);
    // what this task reads (the process' user, its live config) needs the container running, as it
    // will be once an interrupted recreate is finished, or once it is started again (an engine
    // restart stops containers without a restart policy, as start-all.sh runs them)
    const left = planResume(p.engine, p.container, ins);
    const eff = left?.effective ?? ins.facts;
    const effUrl = eff && hostUrl(eff);
    const ready = effUrl && `${effUrl}/-/ready`;
    const stopped = ins.facts && !ins.facts.running ? [`start ${p.container} (${ins.facts.status})`] : undefined;
    const first = left || stopped ? { changes: left?.changes ?? stopped!, script: resumeScript(p.engine, p.container, ready, p.ready_timeout) } : undefined;
    if (first) {
      // the rest as it looks before that (the container stopped): for --check and for the tasks
      // after this one; apply plans again once it is done
      const facts = eff;
      const rest = facts ? await planFrom(ctx, p, { ...ins, facts: { ...facts, running: false }, leftovers: [] }).catch(() => undefined) : undefined;
      return {
        changes: [...first.changes, ...(rest?.changes.length ? rest.changes : [`then plan ${p.container} again`])],
        diff: rest?.diff,
        result: rest?.result,
        state: { resumeFirst: first },
      };
    }
    return planFrom(ctx, p, ins);
  },
  async apply(ctx, p, plan) {
    if (plan.state && 'resumeFirst' in plan.state) {
      await resume(ctx.conn, p.container, plan.state.resumeFirst, p.ready_timeout);
      const again = await preparePrometheus.plan(ctx, p);
      return again.changes.length ? await preparePrometheus.apply(ctx, p, again) : again.result;
    }
    return applyPlan(ctx, p, plan.state as State, plan.result);
  },
};

async function planFrom(ctx: TaskContext, p: Params, ins: Inspected): Promise<Plan<State>> {
  mustExist(ins, p.container, p.engine);
  const f = ins.facts;
  const image = ins.image ?? { env: {}, labels: {} };
  const tsdb = tsdbPath(f.args, f.workdir);
  const bound = hostPathOf(f.mounts, tsdb);
  const url = hostUrl(f);
  if (!url) throw new TaskFailure(`cannot tell how to reach ${p.container}'s HTTP API from the host (no published port for its listen address)`);
  const owner = await processOwner(ctx, p.engine, f, tsdb, (ins.raw as { State?: { Pid?: unknown } } | undefined)?.State?.Pid);
  const changes: string[] = [];
  let move: State['move'];
  let dataDir = cleanPath(p.data_dir);
  if (bound.hostPath !== undefined) {
    dataDir = cleanPath(bound.hostPath); // already on the host (start-all.sh -d): that is the data directory
  } else {
    const st = await dirState(ctx, dataDir);
    if (st === 'notdir') throw new TaskFailure(`data_dir ${dataDir} exists and is not a directory`);
    if (st === 'other') throw new TaskFailure(`refusing to copy ${p.container}'s TSDB into ${dataDir}: it holds files that are not a Prometheus TSDB (skiff never overwrites data). Empty it or choose another data_dir`);
    const where = bound.mount ? `its ${bound.mount.kind} volume` : 'the container';
    if (st === 'tsdb') {
      move = 'reattach';
      changes.push(`${dataDir} holds ${p.container}'s history but ${p.container} no longer mounts it (started without -d?): mount it again at ${tsdb}, owned ${owner}; the TSDB ${p.container} wrote since (in ${where}) is set aside as ${dataDir}.skiff-interim-<time>`);
    } else {
      move = 'copy';
      changes.push(`copy ${tsdb} of ${p.container} (in ${where}) to ${dataDir}, owned ${owner}: its blocks while ${p.container} runs, then, ${p.container} stopped gracefully, what changed since (WAL, head chunks, blocks compaction made or deleted)`);
    }
  }
  // one recreate for the data mount and the flags together
  const args = wantedPrometheusArgs(f.args, p);
  let spec: ContainerSpec | undefined;
  if (move || JSON.stringify(args) !== JSON.stringify(f.args)) {
    const cannot = unmodelled(ins.raw);
    if (cannot.length) throw new TaskFailure(`${p.container} uses settings skiff cannot carry over when recreating it (${cannot.join(', ')})`);
    spec = { ...specFromFacts(f, image), args };
    if (move) spec.mounts = [...spec.mounts.filter((m) => m.target !== tsdb), { source: dataDir, target: tsdb, ro: false, options: ['z'], kind: 'bind' }];
    const added = args.filter((a) => !f.args.includes(a)).map((a) => `args: + ${a}`);
    changes.push(`recreate container ${p.container}: ${[...(move ? [`mounts: + ${dataDir}:${tsdb}`] : []), ...added].join('; ')}`);
  }
  // external labels: the generated config and the template it is generated from
  const want = { ...p.labels, [p.replica_label]: p.replica };
  const inside = configFile(f.args);
  const cfg = hostPathOf(f.mounts, inside);
  if (!cfg.hostPath) throw new TaskFailure(`${p.container}'s config ${inside} is not on a host mount`);
  const edits: FileEdit[] = [];
  // mounted alone (start-all.sh's -v .../prometheus.yml:/etc/prometheus/prometheus.yml): the container
  // keeps the inode it was started with, so without a recreate the file is written in place
  const inPlace = !spec && cfg.mount?.target === cleanPath(inside);
  // the config, its template, the note below (and what an interrupted in-place write left) in one round trip
  const notePath = `${dataDir}/skiff-start-all.txt`;
  const files = await readFilesWithContent(ctx.conn, [cfg.hostPath, templateOf(cfg.hostPath), move ? undefined : notePath, inPlace ? inPlaceNext(cfg.hostPath) : undefined].filter((x): x is string => !!x));
  // the live labels (when no recreate makes them live anyway) and the build info, in one round trip
  const answers = await curlAll(ctx.conn, [`${url}/api/v1/status/buildinfo`, ...(spec ? [] : [`${url}/api/v1/status/config`])]);
  const [build, liveAnswer] = [answers[0], answers[1] as HttpAnswer | undefined];
  for (const path of [cfg.hostPath, templateOf(cfg.hostPath)]) {
    if (!path) continue;
    const ff = files.get(path)!;
    if (!ff.exists) {
      if (path === cfg.hostPath) throw new TaskFailure(`${path} is missing, expected ${p.container}'s config`);
      continue;
    }
    // a write in place cut short: finished from the whole copy beside it
    const left = path === cfg.hostPath && inPlace ? inPlaceLeftover(ff.content, files.get(inPlaceNext(path))?.content) : undefined;
    const after = withExternalLabels(left ?? ff.content!, want, path);
    if (after !== ff.content || left !== undefined) edits.push({ path, before: ff.content!, after, inPlace: path === cfg.hostPath && inPlace });
    if (left !== undefined) changes.push(`finish the interrupted in-place write of ${path} (the whole new content is in ${inPlaceNext(path)})`);
  }
  const shown = Object.entries(want).map(([k, x]) => `${k}=${x}`).join(', ');
  for (const e of edits) if (e.before !== e.after) changes.push(`set external labels ${shown} in ${e.path}${e.inPlace ? ' (in place: the same inode, which the container has mounted; checked with promtool first)' : ''}`);
  let live: State['live'];
  if (!spec) {
    const have = liveAnswer && labelsIn(liveAnswer);
    if (edits.some((e) => e.path === cfg.hostPath) || !same(want, have)) {
      // never a restart: a restart replays the WAL (minutes on a big Prometheus) and misses scrapes; the
      // file the container reads holds the new config once written (in place under a single-file
      // mount), and the lifecycle API is there (else the recreate above adds it)
      live = 'reload';
      changes.push(`reload ${p.container} (POST /-/reload, no restart) to make the labels live (${have ? `now: ${JSON.stringify(have)}` : 'config API not answering'})`);
    }
  }
  // what keeps it: the start-all.sh options, next to Scylla's scylla.txt
  const options = startAllOptions(dataDir, args, f.network);
  const noteText = `# Written by skiff (prepare-prometheus). Run start-all.sh with these options, or a rerun of it\n# loses what thanos.yml set up (Thanos sidecar data, block flags):\nSTART_ALL_OPTIONS="${options}"\n`;
  const old = move ? undefined : files.get(notePath);
  if (!old || old.content !== noteText) changes.push(`write ${notePath}: start-all.sh ${options}`);
  const diff = [
    ...(spec ? [containerDiff(p.engine, p.container, specFromFacts(f, image), spec)] : []),
    ...edits.map((e) => fileDiff(e.path, e.before, e.after)),
  ].join('\n');
  const view = sidecarView(spec ? { ...f, network: spec.network ?? f.network } : f);
  let version: string | undefined;
  try {
    version = (JSON.parse(build.body) as { data?: { version?: string } }).data?.version;
  } catch {
    version = undefined;
  }
  return {
    changes,
    diff: diff || undefined,
    state: { facts: f, spec, tsdb, dataDir, owner, move, edits, live, url, want, note: { path: notePath, before: old?.content, after: noteText } },
    result: { data_dir: dataDir, tsdb_path: tsdb, user: owner, userns: f.userns, start_all_options: options, labels: want, network: view?.network, sidecar_prometheus_url: view?.prometheus_url, prometheus_version: version },
  };
}

async function applyPlan(ctx: TaskContext, p: Params, st: State, result: Record<string, unknown> | undefined): Promise<Record<string, unknown> | undefined> {
  for (const e of st.edits) {
    if (e.inPlace) await writeFileInPlace(ctx.conn, e.path, e.after, { script: promtoolCheck(p.engine, p.container), what: `promtool check config in ${p.container}` });
    else await writeFileAtomic(ctx.conn, e.path, e.after);
  }
  if (st.spec) {
    const E = shq(p.engine);
    const D = shq(st.dataDir);
    const owner = shq(st.owner);
    const src = shq(`${p.container}:${st.tsdb}/.`);
    const copy = st.move === 'copy';
    // the copy is made beside the target and renamed over the (empty) target only when whole: a
    // crash mid-copy leaves no half TSDB where Prometheus would read it. A .skiff-copy found
    // before creating is such a half copy, a duplicate of what is still in the container: removed
    const T = shq(`${st.dataDir}.skiff-copy`);
    await recreate(ctx.conn, {
      engine: p.engine,
      spec: st.spec,
      exists: true,
      stopTimeout: p.stop_timeout,
      // the blocks (most of the TSDB) while aprom still runs: the time it is blind does not grow with its history
      beforeCreate: copy
        ? `rm -rf -- ${T}; if [ -d ${D} ] && [ -n "$(ls -A -- ${D})" ]; then echo "${st.dataDir} is not empty: refusing to copy into it" >&2; exit 1; fi; mkdir -p -- ${D} && chown ${owner} -- ${D} || exit 1\n` +
          `( ${precopyScript(p.engine, st.facts, st.tsdb, `${st.dataDir}.skiff-copy`, st.owner)}\n) || { rm -rf -- ${T}; exit 1; }`
        : undefined,
      beforeCreateText: copy ? `copying the TSDB of ${p.container} (its blocks, while it runs)` : undefined,
      afterStop: copy
        ? // chown only what is not the owner's yet: a linked block is the owner's already (tsdb-copy.ts)
          `( ${syncScript(p.engine, st.facts, st.tsdb, `${st.dataDir}.skiff-copy`, st.owner)}\n) && find ${T} \\( ! -uid ${st.owner.split(':')[0]} -o ! -gid ${st.owner.split(':')[1]} \\) -exec chown -h ${owner} {} + && mv -T -- ${T} ${D}`
        : st.move === 'reattach'
          ? // the history may be another user's (start-all.sh -d runs Prometheus as -u 0:0, without -d
            // as the image's nobody): it becomes the owner of the process that is to write it
            `aside=${D}.skiff-interim-$(date +%Y%m%d%H%M%S) && mkdir -p -- "$aside" && ${E} cp ${src} "$aside"/ && echo "set aside: $aside" >&2 && chown -R ${owner} -- ${D}`
          : undefined,
      afterStopTimeout: p.copy_timeout,
      afterStopText: copy ? `copying the TSDB of ${p.container}` : `setting aside the TSDB ${p.container} wrote since`,
      progress: ctx.progress,
      // a copy is a duplicate (the old container keeps the original): set it aside, never delete
      onRollback: copy ? `rm -rf -- ${T}; if [ -d ${D} ] && [ -n "$(ls -A -- ${D})" ]; then aside=${D}.skiff-failed-$(date +%Y%m%d%H%M%S); mv -- ${D} "$aside" && echo "the partial copy was moved to $aside" >&2; fi` : undefined,
      readyUrl: `${st.url}/-/ready`,
      readyTimeout: p.ready_timeout,
    });
  }
  if (st.spec || st.live) {
    await waitReady(ctx.conn, `${st.url}/-/ready`, p.ready_timeout, ctx.progress);
    // a started Prometheus has read the edited config already (it is ready only after that); a
    // reload as well would wait for every scrape loop to stop: up to a scrape interval (20 s in
    // Scylla Monitoring's config), for nothing
    if (st.live === 'reload') {
      const r = await curl(ctx.conn, 'POST', `${st.url}/-/reload`, 60);
      if (r.status !== 200) throw new TaskFailure(`POST ${st.url}/-/reload answered ${r.status || 'nothing'} (is --web.enable-lifecycle there?): ${r.body.trim().slice(0, 200)}`);
    }
    const have = await liveLabels(ctx, st.url);
    if (!same(st.want, have)) throw new TaskFailure(`external labels not live in ${p.container}: config API shows ${JSON.stringify(have)}`);
  }
  if (st.note.before !== st.note.after) await writeFileAtomic(ctx.conn, st.note.path, st.note.after, { mode: '0644' });
  return result;
}
