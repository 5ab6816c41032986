// The container helper: read a container (docker or podman) in one round trip, normalize both
// engines' inspect JSON to one shape, compare it with the wanted container field by field, and
// recreate it safely (image first, new container created before the old one is stopped, old one
// kept under another name until the new one runs, rolled back otherwise).
//
// Pure parts (normalizeInspect, compareContainer, createArgv, recreateScript, parse*) are unit-tested
// in test/unit/container.test.ts without a host.
import { diffArrays } from 'diff';
import * as v from 'valibot';
import { shJoin, shq } from '../../src/transport/quote.ts';
import type { Connection } from '../../src/transport/types.ts';
import { TaskFailure } from '../../src/engine/task-type.ts';

export type Engine = 'docker' | 'podman';
export const EngineSchema = v.optional(v.picklist(['docker', 'podman'], 'expected docker or podman'), 'docker');

export interface Mount {
  /** host path (bind), volume name (volume) or volume id (anonymous, declared by the image) */
  source: string;
  target: string;
  ro: boolean;
  /** as written after the second colon of -v, minus ro/rw: z, Z, rprivate... (not compared) */
  options: string[];
  kind: 'bind' | 'volume' | 'anonymous' | 'other';
}

export interface PortMap {
  /** '' = every address */
  hostIp: string;
  hostPort: string;
  containerPort: string;
  proto: string;
}

/** What skiff manages of a container; everything else is left to the engine's defaults. */
export interface ContainerSpec {
  name: string;
  image: string;
  args: string[];
  env: Record<string, string>;
  labels: Record<string, string>;
  mounts: Mount[];
  ports: PortMap[];
  /** undefined: the engine's default (not compared) */
  network?: string;
  user?: string;
  restart?: string;
  /** --add-host NAME:IP entries (compared when wanted) */
  extraHosts?: string[];
}

export interface ContainerFacts extends ContainerSpec {
  id: string;
  imageId: string;
  running: boolean;
  status: string;
  /** which inspect format it was read from */
  format: Engine;
  network: string;
  user: string;
  restart: string;
  extraHosts: string[];
  /** the image's (or container's) working directory: where a relative path in its args points */
  workdir?: string;
}

// ---------------------------------------------------------------------------------------------
// parsing what users write

/** `SRC:DST[:OPTS]`, as `-v` takes it. SRC starting with / (or .) is a host path, else a volume name. */
export function parseMount(s: string): Mount {
  const parts = s.split(':');
  if (parts.length < 2 || parts.length > 3 || !parts[0] || !parts[1]) throw new Error(`expected SOURCE:TARGET[:OPTIONS], got ${JSON.stringify(s)}`);
  if (!parts[1].startsWith('/')) throw new Error(`mount target must be an absolute path in ${JSON.stringify(s)}`);
  const opts = parts[2] ? parts[2].split(',').filter(Boolean) : [];
  return {
    source: parts[0],
    target: trimSlash(parts[1]),
    ro: opts.includes('ro'),
    options: opts.filter((o) => o !== 'ro' && o !== 'rw'),
    kind: parts[0].startsWith('/') ? 'bind' : 'volume',
  };
}

export function formatMount(m: Mount): string {
  const opts = [...(m.ro ? ['ro'] : []), ...m.options];
  return `${m.source}:${m.target}${opts.length ? `:${opts.join(',')}` : ''}`;
}

/** `[IP:]HOSTPORT:CONTAINERPORT[/PROTO]`; a published port must name its host port (idempotence). */
export function parsePort(s: string): PortMap {
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[0-9.]+):)?(\d+):(\d+)(?:\/(tcp|udp|sctp))?$/.exec(s);
  if (!m) throw new Error(`expected [IP:]HOST_PORT:CONTAINER_PORT[/tcp|udp], got ${JSON.stringify(s)}`);
  return { hostIp: normIp(m[1] ?? ''), hostPort: m[2], containerPort: m[3], proto: m[4] ?? 'tcp' };
}

export function formatPort(p: PortMap): string {
  return `${p.hostIp ? `${p.hostIp}:` : ''}${p.hostPort}:${p.containerPort}${p.proto === 'tcp' ? '' : `/${p.proto}`}`;
}

