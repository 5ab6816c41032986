// One lab host = one network namespace + one private mount (and UTS) namespace + one sshd.
//
// Each host has an "anchor": a `sleep infinity` process that owns the host's mount namespace. It
// is what labExec enters, so a test can kill sshd (or every other process) and still reach, repair
// or inspect the host; the namespace lives as long as the anchor does.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BRIDGE_ADDR,
  HOST_PATH,
  PREFIX_LEN,
  type HostSpec,
  type HostUser,
  hostDir, IMAGES_DIR } from './config.ts';
import { netnsPath } from './net.ts';
import { must, nsFileInode, nsInode, pidAlive, run, type RunResult, waitFor } from './proc.ts';

/** POSIX single-quoting for sh. */
export const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export const CONTAINERS_CONF = `# Written by the skiff lab (see /work/shared/lab-notes.md): plain \`podman run\` fails here otherwise.
[containers]
pidns = "host"            # with a new pid namespace, setting RLIMIT_NPROC fails
netns = "host"            # the lab host's own network namespace is the "host" network
default_ulimits = ["nofile=1024:20000", "nproc=1000:1000"]
log_driver = "k8s-file"   # no journald in the lab: keep \`podman logs\` working

[engine]
runtime = "runc"          # crun fails: "cgroups in hybrid mode not supported"
cgroup_manager = "cgroupfs"
events_logger = "file"
`;

// The machine may not ship /usr/share/containers/storage.conf; be explicit.
const STORAGE_CONF = `[storage]
driver = "overlay"
runroot = "/run/containers/storage"
graphroot = "/var/lib/containers/storage"
`;

const POLICY_JSON = `{"default":[{"type":"insecureAcceptAnything"}]}\n`;

// No unqualified-search registries: \`podman run prometheus\` must not try to reach any registry.
const REGISTRIES_CONF = `unqualified-search-registries = []\n`;

function sshdConfig(dir: string): string {
  return `# skiff lab host sshd (runs in the host's own network namespace)
Port 22
ListenAddress 0.0.0.0
HostKey ${dir}/ssh_host_ed25519_key
PidFile ${dir}/sshd.pid
AuthorizedKeysFile .ssh/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
UseDNS no
MaxStartups 300:30:600
MaxSessions 10
PrintMotd no
X11Forwarding no
AcceptEnv LANG LC_*
Subsystem sftp /usr/lib/openssh/sftp-server
`;
}

/**
 * Directories a host may write outside /srv, /root and /tmp: each is an overlay of the machine's own
 * directory (read-through) with a per-host upper dir, so that a write to /etc/... on prom1 changes
 * neither the machine nor prom2. Written files show up in .lab/hosts/<h>/overlay/<dir>/upper.
 */
