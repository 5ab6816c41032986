// Reading a container (docker or podman) in one round trip, and normalizing both engines' inspect
// JSON to one shape (ContainerFacts), so the rest compares facts, never an engine's format.
//
// Pure parts (normalizeInspect, imageDefaults, parseInspectOutput, inspectScript) are unit-tested
// in test/unit/container-inspect.test.ts without a host.
import { shq } from '../../../src/transport/quote.ts';
import type { Connection } from '../../../src/transport/types.ts';
import { TaskFailure, type FactRead, type FactSource, type TaskContext } from '../../../src/engine/task-type.ts';
import { formatPort, normIp, trimSlash, type ContainerFacts, type Engine, type Mount, type PortMap } from './spec.ts';

// ---------------------------------------------------------------------------------------------
// inspect JSON -> facts

type Json = Record<string, any>;

const asArray = (x: unknown): string[] => (Array.isArray(x) ? x.map(String) : typeof x === 'string' && x !== '' ? [x] : []);

/**
 * The command line after the image (`docker run IMAGE ARGS...`): [Path, ...Args] without the image's
 * entrypoint. Podman 4 reports Config.Entrypoint as one space-joined string, podman 5 and docker as
 * an array.
 */
function argsAfterEntrypoint(j: Json): string[] {
  const full = [String(j.Path ?? ''), ...asArray(j.Args)].filter((x, i) => i > 0 || x !== '');
  const ep = j.Config?.Entrypoint;
  if (Array.isArray(ep)) {
    const e = ep.map(String);
    if (e.length && e.every((x, i) => full[i] === x)) return full.slice(e.length);
    return e.length ? asArray(j.Config?.Cmd) : full;
  }
  if (typeof ep === 'string' && ep !== '') {
    for (let k = 1; k <= full.length; k++) if (full.slice(0, k).join(' ') === ep) return full.slice(k);
    return asArray(j.Config?.Cmd);
  }
  return full;
}

function mountsOf(j: Json, format: Engine): Mount[] {
  const out: Mount[] = [];
  for (const m of (j.Mounts ?? []) as Json[]) {
    const type = String(m.Type ?? 'bind');
    const target = trimSlash(String(m.Destination ?? ''));
    const ro = m.RW === false;
    // docker: Mode is what followed -v's second colon ("z", "ro,Z"); podman: Mode sometimes holds
    // z/Z too, Options the mount options (["rbind"], ["nosuid","nodev","rbind"])
    const raw = [...String(m.Mode ?? '').split(','), ...(format === 'podman' ? asArray(m.Options) : [])];
    const options = raw.filter((o) => o && o !== 'ro' && o !== 'rw');
    if (type === 'bind') out.push({ source: trimSlash(String(m.Source)), target, ro, options, kind: 'bind' });
    else if (type === 'volume') {
      const name = String(m.Name ?? m.Source ?? '');
      out.push({ source: name, target, ro, options, kind: /^[0-9a-f]{64}$/.test(name) ? 'anonymous' : 'volume' });
    } else out.push({ source: String(m.Source ?? ''), target, ro, options, kind: 'other' });
  }
  // inspect's Mounts come in no fixed order (a Go map): in the order of -v as the container was made
  // (HostConfig.Binds), then by target, so the same container gives the same diff every time
  const binds = asArray(j.HostConfig?.Binds).map((b) => trimSlash(String(b).split(':')[1] ?? ''));
  const rank = (m: Mount) => (binds.indexOf(m.target) + binds.length + 1) % (binds.length + 1);
  return out.sort((a, b) => rank(a) - rank(b) || a.target.localeCompare(b.target));
}

