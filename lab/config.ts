// Names, addresses and paths of the lab. Everything the lab creates on the machine is named here,
// so that tear-down can find it again by name (netns `skiff-*`, links `sk-*`, bridge `skiffbr0`).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const LAB_DIR = join(REPO_ROOT, '.lab');
export const HOSTS_DIR = join(LAB_DIR, 'hosts');
export const IMAGES_DIR = join(LAB_DIR, 'images');
export const KEY_FILE = join(LAB_DIR, 'id_ed25519');
export const KNOWN_HOSTS_FILE = join(LAB_DIR, 'known_hosts');
/** What is up: mode, hosts, which images were imported. Written last by labUp, removed by labDown. */
export const STATE_FILE = join(LAB_DIR, 'lab.json');

export const BRIDGE = 'skiffbr0';
export const BRIDGE_ADDR = '10.213.0.1';
export const PREFIX_LEN = 16;
export const NETNS_PREFIX = 'skiff-';
export const LINK_PREFIX = 'sk-';

/** The other helper's stand-in image builder (Thanos, Grafana); optional until it lands. */
export const STANDINS_BUILD = join(REPO_ROOT, 'test', 'standins', 'build.ts');

// 500: the benchmark's largest count (bench/README.md); 10.213.1.x holds 250, node251.. go on in 10.213.2.x
export const MAX_PLAIN_HOSTS = 500;

/** PATH for commands run inside lab hosts (same as OpenSSH's superuser path on Debian). */
export const HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export type Engine = 'docker' | 'podman';

export interface HostSpec {
  name: string;
  address: string;
  /**
   * A Scylla Monitoring host: its container engine and the options its operator gives the real
   * start-all.sh (besides the target file and the components the lab leaves out). Plain hosts
   * (no engine) run sshd only.
   */
  engine?: Engine;
  startAll?: string[];
  /**
   * The account that runs Scylla Monitoring (start-all.sh, the containers) and that skiff logs in
   * as, when it is not root: rootless Podman, as start-all.sh supports it (`-u UID:GID
   * --userns=keep-id`). Its home, subordinate ids and runtime dir exist on that host only.
   */
  user?: HostUser;
}

export interface HostUser {
  name: string;
  uid: number;
  /** first subordinate uid/gid (65536 of them), for rootless Podman's user namespace */
  subid: number;
}

/** The operator account of the Podman host. */
export const SCYLLA_USER: HostUser = { name: 'scylla', uid: 2000, subid: 200000 };

/**
 * The cases operators have: prom1 keeps its data in a host directory (`-d`, as scylladb's own
 * Ansible role does), prom2 keeps it in the container (no `-d`), both on Docker as Scylla Monitoring
 * is documented; prom3 runs on the host network (`-l`) on rootless Podman, as a non-root operator
 * (`scylla`) runs it. monitoring runs the Grafana that thanos.yml points at the query.
 */
export const DEFAULT_HOSTS: HostSpec[] = [
  { name: 'monitoring', address: '10.213.0.10', engine: 'docker', startAll: [] },
  { name: 'prom1', address: '10.213.0.11', engine: 'docker', startAll: ['-d', '/srv/prometheus-data'] },
  { name: 'prom2', address: '10.213.0.12', engine: 'docker', startAll: [] },
  { name: 'prom3', address: '10.213.0.13', engine: 'podman', user: SCYLLA_USER, startAll: ['-l', '-d', '/srv/prometheus-data'] },
];

/** Where the real Scylla Monitoring release is unpacked on every Scylla Monitoring host. */
export const SCYLLA_DIR = '/srv/scylla-monitoring';
/** The release itself, read at lab-up time and never copied into the project. */
export const UPSTREAM_TGZ = resolve(REPO_ROOT, '..', 'shared', 'upstream', 'scylla-monitoring-4.12.1.tar.gz');
/** Cache of downloaded Debian packages (Prometheus 3 from Debian's unstable suite). */
export const CACHE_DIR = join(LAB_DIR, 'cache');

/** node1..nodeN at 10.213.1.1.. (250 per /24 so that no address ends in .0 or .255). */
export function plainHosts(n: number): HostSpec[] {
  if (!Number.isInteger(n) || n < 1 || n > MAX_PLAIN_HOSTS) {
    throw new Error(`plain host count must be 1..${MAX_PLAIN_HOSTS}, got ${n}`);
  }
  return Array.from({ length: n }, (_, k) => {
    const i = k + 1;
    return {
      name: `node${i}`,
      address: `10.213.${1 + Math.floor((i - 1) / 250)}.${((i - 1) % 250) + 1}`,
    };
  });
}

export const netnsName = (host: string) => `${NETNS_PREFIX}${host}`;

/** Root-side veth name; Linux caps interface names at 15 chars, so plain hosts use `sk-n<i>`. */
export function linkName(host: string): string {
  const m = /^node(\d+)$/.exec(host);
  const name = m ? `${LINK_PREFIX}n${m[1]}` : `${LINK_PREFIX}${host}`;
  if (name.length > 15) throw new Error(`interface name too long: ${name}`);
  return name;
}

export const hostDir = (host: string) => join(HOSTS_DIR, host);