export const OVERLAY_DIRS = ['/etc', '/opt', '/usr/local', '/var/lib', '/var/log', '/home'];
const overlayKey = (d: string) => d.slice(1).replace(/\//g, '-');

/**
 * Where a host sees its own state dir. The state dir may sit under a directory the host gets its own
 * copy of (a checkout under /tmp, /root or /srv would be hidden by those mounts), so the anchor binds
 * it here first, and everything inside the host (sshd's config, pid file, mount sources) uses this.
 */
export const INNER = '/mnt/skiff-lab-host';
/** Where a host sees the lab's image tarballs (.lab/images), for the same reason. */
export const INNER_IMAGES = '/mnt/skiff-lab-images';

/** Paths of one host's state, as seen from the root namespace. */
export function hostPaths(name: string) {
  const dir = hostDir(name);
  return {
    dir,
    anchorPid: join(dir, 'anchor.pid'),
    sshdPid: join(dir, 'sshd.pid'),
    sshdConfig: join(dir, 'sshd_config'),
    dockerdPid: join(dir, 'dockerd.pid'),
    dockerdLog: join(dir, 'dockerd.log'),
    sshdLog: join(dir, 'sshd.log'),
    anchorLog: join(dir, 'anchor.log'),
    hostKey: join(dir, 'ssh_host_ed25519_key'),
    srv: join(dir, 'srv'),
    root: join(dir, 'root'),
    containers: join(dir, 'containers'),
    /** the operator's rootless container storage (~/.local/share/containers on the host) */
    userContainers: join(dir, 'user-containers'),
  };
}

/**
 * With `UsePAM no`, sshd refuses every login (keys too) to an account whose password starts with
 * "!" (locked). If root is locked on this machine, hosts get an /etc/shadow copy with root unlocked.
 */
function shadowOverride(): string | undefined {
  try {
    const shadow = readFileSync('/etc/shadow', 'utf8');
    if (!/^root:!/m.test(shadow)) return undefined;
    return shadow.replace(/^root:![^:]*:/m, 'root:*:');
  } catch {
    return undefined;
  }
}

/** Creates the host's state dir (config files, keys, bind-mount sources). */
export async function prepareHostDir(spec: HostSpec, clientPubKey: string): Promise<void> {
  const p = hostPaths(spec.name);
  const overlays = OVERLAY_DIRS.flatMap((d) => [`overlay/${overlayKey(d)}/upper`, `overlay/${overlayKey(d)}/work`]);
  for (const d of ['containers', 'docker', 'etc-containers', 'root/.ssh', 'srv', 'tmp', 'var-tmp', ...overlays]) {
    mkdirSync(join(p.dir, d), { recursive: true });
  }
  await must(['chmod', '1777', join(p.dir, 'tmp'), join(p.dir, 'var-tmp')]);
  await must(['chmod', '700', join(p.dir, 'root'), join(p.dir, 'root/.ssh')]);
  writeFileSync(join(p.dir, 'root/.ssh/authorized_keys'), clientPubKey, { mode: 0o600 });
  writeFileSync(join(p.dir, 'etc-containers/containers.conf'), CONTAINERS_CONF);
  writeFileSync(join(p.dir, 'etc-containers/storage.conf'), STORAGE_CONF);
  writeFileSync(join(p.dir, 'etc-containers/policy.json'), POLICY_JSON);
  writeFileSync(join(p.dir, 'etc-containers/registries.conf'), REGISTRIES_CONF);
  writeFileSync(p.sshdConfig, sshdConfig(INNER));
  const shadow = shadowOverride();
  if (shadow !== undefined) writeFileSync(join(p.dir, 'shadow'), shadow, { mode: 0o640 });
  await must(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `root@${spec.name}`, '-f', p.hostKey]);
  if (spec.user) {
    mkdirSync(p.userContainers, { recursive: true });
    await must(['chown', `${spec.user.uid}:${spec.user.uid}`, p.userContainers]);
  }
}

const homeOf = (u: HostUser) => `/home/${u.name}`;
const runtimeDirOf = (u: HostUser) => `/run/user/${u.uid}`;

/**
 * The host's operator account, made inside the host (its /etc and /home are the host's own
 * overlays): a login with the lab's key, subordinate ids for rootless Podman, the runtime dir
 * logind would make (there is none here), and its container storage on a real directory (overlay
 * storage cannot sit on the /home overlay). On a Podman host `docker` is Podman, as Debian's
 * podman-docker makes it (that package cannot be installed beside docker.io): start-all.sh detects
 * Podman with `docker --help | grep podman`.
 */
function operatorSetup(spec: HostSpec, d: string): string[] {
  const u = spec.user;
  if (!u) return [];
  const home = homeOf(u);
  const ids = `${u.name}:${u.subid}:65536`;
  return [
    `id -u ${u.name} >/dev/null 2>&1 || useradd -m -d ${home} -u ${u.uid} -U -s /bin/sh -p '*' ${u.name}`, // "!" (locked) would bar key logins too
    `grep -q '^${u.name}:' /etc/subuid 2>/dev/null || echo ${ids} >> /etc/subuid`,
    `grep -q '^${u.name}:' /etc/subgid 2>/dev/null || echo ${ids} >> /etc/subgid`,
    `mkdir -p ${home}/.ssh ${home}/.local/share/containers`,
    `cp /root/.ssh/authorized_keys ${home}/.ssh/authorized_keys`,
    `chown ${u.uid}:${u.uid} ${home}/.ssh ${home}/.ssh/authorized_keys ${home}/.local ${home}/.local/share`,
    `mount --bind ${d}/user-containers ${home}/.local/share/containers`,
    `mkdir -p -m 700 ${runtimeDirOf(u)} && chown ${u.uid}:${u.uid} ${runtimeDirOf(u)}`,
    ...(spec.engine === 'podman'
      ? [
          `printf '#!/bin/sh\nexec podman "$@"\n' > /usr/local/bin/docker && chmod 755 /usr/local/bin/docker`,
          // rootless Podman warns that "/" is not a shared mount and may miss mounts otherwise;
          // the peer groups made here are this host's own
          'mount --make-rshared /',
        ]
      : []),
  ];
}

/**
 * `cmd` run as the host's operator (root on a host without one), with the environment a login
 * gives it: what an operator's shell, start-all.sh and rootless Podman need.
 */
export function asOperator(spec: HostSpec, cmd: string): string {
  const u = spec.user;
  if (!u) return cmd;
  const env = [`HOME=${homeOf(u)}`, `USER=${u.name}`, `LOGNAME=${u.name}`, `XDG_RUNTIME_DIR=${runtimeDirOf(u)}`];
  return `cd ${homeOf(u)} && runuser -u ${u.name} -- env ${env.join(' ')} sh -c ${q(cmd)}`;
}