function portsOf(j: Json): PortMap[] {
  const out: PortMap[] = [];
  const pb = (j.HostConfig?.PortBindings ?? {}) as Record<string, { HostIp?: string; HostPort?: string }[] | null>;
  for (const [key, binds] of Object.entries(pb)) {
    const [containerPort, proto = 'tcp'] = key.split('/');
    for (const b of binds ?? []) out.push({ hostIp: normIp(b.HostIp ?? ''), hostPort: String(b.HostPort ?? ''), containerPort, proto });
  }
  return out.sort((a, b) => formatPort(a).localeCompare(formatPort(b)));
}

/**
 * Rootless Podman reports `--userns=keep-id` only as its id mappings (UsernsMode says "private"):
 * the operator's uid N inside maps to the rootless namespace's 0 (the operator outside), "N:0:1".
 */
const isKeepId = (m: unknown) => asArray(m).some((x) => /^([1-9]\d*):0:1$/.test(x));

function usernsOf(j: Json, format: Engine): string {
  const hc = (j.HostConfig ?? {}) as Json;
  if (format === 'podman') return isKeepId(hc.IDMappings?.UidMap) ? 'keep-id' : '';
  return String(hc.UsernsMode ?? '');
}

export function normNetwork(n: string | undefined): string {
  if (n === undefined || n === '' || n === 'default') return 'bridge';
  return n;
}

