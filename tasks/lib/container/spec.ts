// What skiff manages of a container (docker or podman), and what users write for it: the types
// every other container module shares (ContainerSpec wanted, ContainerFacts read), and parsing of
// task parameters (-v mounts, -p ports, pinned images, container names) into them.
//
// Pure; parseMount, parsePort and PinnedImage are unit-tested in test/unit/container-spec.test.ts.
import * as v from 'valibot';

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
  /**
   * --userns: 'keep-id' (rootless Podman: the operator's own uid inside, as start-all.sh runs
   * aprom and agraf under Podman); compared when wanted
   */
  userns?: string;
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
  /** '' = the engine's default */
  userns: string;
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

// normalizing what users write and what the engines report alike (inspect.ts, compare.ts)
export const normIp = (ip: string) => (ip === '0.0.0.0' || ip === '::' || ip === '[::]' ? '' : ip);
export const trimSlash = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p);

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

/** Docker's own rule for container names; also keeps every name free of shell metacharacters. */
export const ContainerName = v.pipe(v.string(), v.regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'expected a container name (letters, digits, _ . -)'));

/**
 * A pinned image: NAME:TAG (or NAME@sha256:...), never :latest and never untagged (an untagged
 * image *is* :latest): what runs would depend on when it was pulled.
 */
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