/** The script the anchor runs inside the new namespaces before it becomes `sleep infinity`. */
function anchorScript(spec: HostSpec): string {
  const d = INNER;
  const bind = (src: string, dst: string) => `mount --bind ${q(src)} ${dst}`;
  return [
    'set -e',
    `mkdir -p ${INNER} ${INNER_IMAGES} ${q(IMAGES_DIR)}`,
    bind(hostDir(spec.name), INNER),
    bind(IMAGES_DIR, INNER_IMAGES),
    // the root namespace's /run/netns mounts were copied into this namespace and would keep every
    // other host's netns alive: this host does not need them
    'umount -l /run/netns 2>/dev/null || true',
    `hostname ${q(spec.name)}`,
    'ip link set lo up',
    `ip addr add ${spec.address}/${PREFIX_LEN} dev eth0`,
    'ip link set eth0 up',
    `ip route add default via ${BRIDGE_ADDR}`,
    'mkdir -p /var/lib/containers /etc/containers /srv /opt /usr/local /var/lib /var/log /home',
    ...OVERLAY_DIRS.map((dir) => {
      const o = `${d}/overlay/${overlayKey(dir)}`;
      return `mount -t overlay overlay -o ${q(`lowerdir=${dir},upperdir=${o}/upper,workdir=${o}/work`)} ${dir}`;
    }),
    // the host's own name resolves locally, as on any installed machine; the lab has no DNS server,
    // and Prometheus looks its host name up when it applies a scrape config (10 s of resolver
    // timeouts per start on the host network otherwise)
    `grep -q ${q(` ${spec.name}$`)} /etc/hosts || echo ${q(`${spec.address} ${spec.name}`)} >> /etc/hosts`,
    // a fresh /run (like a boot): podman keeps its runtime state (runroot, tmp_dir, "alive" file)
    // there, and two hosts sharing it would see each other's containers
    'mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run',
    'mkdir -p /run/sshd /run/lock && chmod 1777 /run/lock && ln -s /dev/shm /run/shm',
    // podman's container locks live in /dev/shm/libpod_lock: one per host
    'mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm',
    bind(`${d}/root`, '/root'), // a clean home: no .bashrc running pyenv for every SSH command
    bind(`${d}/srv`, '/srv'),
    bind(`${d}/tmp`, '/tmp'),
    bind(`${d}/var-tmp`, '/var/tmp'),
    bind(`${d}/containers`, '/var/lib/containers'),
    bind(`${d}/etc-containers`, '/etc/containers'),
    // copied into the host's /etc overlay, not bound over it: useradd replaces /etc/shadow by rename
    ...(existsSync(join(hostDir(spec.name), 'shadow')) ? [`cp ${d}/shadow /etc/shadow`] : []),
    ...operatorSetup(spec, d),
    `/usr/sbin/sshd -f ${q(`${d}/sshd_config`)} -E ${q(`${d}/sshd.log`)}`,
    ...(spec.engine ? scyllaHostServices(spec) : []),
    `echo $$ > ${q(`${d}/anchor.pid`)}`,
    'exec sleep infinity',
  ].join('\n');
}

/**
 * What a Scylla Monitoring host runs besides sshd: a real node exporter (the scrape target, so the
 * series are real) and, on a Docker host, its own Docker engine: Debian's dockerd with its data on
 * the host's own directory (overlay2 cannot sit on the /var/lib overlay), its runtime state in the
 * host's /run, cgroupfs (no systemd here), and a pid file the lab finds it by.
 */
function scyllaHostServices(spec: HostSpec): string[] {
  const d = INNER;
  const out = [
    `prometheus-node-exporter --web.listen-address=:9100 >${q(`${d}/node-exporter.log`)} 2>&1 &`,
  ];
  if (spec.engine === 'docker') {
    out.push('mkdir -p /var/lib/docker', `mount --bind ${d}/docker /var/lib/docker`, DOCKERD_START);
  }
  return out;
}

/**
 * (Re)starts a host's dockerd, in the background, from inside the host (anchor, or labExec). A
 * stale pid file goes first: a killed dockerd stays a zombie under the anchor, which never reaps,
 * and its pid would look alive to the new one (a service manager would see to that on a real host).
 */
