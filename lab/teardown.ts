// Tear-down: removes every lab object by the lab's own names and ids, including leftovers of an
// earlier session or of another checkout (netns skiff-*, links sk-*, bridge skiffbr0).
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { HOST_PATH, HOSTS_DIR, KNOWN_HOSTS_FILE, NETNS_PREFIX, STATE_FILE, hostDir } from './config.ts';
import { anchorPid } from './host.ts';
import { deleteNetwork, labLinks, labNetnsNames, netnsPath } from './net.ts';
import { killPids, nsFileInode, nsInode, pidAlive, pidsInNamespaces, pool, run } from './proc.ts';

const PARALLEL = 20;

const readOr = (file: string, fallback = '') => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
};

/** A pid to nsenter into a host's namespaces: its anchor, or any process left in its netns. */
function enterPid(host: string, netPids: number[] | undefined): number | undefined {
  const a = existsSync(hostDir(host)) ? anchorPid(host) : undefined;
  if (a !== undefined) return a;
  // a lab of another checkout: enter through its sshd or conmon (not a container process: those
  // have the container's own mount namespace, where there is no podman)
  const ourMnt = nsInode('self', 'mnt');
  return netPids?.find((p) => ['sleep', 'sshd', 'conmon', 'dockerd'].includes(readOr(`/proc/${p}/comm`).trim()) && nsInode(p, 'mnt') !== ourMnt);
}

/**
 * Removes every lab object: containers (inside each host, before its processes die), processes in
 * the lab's namespaces, namespaces, links, the bridge, and .lab/hosts. Safe to run any number of
 * times, and cleans leftovers of an earlier session or of another checkout by their names.
 */
export async function teardown(log: (s: string) => void): Promise<void> {
  const netns = labNetnsNames();
  const hostNames = netns.map((n) => n.slice(NETNS_PREFIX.length));
  const netInodes = new Map<number, string>();
  for (const n of netns) {
    const ino = nsFileInode(`/var/run/netns/${n}`);
    if (ino !== undefined) netInodes.set(ino, n);
  }
  const anchors = hostNames.map((h) => (existsSync(hostDir(h)) ? anchorPid(h) : undefined)).filter((p): p is number => p !== undefined);
  const mntInodes = new Set(anchors.map((p) => nsInode(p, 'mnt')).filter((i): i is number => i !== undefined));
  const ourMnt = nsInode('self', 'mnt');
  if (ourMnt !== undefined) mntInodes.delete(ourMnt); // never our own

  let byNs = pidsInNamespaces(new Set(netInodes.keys()), mntInodes);
  if (netns.length || existsSync(HOSTS_DIR)) log(`tearing down ${netns.length} lab namespace(s) ...`);

  // 1. containers, through their engine inside each host, so that it cleans up after them (a
  //    container on a docker network lives in namespaces of its own: killing the host's processes
  //    would not reach it)
  await pool(hostNames, PARALLEL, async (h) => {
    const ino = nsFileInode(netnsPath(h));
    const pid = enterPid(h, ino === undefined ? undefined : byNs.get(ino));
    if (pid === undefined) return;
    const script = [
      `if [ -S /run/docker.sock ]; then ids=$(docker ps -aq); [ -z "$ids" ] || docker rm -f -v $ids >/dev/null; fi`,
      `if [ -d /var/lib/containers/storage ]; then podman ps -aq | grep -q . && podman rm -af -t 0; fi`,
      // a rootless operator's containers (config.ts HostUser), through its own podman
      `for d in /run/user/*; do [ -d "$d/containers" ] || continue; u=$(stat -c %U "$d"); ` +
        `runuser -u "$u" -- env HOME=/home/$u XDG_RUNTIME_DIR=$d podman rm -af -t 0 >/dev/null; done`,
      'true',
    ].join('; ');
    const r = await run(['nsenter', '-t', String(pid), '-n', '-m', 'sh', '-c', script], {
      timeoutMs: 60_000,
      env: { PATH: HOST_PATH, HOME: '/root' },
      cwd: '/',
    });
    if (r.code !== 0) log(`  ${h}: podman rm -af exited ${r.code}: ${r.stderr.trim().slice(0, 300)}`);
    else if (process.env.LAB_DEBUG) log(`  ${h}: removed containers: ${r.stdout.trim().split('\n').filter(Boolean).length}`);
  });

  // 2. every process in a lab netns or in a host's mount namespace (sshd, sessions, conmon, ...)
  byNs = pidsInNamespaces(new Set(netInodes.keys()), mntInodes);
  const pids = new Set([...byNs.values()].flat());
  // sshd/anchors of this checkout whose netns file was already deleted (only if clearly ours)
  if (existsSync(HOSTS_DIR)) {
    for (const h of readdirSync(HOSTS_DIR)) {
      for (const f of ['sshd.pid', 'anchor.pid', 'dockerd.pid']) {
        const pid = Number(readOr(join(HOSTS_DIR, h, f)).trim());
        if (!pid || !pidAlive(pid)) continue;
        const cmd = readOr(`/proc/${pid}/cmdline`);
        const inHostNs = nsInode(pid, 'mnt') !== ourMnt && nsInode(pid, 'net') !== nsInode('self', 'net');
        if (inHostNs && (cmd.includes(join(HOSTS_DIR, h)) || cmd === 'sleep\0infinity\0')) pids.add(pid);
      }
    }
  }
  pids.delete(process.pid);
  await killPids([...pids]);

  // 3. cgroups of containers killed without podman (left empty by runc's cgroupfs manager)
  removeContainerCgroups();

  // 4. namespaces, veths, bridge
  await deleteNetwork(netns, await labLinks());
  // `ip netns add` made /run/netns a mount point; drop it once no namespace at all is left in it
  if (existsSync('/run/netns') && readdirSync('/run/netns').length === 0) await run(['umount', '/run/netns']);

  // 5. the host dirs: no mount of ours may remain in the root namespace
  await unmountUnder(HOSTS_DIR);
  rmSync(HOSTS_DIR, { recursive: true, force: true });
  rmSync(KNOWN_HOSTS_FILE, { force: true });
  rmSync(STATE_FILE, { force: true });
  const left = labNetnsNames();
  if (left.length) throw new Error(`lab namespaces still present after teardown: ${left.join(', ')}`);
}

/**
 * runc's cgroupfs manager puts each container in <controller>/libpod_parent/libpod-<id>; podman rm
 * removes it, but a container killed without podman leaves it behind (empty). Only our ids.
 */
function removeContainerCgroups(): void {
  if (!existsSync(HOSTS_DIR) || !existsSync('/sys/fs/cgroup')) return;
  const ids = new Set<string>();
  for (const h of readdirSync(HOSTS_DIR)) {
    const dir = join(HOSTS_DIR, h, 'containers/storage/overlay-containers');
    if (existsSync(dir)) for (const id of readdirSync(dir)) if (/^[0-9a-f]{64}$/.test(id)) ids.add(id);
  }
  if (!ids.size) return;
  for (const ctrl of readdirSync('/sys/fs/cgroup')) {
    for (const id of ids) {
      try {
        rmdirSync(join('/sys/fs/cgroup', ctrl, 'libpod_parent', `libpod-${id}`));
      } catch {
        /* absent or busy */
      }
    }
  }
}

async function unmountUnder(dir: string): Promise<void> {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => !!m && (m === dir || m.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) await run(['umount', '-l', m]);
}
