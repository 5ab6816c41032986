// Comparing the wanted container with the one that runs, field by field: what differs is what a
// recreate is for (and what the plan names). And the other way round: the running container as a
// spec to recreate it with (specFromFacts), for tasks that change one setting of a container.
//
// Pure; unit-tested in test/unit/container-compare.test.ts without a host.
import { formatPort, trimSlash, type ContainerFacts, type ContainerSpec, type Mount } from './spec.ts';
import { normNetwork } from './inspect.ts';

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
  if (want.userns !== undefined && want.userns !== have.userns) out.push(`userns: ${have.userns || '(default)'} -> ${want.userns || '(default)'}`);
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
    userns: f.userns || undefined,
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