/** One container from `ENGINE container inspect NAME` (the array or its first element). */
export function normalizeInspect(raw: unknown): ContainerFacts {
  const j = (Array.isArray(raw) ? raw[0] : raw) as Json;
  if (!j || typeof j !== 'object') throw new Error('inspect output is not a container');
  const format: Engine = typeof j.ImageName === 'string' || !String(j.Name ?? '').startsWith('/') ? 'podman' : 'docker';
  const env: Record<string, string> = {};
  for (const e of asArray(j.Config?.Env)) {
    const at = e.indexOf('=');
    if (at > 0) env[e.slice(0, at)] = e.slice(at + 1);
  }
  return {
    id: String(j.Id ?? ''),
    name: String(j.Name ?? '').replace(/^\//, ''),
    image: String(format === 'podman' ? (j.ImageName ?? j.Config?.Image ?? '') : (j.Config?.Image ?? '')),
    imageId: String(j.Image ?? ''),
    args: argsAfterEntrypoint(j),
    env,
    labels: Object.fromEntries(Object.entries((j.Config?.Labels ?? {}) as Record<string, unknown>).map(([k, x]) => [k, String(x)])),
    mounts: mountsOf(j, format),
    ports: portsOf(j),
    network: normNetwork(j.HostConfig?.NetworkMode),
    user: String(j.Config?.User ?? ''),
    userns: usernsOf(j, format),
    restart: String(j.HostConfig?.RestartPolicy?.Name || 'no'),
    extraHosts: asArray(j.HostConfig?.ExtraHosts),
    workdir: String(j.Config?.WorkingDir ?? '') || undefined,
    running: j.State?.Running === true,
    status: String(j.State?.Status ?? ''),
    format,
  };
}

/** Env and labels an image sets itself, from `ENGINE image inspect` (to tell them from the container's own). */
export function imageDefaults(raw: unknown): { env: Record<string, string>; labels: Record<string, string> } {
  const j = (Array.isArray(raw) ? raw[0] : raw) as Json | undefined;
  const cfg = (j?.Config ?? {}) as Json;
  const env: Record<string, string> = {};
  for (const e of asArray(cfg.Env)) {
    const at = e.indexOf('=');
    if (at > 0) env[e.slice(0, at)] = e.slice(at + 1);
  }
  const labels = Object.fromEntries(Object.entries((cfg.Labels ?? j?.Labels ?? {}) as Record<string, unknown>).map(([k, x]) => [k, String(x)]));
  return { env, labels };
}

/** Settings of the running container that a recreate from specFromFacts() would not keep. */
export function unmodelled(raw: unknown): string[] {
  const j = (Array.isArray(raw) ? raw[0] : raw) as Json;
  const hc = (j?.HostConfig ?? {}) as Json;
  const out: string[] = [];
  if (Array.isArray(hc.CapAdd) && hc.CapAdd.length) out.push(`capabilities ${hc.CapAdd.join(' ')}`);
  if (hc.Memory) out.push(`memory limit ${hc.Memory}`);
  if (hc.NanoCpus || hc.CpuQuota) out.push('cpu limit');
  if (hc.Privileged) out.push('privileged');
  const idmap = hc.IDMappings?.UidMap;
  if (asArray(idmap).length && !isKeepId(idmap)) out.push(`user namespace mappings ${asArray(idmap).join(' ')}`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// reading from a host

export interface Inspected {
  /** undefined: no such container */
  facts?: ContainerFacts;
  /** NAME-skiff-new / NAME-skiff-old as they are, when an interrupted recreate left them */
  leftoverFacts?: Record<string, ContainerFacts>;
  raw?: unknown;
  /** env/labels of the container's own image */
  image?: { env: Record<string, string>; labels: Record<string, string> };
  /** whether the wanted image is present on the host (when asked) */
  wantedImagePresent?: boolean;
  /** names of leftover containers from an interrupted recreate */
  leftovers: string[];
}

/** A task that works on an existing container (Prometheus' own) fails when it is not there. */
export function mustExist(ins: Inspected, name: string, engine: Engine): asserts ins is Inspected & { facts: ContainerFacts } {
  if (!ins.facts) throw new TaskFailure(`container ${name} does not exist (${engine})`);
}

/**
 * Scylla Monitoring's own Thanos containers (`start-all.sh --thanos-sc`: sidecar1; `--thanos`:
 * thanos) use the same ports as skiff's: stop with a message that names them, never a port collision.
 */
export async function refuseScyllaThanos(ctx: Pick<TaskContext, 'conn' | 'cache'>, engine: Engine, name: string, option: string): Promise<void> {
  const cached = ctx.cache?.get(CONTAINER_FACTS.key({ engine, name })) as Inspected | undefined;
  let status = cached?.facts?.status;
  if (!cached) {
    const r = await ctx.conn.exec(`${shq(engine)} container inspect -f '{{.State.Status}}' ${shq(name)} 2>/dev/null`);
    if (r.code === 0) status = r.stdout.trim();
  }
  if (status === undefined) return;
  throw new TaskFailure(
    `container ${name} (${status}) was started by Scylla Monitoring's start-all.sh ${option}; it uses the ports skiff's container needs. Rerun start-all.sh without ${option} (kill-all.sh removes ${name}), or remove it: ${engine} rm -f ${name}`,
  );
}

const SEP = '--skiff-sep--';

/**
 * The lock a recreate of NAME holds on the host while it runs (recreate.ts): in the operator's own
 * runtime (or cache) directory, never a shared /tmp name another user could plant. Two shell
 * lines: $SKIFF_LOCK is set by the first.
 */
export function lockLines(engine: Engine, name: string): string[] {
  return [`SKIFF_LOCK_DIR="\${XDG_RUNTIME_DIR:-$HOME/.cache}/skiff"`, `SKIFF_LOCK="$SKIFF_LOCK_DIR"/${shq(`recreate-${engine}-${name}.lock`)}`];
}

/** Seconds a reader waits for a recreate still running on the host (one begun by a skiff that died). */
export const LOCK_WAIT = 900;

/**
 * A script whose body runs holding NAME's lock (waited for, bounded), with SIGPIPE and SIGHUP
 * ignored so a lost connection or a dead skiff does not stop it half-way. The lock's descriptor is
 * closed for the body: a daemon an engine starts (podman's conmon) would otherwise inherit it and
 * hold the lock for the container's life. Exit 18: lock not had; 19: no lock directory.
 */
export function underLock(engine: Engine, name: string, body: string[]): string {
  return [
    `trap '' PIPE HUP`,
    ...lockLines(engine, name),
    `mkdir -p "$SKIFF_LOCK_DIR" && chmod 700 "$SKIFF_LOCK_DIR" && exec 9>>"$SKIFF_LOCK" || exit 19`,
    `flock -w ${LOCK_WAIT} 9 || { echo "another skiff holds $SKIFF_LOCK" >&2; exit 18; }`,
    `(`,
    ...body,
    `) 9>&-`,
  ].join('\n');
}

/**
 * Shell that prints the inspect JSON of NAME ([] when missing), of its image, whether IMAGE is
 * present, and the inspect JSON of any NAME-skiff-new/-old. It first waits for a recreate of NAME
 * still running on the host (its lock): what it reads is then what that recreate left.
 */
export function inspectScript(engine: Engine, name: string, wantImage?: string): string {
  const E = shq(engine);
  const N = shq(name);
  return [
    ...lockLines(engine, name),
    `if [ -e "$SKIFF_LOCK" ] && ! flock -w ${LOCK_WAIT} "$SKIFF_LOCK" true; then echo "a recreate of ${name} still holds $SKIFF_LOCK after ${LOCK_WAIT} s" >&2; exit 4; fi`,
    `if out=$(${E} container inspect ${N} 2>&1); then printf '%s\\n' "$out"; else`,
    `  case "$out" in *[Nn]o\\ such*|*"no container with name"*) echo '[]';; *) printf '%s\\n' "$out" >&2; exit 3;; esac; fi`,
    `echo ${SEP}`,
    `id=$(${E} container inspect -f '{{.Image}}' ${N} 2>/dev/null) && [ -n "$id" ] && ${E} image inspect "$id" 2>/dev/null || echo '[]'`,
    `echo ${SEP}`,
    wantImage ? `if ${E} image inspect ${shq(wantImage)} >/dev/null 2>&1; then echo present; else echo missing; fi` : 'echo unknown',
    `echo ${SEP}`,
    `for n in ${shq(`${name}-skiff-new`)} ${shq(`${name}-skiff-old`)}; do if j=$(${E} container inspect "$n" 2>/dev/null); then echo "$n"; printf '%s\\n' "$j" | tr -d '\\n'; echo; fi; done; true`,
  ].join('\n');
}

export function parseInspectOutput(stdout: string): Inspected {
  const [c, img, want, left] = stdout.split(`${SEP}\n`);
  const arr = JSON.parse(c || '[]') as unknown[];
  const lines = (left ?? '').split('\n').filter(Boolean);
  const out: Inspected = { leftovers: [] };
  for (let i = 0; i < lines.length; i++) {
    // "NAME" then its inspect JSON on one line (older output: names only)
    const name = lines[i];
    out.leftovers.push(name);
    if (lines[i + 1]?.startsWith('[')) {
      (out.leftoverFacts ??= {})[name] = normalizeInspect(JSON.parse(lines[++i]));
    }
  }
  if (Array.isArray(arr) && arr.length) {
    out.facts = normalizeInspect(arr);
    out.raw = arr[0];
    try {
      out.image = imageDefaults(JSON.parse(img || '[]'));
    } catch {
      out.image = { env: {}, labels: {} };
    }
  }
  const w = (want ?? '').trim();
  if (w === 'present' || w === 'missing') out.wantedImagePresent = w === 'present';
  return out;
}

// ---------------------------------------------------------------------------------------------
// read ahead: many containers in two engine calls

export interface ContainerQuery {
  engine: Engine;
  name: string;
  /** the image the task wants: whether it is present is read too */
  image?: string;
}

const LEFTOVERS = ['-skiff-new', '-skiff-old'];
const NOT_THERE = /no such container|no container with name/i;

/**
 * Pure: shell reading every queried container of one engine (and its recreate leftovers) with ONE
 * `container inspect` (a JSON line each; the errors of those missing on the same output), their
 * images and the wanted ones with ONE `image inspect` (each wanted image again alone only when that
 * fails). The engine CLI's start is what a read costs (~30 ms Docker, ~150 ms Podman), not the round
 * trip. A recreate running on the host (its lock held) makes it fail at once: the tasks then read
 * for themselves, waiting for it as inspectScript does.
 */
export function batchInspectScript(engine: Engine, qs: ContainerQuery[]): string {
  const E = shq(engine);
  const names = [...new Set(qs.map((q) => q.name))];
  const wanted = [...new Set(qs.flatMap((q) => (q.image ? [q.image] : [])))];
  const all = names.flatMap((n) => [n, ...LEFTOVERS.map((x) => n + x)]);
  return [
    ...names.flatMap((n) => [...lockLines(engine, n), `if [ -e "$SKIFF_LOCK" ] && ! flock -n "$SKIFF_LOCK" true; then echo "a recreate of ${n} holds $SKIFF_LOCK" >&2; exit 4; fi`]),
    `out=$(${E} container inspect --format '{{json .}}' ${all.map(shq).join(' ')} 2>&1); printf '%s\\n' "$out"`,
    `echo ${SEP}`,
    // the image of each container found, by id (Docker sha256:HEX, Podman HEX): the last such "Image" of a
    // Docker JSON line, Podman's own line (a container's Config.Image is a name)
    `ids=$(printf '%s\\n' "$out" | sed -n 's/.*"Image": *"\\(sha256:\\)\\{0,1\\}\\([0-9a-f]\\{64\\}\\)".*/\\2/p' | sort -u)`,
    `rc=0; if [ -n "$ids" ]${wanted.length ? ' || true' : ''}; then ${E} image inspect --format '{{json .}}' $ids ${wanted.map(shq).join(' ')} 2>/dev/null; rc=$?; fi; echo "rc $rc"`,
    `echo ${SEP}`,
    ...(wanted.length ? [`if [ $rc -ne 0 ]; then`, ...wanted.map((w, i) => `  ${E} image inspect --format x ${shq(w)} >/dev/null 2>&1; echo "${i} $?"`), `fi`] : []),
  ].join('\n');
}

/**
 * The objects an inspect printed with its errors on the same output: Docker prints a JSON line each
 * for --format '{{json .}}', Podman 4 its usual indented array (it ignores that format); errors are
 * lines of their own, after the JSON.
 */
function objectsIn(text: string): { objects: unknown[]; errors: string[] } {
  const lines = text.split('\n').filter((l) => l.trim());
  const errors = lines.filter((l) => /^(error|Error)\b/.test(l));
  const json = lines.filter((l) => !/^(error|Error)\b/.test(l));
  if (json[0]?.trim() === '[') return { objects: JSON.parse(json.join('\n')) as unknown[], errors };
  return { objects: json.map((l) => JSON.parse(l) as unknown), errors };
}

/** Pure: what batchInspectScript printed, as inspectContainer's answer per query (by cache key). */
export function parseBatchInspect(stdout: string, engine: Engine, qs: ContainerQuery[]): Map<string, Inspected> {
  const [cs, imgs, each] = stdout.split(`${SEP}\n`);
  if (each === undefined) throw new Error('inspect output cut short');
  const names = [...new Set(qs.map((q) => q.name))];
  const byName = new Map<string, { facts: ContainerFacts; raw: unknown }>();
  const c = objectsIn(cs);
  for (const raw of c.objects) {
    const facts = normalizeInspect(raw);
    byName.set(facts.name, { facts, raw });
  }
  const missing = c.errors.filter((l) => NOT_THERE.test(l)).length;
  if (missing < c.errors.length) throw new Error(`${engine} container inspect: ${c.errors.join(' | ')}`);
  // every name answered for, found or missing: an engine that stopped at the first missing one says less
  if (byName.size + missing !== names.length * (1 + LEFTOVERS.length)) throw new Error('not every container answered for');
  const image = new Map<string, { env: Record<string, string>; labels: Record<string, string> }>();
  const ilines = imgs.split('\n');
  for (const raw of objectsIn(ilines.filter((l) => !/^rc \d+$/.test(l)).join('\n')).objects) image.set(String((raw as { Id?: string }).Id ?? '').replace(/^sha256:/, ''), imageDefaults(raw));
  const allThere = ilines.includes('rc 0');
  const wanted = [...new Set(qs.flatMap((q) => (q.image ? [q.image] : [])))];
  const present = new Map(each.split('\n').filter(Boolean).map((l) => l.split(' ')).map(([i, rc]) => [wanted[Number(i)], rc === '0']));
  const out = new Map<string, Inspected>();
  for (const q of qs) {
    const ins: Inspected = { leftovers: [] };
    for (const n of LEFTOVERS.map((x) => q.name + x)) {
      const l = byName.get(n);
      if (!l) continue;
      ins.leftovers.push(n);
      (ins.leftoverFacts ??= {})[n] = l.facts;
    }
    const c = byName.get(q.name);
    if (c) {
      ins.facts = c.facts;
      ins.raw = c.raw;
      ins.image = image.get(c.facts.imageId.replace(/^sha256:/, '')) ?? { env: {}, labels: {} };
    }
    if (q.image) {
      const p = allThere || present.get(q.image);
      if (p === undefined) throw new Error(`no answer for image ${q.image}`);
      ins.wantedImagePresent = p;
    }
    out.set(CONTAINER_FACTS.key(q), ins);
  }
  return out;
}

/** Containers as the engine reads them ahead for several tasks (read-ahead.ts): Inspected by key. */
export const CONTAINER_FACTS: FactSource<ContainerQuery> = {
  key: (q) => `container:${q.engine}:${q.name}:${q.image ?? ''}`,
  script: (qs) => {
    const engines = [...new Set(qs.map((q) => q.engine))];
    return engines.map((e) => `echo ${shq(`@engine ${e}`)}\n${batchInspectScript(e, qs.filter((q) => q.engine === e))}`).join('\n');
  },
  parse(stdout, qs) {
    const out = new Map<string, unknown>();
    for (const part of stdout.split(/^@engine /m).slice(1)) {
      const nl = part.indexOf('\n');
      const engine = part.slice(0, nl) as Engine;
      for (const [k, x] of parseBatchInspect(part.slice(nl + 1), engine, qs.filter((q) => q.engine === engine))) out.set(k, x);
    }
    return out;
  },
};

/** A task's `reads`: these containers. */
export const containerReads = (...qs: ContainerQuery[]): FactRead<ContainerQuery>[] => qs.map((query) => ({ source: CONTAINER_FACTS, query }));

/** inspectContainer, answered from what the engine read ahead when it has it (and nothing changed since). */
export async function inspectOf(ctx: Pick<TaskContext, 'conn' | 'cache'>, engine: Engine, name: string, wantImage?: string): Promise<Inspected> {
  const cached = ctx.cache?.get(CONTAINER_FACTS.key({ engine, name, image: wantImage })) as Inspected | undefined;
  return cached ?? inspectContainer(ctx.conn, engine, name, wantImage);
}

/** One round trip: the container (or its absence), its image's defaults, the wanted image's presence. */
export async function inspectContainer(conn: Connection, engine: Engine, name: string, wantImage?: string): Promise<Inspected> {
  const r = await conn.exec(inspectScript(engine, name, wantImage), { timeoutMs: 60_000 });
  if (r.code !== 0) {
    const msg = (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ');
    if (r.code === 127 || /not found/.test(msg)) throw new TaskFailure(`${engine} is not installed on ${conn.host} (${msg})`);
    throw new TaskFailure(`cannot inspect container ${name} with ${engine}: ${msg || `exit ${r.code}`}`);
  }
  try {
    return parseInspectOutput(r.stdout);
  } catch (e) {
    throw new TaskFailure(`cannot read ${engine} inspect output for ${name}: ${(e as Error).message}`);
  }
}