export const DOCKERD_START =
  `rm -f ${q(`${INNER}/dockerd.pid`)}; dockerd --data-root /var/lib/docker --exec-root /run/docker --pidfile ${q(`${INNER}/dockerd.pid`)}` +
  ` -H unix:///run/docker.sock --exec-opt native.cgroupdriver=cgroupfs --storage-driver overlay2` +
  ` >>${q(`${INNER}/dockerd.log`)} 2>&1 &`;

/**
 * Starts the host: its anchor enters the host's netns, makes private mount and UTS namespaces,
 * sets up the mounts and starts sshd. Uses `nsenter --net`, not `ip netns exec`: the latter remounts
 * /sys, which hides the cgroup mounts that podman needs.
 */
export async function startHost(spec: HostSpec): Promise<void> {
  const p = hostPaths(spec.name);
  const log = openSync(p.anchorLog, 'a');
  const child = spawn(
    'nsenter',
    [`--net=${netnsPath(spec.name)}`, 'unshare', '--mount', '--uts', '--propagation', 'private', 'sh', '-c', anchorScript(spec)],
    { detached: true, stdio: ['ignore', log, log], env: { PATH: HOST_PATH, LANG: 'C.UTF-8' }, cwd: '/' },
  );
  child.unref();
  closeSync(log);
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? -1));
  await waitFor(
    `host ${spec.name} to start (see ${p.anchorLog})`,
    () => {
      if (exited !== null) throw new Error(`host ${spec.name}: anchor exited ${exited}: ${readFileSync(p.anchorLog, 'utf8').trim()}`);
      return anchorPid(spec.name) !== undefined && sshdPid(spec.name) !== undefined;
    },
    { timeoutMs: 20_000, intervalMs: 50 },
  );
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The anchor's pid if it is alive and really in this host's network namespace (not a reused pid). */
export function anchorPid(host: string): number | undefined {
  const pid = readPid(hostPaths(host).anchorPid);
  if (pid === undefined || !pidAlive(pid)) return undefined;
  const want = nsFileInode(netnsPath(host));
  return want !== undefined && nsInode(pid, 'net') === want ? pid : undefined;
}

/** dockerd's pid from its pid file, if that process is alive in this host's netns. */
export function dockerdPid(host: string): number | undefined {
  const pid = readPid(hostPaths(host).dockerdPid);
  if (pid === undefined || !pidAlive(pid)) return undefined;
  const want = nsFileInode(netnsPath(host));
  return want !== undefined && nsInode(pid, 'net') === want ? pid : undefined;
}

/** sshd's (listener) pid from its pid file, if that process is alive in this host's netns. */
export function sshdPid(host: string): number | undefined {
  const pid = readPid(hostPaths(host).sshdPid);
  if (pid === undefined || !pidAlive(pid)) return undefined;
  const want = nsFileInode(netnsPath(host));
  return want !== undefined && nsInode(pid, 'net') === want ? pid : undefined;
}

/** The command that (re)starts a host's sshd, to be run inside the host with labExec. */
export function sshdStartCommand(host: string): string {
  void host; // every host sees its own state dir at INNER
  return `mkdir -p /run/sshd && /usr/sbin/sshd -f ${INNER}/sshd_config -E ${INNER}/sshd.log`;
}

/**
 * Runs `cmd` with sh inside a lab host (its network, mount and UTS namespaces, as root, cwd /),
 * without going through SSH. Code 124 on timeout.
 */
export async function labExec(host: string, cmd: string, opts: { timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
  const pid = anchorPid(host);
  if (pid === undefined) {
    return { code: 255, stdout: '', stderr: `lab host ${host} is not running (no live anchor process)` };
  }
  return run(['nsenter', '-t', String(pid), '-n', '-m', '-u', 'sh', '-c', cmd], {
    timeoutMs: opts.timeoutMs ?? 120_000,
    input: opts.input,
    cwd: '/',
    env: { PATH: HOST_PATH, HOME: '/root', LANG: 'C.UTF-8', USER: 'root', LOGNAME: 'root' },
  });
}

/** Reads the host's SSH banner over TCP from the root namespace: proves sshd listens on its address. */
export function sshBanner(address: string, timeoutMs = 2000): Promise<string | undefined> {
  return import('node:net').then(
    ({ createConnection }) =>
      new Promise((resolve) => {
        const sock = createConnection({ host: address, port: 22 });
        let data = '';
        const done = (v: string | undefined) => {
          clearTimeout(timer);
          sock.destroy();
          resolve(v);
        };
        const timer = setTimeout(() => done(undefined), timeoutMs);
        sock.on('data', (b) => {
          data += b.toString();
          if (data.includes('\n')) done(data.split('\n')[0].trim());
        });
        sock.on('error', () => done(undefined));
        sock.on('close', () => done(data.startsWith('SSH-') ? data.trim() : undefined));
      }),
  );
}