const normIp = (ip: string) => (ip === '0.0.0.0' || ip === '::' || ip === '[::]' ? '' : ip);
const trimSlash = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p);

export const MountSchema = v.pipe(
  v.string(),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    try {
      return parseMount(dataset.value);
    } catch (e) {
      addIssue({ message: (e as Error).message });
      return NEVER;
    }
  }),
);
export const PortSchema = v.pipe(
  v.union([v.string(), v.number()]),
  v.transform(String),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    try {
      return parsePort(dataset.value);
    } catch (e) {
      addIssue({ message: (e as Error).message });
      return NEVER;
    }
  }),
);

/**
 * A pinned image: NAME:TAG (or NAME@sha256:...), never :latest and never untagged (an untagged
 * image *is* :latest): what runs would depend on when it was pulled.
 */
/** Docker's own rule for container names; also keeps every name free of shell metacharacters. */
export const ContainerName = v.pipe(v.string(), v.regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'expected a container name (letters, digits, _ . -)'));

export const PinnedImage = v.pipe(
  v.string(),
  v.minLength(1, 'expected an image'),
  v.regex(/^[A-Za-z0-9][A-Za-z0-9._\/:@+-]*$/, 'expected an image reference (letters, digits, . _ / : @ + -)'),
  v.check((s) => !/\s/.test(s), 'expected an image reference without spaces'),
  v.check((s) => s.includes('@sha256:') || /:[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(s.slice(s.lastIndexOf('/') + 1)), 'expected a pinned image NAME:TAG (e.g. quay.io/thanos/thanos:v0.39.2): an untagged image is :latest'),
  v.check((s) => !/:latest$/.test(s), 'expected a pinned tag, not :latest (what would run depends on when it was pulled)'),
);

export const StringMap = v.pipe(
  v.record(v.string(), v.union([v.string(), v.number(), v.boolean()])),
  v.transform((r) => Object.fromEntries(Object.entries(r).map(([k, x]) => [k, String(x)]))),
);

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
  return out;
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

// ---------------------------------------------------------------------------------------------
// compare

/** docker.io/library/x:tag == x:tag; no tag == :latest. */
export function normImage(ref: string): string {
  let r = ref.trim();
  const last = r.slice(r.lastIndexOf('/') + 1);
  if (!r.includes('@') && !last.includes(':')) r += ':latest';
  r = r.replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '');
  r = r.replace(/^library\//, '');
  return r;
}

export function isHostNetwork(n: string | undefined): boolean {
  return n === 'host';
}

/**
 * What differs between the wanted container and the one that runs, one line each; [] = same.
 * Compared: image, args (order matters), bind/named mounts (source, target, ro; not z/Z, which
 * only relabel at creation), published ports (not with host networking: none are published),
 * network/user/restart when wanted, and only the env keys and labels skiff sets (images add
 * their own: PATH, org.opencontainers.*). Anonymous volumes the image declares are not compared.
 */
export function compareContainer(want: ContainerSpec, have: ContainerFacts): string[] {
  const out: string[] = [];
  if (normImage(want.image) !== normImage(have.image)) out.push(`image: ${have.image} -> ${want.image}`);
  if (JSON.stringify(want.args) !== JSON.stringify(have.args)) {
    const left = [...have.args];
    const added: string[] = [];
    for (const a of want.args) {
      const i = left.indexOf(a);
      if (i >= 0) left.splice(i, 1);
      else added.push(a);
    }
    for (const a of left) out.push(`args: - ${a}`);
    for (const a of added) out.push(`args: + ${a}`);
    if (!left.length && !added.length) out.push(`args: order ${have.args.join(' ')} -> ${want.args.join(' ')}`);
  }
  const haveMounts = have.mounts.filter((m) => m.kind !== 'anonymous' || want.mounts.some((w) => w.target === m.target));
  for (const w of want.mounts) {
    const h = haveMounts.find((m) => m.target === w.target);
    const fmt = (m: Mount) => `${m.source}:${m.target}${m.ro ? ':ro' : ''}`;
    if (!h) out.push(`mounts: + ${fmt(w)}`);
    else if (h.source !== trimSlash(w.source) || h.ro !== w.ro) out.push(`mounts: ${fmt(h)} -> ${fmt(w)}`);
  }
  for (const h of haveMounts) {
    if (h.kind === 'other') continue;
    if (!want.mounts.some((w) => w.target === h.target)) out.push(`mounts: - ${h.source}:${h.target}`);
  }
  const net = want.network ?? have.network;
  if (want.network !== undefined && normNetwork(want.network) !== normNetwork(have.network)) out.push(`network: ${have.network} -> ${want.network}`);
  if (!isHostNetwork(net)) {
    const a = new Set(have.ports.map(formatPort));
    const b = new Set(want.ports.map(formatPort));
    for (const p of b) if (!a.has(p)) out.push(`ports: + ${p}`);
    for (const p of a) if (!b.has(p)) out.push(`ports: - ${p}`);
  }
  if (want.user !== undefined && want.user !== have.user) out.push(`user: ${have.user || '(image default)'} -> ${want.user}`);
  if (want.restart !== undefined && (want.restart || 'no') !== have.restart) out.push(`restart: ${have.restart} -> ${want.restart}`);
  if (want.extraHosts !== undefined && JSON.stringify([...want.extraHosts].sort()) !== JSON.stringify([...have.extraHosts].sort())) {
    out.push(`extra hosts: ${have.extraHosts.join(' ') || '(none)'} -> ${want.extraHosts.join(' ') || '(none)'}`);
  }
  // values of env may be secrets: name the key only
  for (const [k, x] of Object.entries(want.env)) if (have.env[k] !== x) out.push(`env: ${k} ${k in have.env ? 'changed' : 'added'}`);
  for (const [k, x] of Object.entries(want.labels)) if (have.labels[k] !== x) out.push(`labels: ${k}: ${have.labels[k] ?? '(none)'} -> ${x}`);
  return out;
}

/**
 * The container as it runs, as a spec to recreate it with: everything skiff models, minus the env
 * and labels that only come from its image (so they are not frozen into the new container).
 * Not carried over (not modelled): entrypoint overrides, extra hosts, capabilities, resource
 * limits, log driver, healthcheck; tasks that recreate a container this way name the ones in use
 * (unmodelled()) and refuse, rather than silently dropping them.
 */
export function specFromFacts(f: ContainerFacts, image: { env: Record<string, string>; labels: Record<string, string> }): ContainerSpec {
  const env = Object.fromEntries(Object.entries(f.env).filter(([k, x]) => image.env[k] !== x && !engineDefaultEnv(k, x, f)));
  const labels = Object.fromEntries(Object.entries(f.labels).filter(([k, x]) => image.labels[k] !== x));
  return {
    name: f.name,
    image: f.image,
    args: [...f.args],
    env,
    labels,
    // only the SELinux relabel options are worth repeating (docker keeps them in Mode; podman
    // does not report them, and the labels it set stay on the files anyway)
    mounts: f.mounts.filter((m) => m.kind === 'bind' || m.kind === 'volume').map((m) => ({ ...m, options: m.options.filter((o) => o === 'z' || o === 'Z') })),
    ports: f.ports.map((p) => ({ ...p })),
    network: f.network,
    user: f.user || undefined,
    restart: f.restart === 'no' ? undefined : f.restart,
    extraHosts: f.extraHosts.length ? [...f.extraHosts] : undefined,
  };
}

/** Env the engine itself puts in every container (podman: container, HOSTNAME, HOME, TERM; both: PATH). */
export function engineDefaultEnv(k: string, x: string, f: Pick<ContainerFacts, 'format'>): boolean {
  if (k === 'PATH') return x === '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  if (f.format !== 'podman') return k === 'HOSTNAME';
  return (k === 'container' && x === 'podman') || k === 'HOSTNAME' || (k === 'TERM' && x === 'xterm') || k === 'HOME';
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
  return out;
}

// ---------------------------------------------------------------------------------------------
// building commands

/** `ENGINE create --name NAME ... IMAGE ARGS...` as argv (quoted with shJoin by the caller). */
export function createArgv(engine: Engine, spec: ContainerSpec, name = spec.name): string[] {
  const a: string[] = [engine, 'create', '--name', name];
  if (spec.user) a.push('--user', spec.user);
  if (spec.network) a.push('--network', spec.network);
  if (spec.restart) a.push('--restart', spec.restart);
  for (const h of spec.extraHosts ?? []) a.push('--add-host', h);
  for (const [k, x] of Object.entries(spec.env)) a.push('-e', `${k}=${x}`);
  for (const [k, x] of Object.entries(spec.labels)) a.push('--label', `${k}=${x}`);
  for (const m of spec.mounts) a.push('-v', formatMount(m));
  // ports go before the image (after it they would be arguments of the program); with host
  // networking nothing is published (podman drops them, docker warns)
  if (!isHostNetwork(spec.network)) for (const p of spec.ports) a.push('-p', formatPort(p));
  a.push(spec.image, ...spec.args);
  return a;
}

/** Quoted for reading: plain when nothing in it is special to sh. */
const show = (x: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(x) ? x : shq(x));

/**
 * The container as `ENGINE run -d` lines, one option per line, for diffs: options, the image, then
 * each argument. Env values are not shown (they may be secrets).
 */
export function runLines(engine: Engine, spec: ContainerSpec): string[] {
  const out = [`${engine} run -d --name ${show(spec.name)}`];
  if (spec.user) out.push(`--user ${show(spec.user)}`);
  if (spec.network) out.push(`--network ${show(spec.network)}`);
  if (spec.restart) out.push(`--restart ${show(spec.restart)}`);
  for (const h of spec.extraHosts ?? []) out.push(`--add-host ${show(h)}`);
  for (const k of Object.keys(spec.env)) out.push(`-e ${show(k)}=(value not shown)`);
  for (const [k, x] of Object.entries(spec.labels)) out.push(`--label ${show(`${k}=${x}`)}`);
  for (const m of spec.mounts) out.push(`-v ${show(formatMount(m))}`);
  if (!isHostNetwork(spec.network)) for (const p of spec.ports) out.push(`-p ${show(formatPort(p))}`);
  out.push(show(spec.image), ...spec.args.map(show));
  return out;
}

/** A field-by-field diff of a container, for --diff. */
export function containerDiff(engine: Engine, name: string, before: ContainerSpec | undefined, after: ContainerSpec | undefined): string {
  const b = before ? runLines(engine, before) : [];
  const a = after ? runLines(engine, after) : [];
  const out = [`--- container ${name}${before ? '' : ' (absent)'}`, `+++ container ${name}${after ? '' : ' (absent)'}`];
  for (const part of diffArrays(b, a)) for (const l of part.value) out.push(`${part.added ? '+' : part.removed ? '-' : ' '}${l}`);
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// reading from a host

export interface Inspected {
  /** undefined: no such container */
  facts?: ContainerFacts;
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

/** No plan over the NAME-skiff-old/-new containers an interrupted recreate left: a person decides. */
/**
 * Scylla Monitoring's own Thanos containers (`start-all.sh --thanos-sc`: sidecar1; `--thanos`:
 * thanos) use the same ports as skiff's: stop with a message that names them, never a port collision.
 */
export async function refuseScyllaThanos(conn: Connection, engine: Engine, name: string, option: string): Promise<void> {
  const r = await conn.exec(`${shq(engine)} container inspect -f '{{.State.Status}}' ${shq(name)} 2>/dev/null`);
  if (r.code !== 0) return;
  throw new TaskFailure(
    `container ${name} (${r.stdout.trim()}) was started by Scylla Monitoring's start-all.sh ${option}; it uses the ports skiff's container needs. Rerun start-all.sh without ${option} (kill-all.sh removes ${name}), or remove it: ${engine} rm -f ${name}`,
  );
}

export function refuseLeftovers(ins: Inspected): void {
  if (ins.leftovers.length) throw new TaskFailure(`containers ${ins.leftovers.join(', ')} exist (left by an interrupted recreate): check them, then remove them or rename back`);
}

const SEP = '--skiff-sep--';

/** Shell that prints the inspect JSON of NAME ([] when missing), of its image, and whether IMAGE is present. */
export function inspectScript(engine: Engine, name: string, wantImage?: string): string {
  const E = shq(engine);
  const N = shq(name);
  return [
    `if out=$(${E} container inspect ${N} 2>&1); then printf '%s\\n' "$out"; else`,
    `  case "$out" in *[Nn]o\\ such*|*"no container with name"*) echo '[]';; *) printf '%s\\n' "$out" >&2; exit 3;; esac; fi`,
    `echo ${SEP}`,
    `id=$(${E} container inspect -f '{{.Image}}' ${N} 2>/dev/null) && [ -n "$id" ] && ${E} image inspect "$id" 2>/dev/null || echo '[]'`,
    `echo ${SEP}`,
    wantImage ? `if ${E} image inspect ${shq(wantImage)} >/dev/null 2>&1; then echo present; else echo missing; fi` : 'echo unknown',
    `echo ${SEP}`,
    `for n in ${shq(`${name}-skiff-new`)} ${shq(`${name}-skiff-old`)}; do ${E} container inspect "$n" >/dev/null 2>&1 && echo "$n"; done; true`,
  ].join('\n');
}

export function parseInspectOutput(stdout: string): Inspected {
  const [c, img, want, left] = stdout.split(`${SEP}\n`);
  const arr = JSON.parse(c || '[]') as unknown[];
  const out: Inspected = { leftovers: (left ?? '').split('\n').filter(Boolean) };
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

// ---------------------------------------------------------------------------------------------
// recreate

export interface RecreateOptions {
  engine: Engine;
  spec: ContainerSpec;
  /** an old container of that name exists (it is replaced) */
  exists: boolean;
  /** seconds for a graceful stop (Prometheus flushes its head on SIGTERM) */
  stopTimeout: number;
  /** shell run before the new container is created; failing leaves everything untouched */
  beforeCreate?: string;
  /** shell run once the old container is stopped (e.g. copy its data out); failing restarts the old one */
  afterStop?: string;
  /** shell run when the swap is undone after afterStop ran */
  onRollback?: string;
  /** URL fetched with curl on the host until it answers 2xx; otherwise the container must stay up 2 s */
  readyUrl?: string;
  readyTimeout: number;
  /** seconds for the afterStop step (copying data can take a while) */
  afterStopTimeout?: number;
}

/** Exit codes of the recreate script, for messages. */
export const RECREATE_EXIT: Record<number, string> = {
  10: 'a container left by an interrupted recreate exists',
  11: 'the image could not be pulled; the old container is untouched',
  12: 'the new container could not be created; the old container is untouched',
  13: 'the old container could not be stopped; it was left as it was',
  14: 'the step after stopping failed; the old container was started again',
  15: 'renaming failed; the old container was put back',
  16: 'the new container did not start or did not become ready; the old container was put back and started',
  17: 'the step before creating failed; nothing was changed',
};

/**
 * One remote script for the whole swap, so that a lost connection cannot stop it half-way (SIGPIPE
 * is ignored; each engine command is bounded with `timeout`):
 *   image present or pulled -> create NAME-skiff-new -> stop NAME (graceful) -> [afterStop] ->
 *   rename NAME -> NAME-skiff-old -> rename new -> NAME -> start -> ready? -> remove old
 * and on a failure after the stop: remove the new one, rename the old one back and start it.
 * Without an old container: create under NAME-skiff-new and rename, the same way.
 */
export function recreateScript(o: RecreateOptions): string {
  const E = shq(o.engine);
  const N = shq(o.spec.name);
  const NEW = shq(`${o.spec.name}-skiff-new`);
  const OLD = shq(`${o.spec.name}-skiff-old`);
  const img = shq(o.spec.image);
  const create = shJoin(createArgv(o.engine, o.spec, `${o.spec.name}-skiff-new`));
  const tries = Math.max(1, Math.ceil(o.readyTimeout));
  const L: string[] = [
    `trap '' PIPE`,
    `step() { echo "skiff-step: $*"; }`,
    `say() { echo "$*" >&2; }`,
    `rollback() { :; ${o.onRollback ?? ''}`,
    `}`,
    `if ${E} container inspect ${OLD} >/dev/null 2>&1; then say "container ${o.spec.name}-skiff-old exists (left by an interrupted recreate): check it, then remove it or rename it back to ${o.spec.name}"; exit 10; fi`,
    `${E} rm -f ${NEW} >/dev/null 2>&1 || true`,
    `if ! ${E} image inspect ${img} >/dev/null 2>&1; then step pull ${img}; timeout 900 ${E} pull ${img} >/dev/null || { say "cannot pull ${o.spec.image}"; exit 11; }; fi`,
  ];
  if (o.beforeCreate) L.push(`step before-create`, `( ${o.beforeCreate}\n) || exit 17`);
  L.push(
    `step create`,
    // the command line goes to stderr on failure (it holds no secret: env values are not logged)
    `if ! timeout 300 ${create} >/dev/null; then ${E} rm -f ${NEW} >/dev/null 2>&1; say "create failed; ${o.spec.name} is untouched"; exit 12; fi`,
  );
  if (o.exists) {
    L.push(
      `was_running=$(${E} container inspect -f '{{.State.Running}}' ${N} 2>/dev/null)`,
      `step stop`,
      `if ! timeout ${o.stopTimeout + 60} ${E} stop -t ${o.stopTimeout} ${N} >/dev/null; then ${E} rm -f ${NEW} >/dev/null 2>&1; say "cannot stop ${o.spec.name}"; exit 13; fi`,
    );
    if (o.afterStop) {
      L.push(
        `step after-stop`,
        `if ! ( timeout ${o.afterStopTimeout ?? 3600} sh -c ${shq(o.afterStop)} ); then`,
        `  rollback; ${E} rm -f ${NEW} >/dev/null 2>&1; [ "$was_running" = true ] && ${E} start ${N} >/dev/null; exit 14; fi`,
      );
    }
    L.push(
      `step swap`,
      `if ! ${E} rename ${N} ${OLD}; then rollback; ${E} rm -f ${NEW} >/dev/null 2>&1; [ "$was_running" = true ] && ${E} start ${N} >/dev/null; exit 15; fi`,
      `if ! ${E} rename ${NEW} ${N}; then ${E} rename ${OLD} ${N}; rollback; ${E} rm -f ${NEW} >/dev/null 2>&1; [ "$was_running" = true ] && ${E} start ${N} >/dev/null; exit 15; fi`,
    );
  } else {
    L.push(`was_running=false`, `step rename`, `if ! ${E} rename ${NEW} ${N}; then ${E} rm -f ${NEW} >/dev/null 2>&1; exit 15; fi`);
  }
  L.push(
    `step start`,
    `ok=1; timeout 120 ${E} start ${N} >/dev/null || ok=0`,
    `i=0; while [ $ok = 1 ]; do`,
    `  [ "$(${E} container inspect -f '{{.State.Running}}' ${N} 2>/dev/null)" = true ] || { ok=0; say "${o.spec.name} stopped running"; break; }`,
    o.readyUrl
      ? `  code=$(curl -s -o /dev/null -w '%{http_code}' -m 3 ${shq(o.readyUrl)} 2>/dev/null); case "$code" in 2??) break;; esac`
      : `  [ $i -ge 2 ] && break`,
    `  i=$((i+1)); [ $i -ge ${o.readyUrl ? tries : 3} ] && { ok=0; say "${o.spec.name} not ready${o.readyUrl ? ` at ${o.readyUrl} (last answer: \${code:-none})` : ''} after $i s"; break; }`,
    `  sleep 1`,
    `done`,
    `if [ $ok = 0 ]; then`,
    `  say "--- last log lines of the new ${o.spec.name}:"; ${E} logs --tail 15 ${N} 2>&1 | sed 's/^/    /' >&2`,
    `  ${E} rm -f ${N} >/dev/null 2>&1`,
  );
  if (o.exists) L.push(`  ${E} rename ${OLD} ${N}; rollback; [ "$was_running" = true ] && ${E} start ${N} >/dev/null`);
  L.push(`  exit 16`, `fi`);
  if (o.exists) L.push(`step remove-old`, `${E} rm ${OLD} >/dev/null || say "warning: could not remove ${o.spec.name}-skiff-old"`);
  L.push(`step done`);
  return L.join('\n');
}

export async function recreate(conn: Connection, o: RecreateOptions): Promise<void> {
  const budget = 900 + 300 + o.stopTimeout + 60 + (o.afterStop ? (o.afterStopTimeout ?? 3600) : 0) + 120 + o.readyTimeout * 5 + 60;
  const r = await conn.exec(recreateScript(o), { timeoutMs: budget * 1000 });
  if (r.code !== 0) {
    const steps = r.stdout.split('\n').filter((l) => l.startsWith('skiff-step: ')).map((l) => l.slice(12));
    const why = RECREATE_EXIT[r.code] ?? `exit ${r.code}`;
    const detail = r.stderr.trim().split('\n').slice(-20).join('\n');
    throw new TaskFailure(`recreating container ${o.spec.name} failed at step ${steps[steps.length - 1] ?? '?'}: ${why}${detail ? `\n${detail}` : ''}`);
  }
}

/** `ENGINE restart` (graceful: -t seconds), then bounded wait for a ready URL (curl on the host). */
export async function restartContainer(conn: Connection, engine: Engine, name: string, stopTimeout = 30, readyUrl?: string, readyTimeout = 60): Promise<void> {
  const E = shq(engine);
  const tries = Math.max(1, Math.ceil(readyTimeout));
  const script = [
    `timeout ${stopTimeout + 120} ${E} restart -t ${stopTimeout} ${shq(name)} >/dev/null || exit 1`,
    readyUrl
      ? `i=0; while :; do code=$(curl -s -o /dev/null -w '%{http_code}' -m 3 ${shq(readyUrl)} 2>/dev/null); case "$code" in 2??) exit 0;; esac; i=$((i+1)); [ $i -ge ${tries} ] && { echo "not ready at ${readyUrl} after $i s (last answer: \${code:-none})" >&2; exit 2; }; sleep 1; done`
      : 'true',
  ].join('\n');
  const r = await conn.exec(script, { timeoutMs: (stopTimeout + 180 + readyTimeout) * 1000 });
  if (r.code !== 0) throw new TaskFailure(`restarting container ${name} failed: ${r.stderr.trim().split('\n').slice(-3).join(' | ') || `exit ${r.code}`}`);
}

export async function removeContainer(conn: Connection, engine: Engine, name: string, stopTimeout = 30): Promise<void> {
  const E = shq(engine);
  const r = await conn.exec(`timeout ${stopTimeout + 60} ${E} stop -t ${stopTimeout} ${shq(name)} >/dev/null 2>&1; ${E} rm -f ${shq(name)} >/dev/null`, { timeoutMs: (stopTimeout + 120) * 1000 });
  if (r.code !== 0) throw new TaskFailure(`removing container ${name} failed: ${r.stderr.trim() || `exit ${r.code}`}`);
}

export async function startContainer(conn: Connection, engine: Engine, name: string): Promise<void> {
  const r = await conn.exec(`timeout 120 ${shq(engine)} start ${shq(name)} >/dev/null`, { timeoutMs: 130_000 });
  if (r.code !== 0) throw new TaskFailure(`starting container ${name} failed: ${r.stderr.trim() || `exit ${r.code}`}`);
}

// ---------------------------------------------------------------------------------------------
// planning a wanted container (shared by the container, run-sidecar and run-query tasks)

export interface ContainerPlanState {
  inspected: Inspected;
  /** 'recreate' | 'create' | 'start' | 'none' */
  action: 'create' | 'recreate' | 'start' | 'none';
}

/** Changes needed to get `spec` running; pure over the inspected facts. */
export function planWanted(engine: Engine, spec: ContainerSpec, ins: Inspected): { changes: string[]; diff?: string; action: ContainerPlanState['action'] } {
  const pull = ins.wantedImagePresent === false ? [`pull ${spec.image}`] : [];
  if (!ins.facts) return { changes: [...pull, `create container ${spec.name}`], diff: containerDiff(engine, spec.name, undefined, spec), action: 'create' };
  const diffs = compareContainer(spec, ins.facts);
  if (diffs.length) {
    const before = specFromFacts(ins.facts, ins.image ?? { env: {}, labels: {} });
    return { changes: [...pull, `recreate container ${spec.name}: ${diffs.join('; ')}`], diff: containerDiff(engine, spec.name, before, spec), action: 'recreate' };
  }
  if (!ins.facts.running) return { changes: [`start container ${spec.name} (${ins.facts.status})`], action: 'start' };
  return { changes: [], action: 'none' };
}
