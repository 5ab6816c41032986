// Machine prerequisites: can the lab run here, the Debian packages it needs, the client key, and
// one lab operation at a time (in this process and across processes).
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOST_PATH, KEY_FILE, LAB_DIR, NETNS_PREFIX } from './config.ts';
import { must, pidAlive, run, sleep } from './proc.ts';

// ---------------------------------------------------------------------------------------------
// can it start here?

export async function labCanStart(): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (process.platform !== 'linux') return { ok: false, reason: `needs Linux, this is ${process.platform}` };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'needs root (network and mount namespaces, bridge, sshd on port 22)' };
  const u = await run(['unshare', '--net', '--mount', '--uts', 'true'], { timeoutMs: 10_000 });
  if (u.code !== 0) return { ok: false, reason: `unshare of net/mount/uts namespaces fails: ${u.stderr.trim()}` };
  const missing = await missingTools();
  if (missing.length && (await run(['sh', '-c', 'command -v apt-get'])).code !== 0) {
    return { ok: false, reason: `missing ${missing.join(', ')} and no apt-get to install them` };
  }
  if (!missing.includes('ip')) {
    const probe = `${NETNS_PREFIX}probe${process.pid}`;
    const r = await run(['ip', 'netns', 'add', probe]);
    await run(['ip', 'netns', 'delete', probe]);
    if (r.code !== 0) return { ok: false, reason: `ip netns add fails: ${r.stderr.trim()}` };
  }
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------
// packages

// dockerd: Debian's docker.io (one engine per lab host); prometheus-node-exporter: the real scrape
// target; bash, jq, python3: what Scylla Monitoring's scripts use; dpkg-deb/apt-get: Prometheus 3;
// newuidmap (uidmap): rootless Podman on prom3 (only a Recommends of podman); flock: skiff's lock;
// ansible-vault (ansible-core): the reference skiff's vault files are tested against (test/unit/vault-ansible).
// tmux: the terminal tests drive skiff in it, as an operator sees it; zsh: its completion script is run in it.
const TOOLS = ['ansible-vault', 'sshd', 'ssh-keygen', 'podman', 'runc', 'conmon', 'newuidmap', 'dockerd', 'containerd', 'iptables', 'prometheus-node-exporter', 'ip', 'nsenter', 'unshare', 'runuser', 'flock', 'ldd', 'curl', 'jq', 'python3', 'bash', 'sudo', 'dpkg', 'tmux', 'zsh'];
const FILES = ['/usr/lib/openssh/sftp-server', '/bin/busybox'];

async function missingTools(): Promise<string[]> {
  const script = TOOLS.map((t) => `command -v ${t} >/dev/null || echo ${t}`).join('; ');
  const r = await run(['sh', '-c', script], { env: { PATH: HOST_PATH } });
  return [...r.stdout.split('\n').filter(Boolean), ...FILES.filter((f) => !existsSync(f))];
}

/** Installs the Debian packages the lab needs when any is missing (CI starts on a fresh machine). */
export async function ensurePackages(log: (s: string) => void): Promise<void> {
  const missing = await missingTools();
  await ensureLocale(log);
  if (!missing.length) return;
  log(`installing packages (missing: ${missing.join(', ')}) ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive', PATH: HOST_PATH };
  await must(['apt-get', 'update'], { env, timeoutMs: 600_000 });
  await must(
    ['apt-get', 'install', '-y', 'openssh-server', 'podman', 'runc', 'uidmap', 'docker.io', 'iptables', 'prometheus', 'prometheus-node-exporter', 'iproute2', 'busybox-static', 'curl', 'jq', 'python3', 'sudo', 'ansible-core', 'tmux', 'zsh'],
    { env, timeoutMs: 900_000 },
  );
  const still = await missingTools();
  if (still.length) throw new Error(`still missing after apt-get install: ${still.join(', ')}`);
}

/**
 * en_US.UTF-8: Ansible's tags target runs ansible-playbook under LC_ALL=en_US.UTF-8 (npm run
 * conformance); without the locale ansible-core refuses to start, and the target says nothing of skiff.
 */
async function ensureLocale(log: (s: string) => void): Promise<void> {
  if (/^en_US\.utf-?8$/im.test((await run(['locale', '-a'])).stdout)) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive', PATH: HOST_PATH };
  if (!existsSync('/usr/share/i18n/locales/en_US')) {
    log('installing the en_US.UTF-8 locale (locales) ...');
    await must(['apt-get', 'update'], { env, timeoutMs: 600_000 });
    await must(['apt-get', 'install', '-y', 'locales'], { env, timeoutMs: 600_000 });
  }
  await must(['localedef', '-i', 'en_US', '-f', 'UTF-8', 'en_US.UTF-8'], { env, timeoutMs: 120_000 });
}

export async function ensureClientKey(): Promise<string> {
  mkdirSync(LAB_DIR, { recursive: true });
  if (!existsSync(KEY_FILE) || !existsSync(`${KEY_FILE}.pub`)) {
    rmSync(KEY_FILE, { force: true });
    rmSync(`${KEY_FILE}.pub`, { force: true });
    await must(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'skiff-lab', '-f', KEY_FILE]);
  }
  return readFileSync(`${KEY_FILE}.pub`, 'utf8');
}

// ---------------------------------------------------------------------------------------------
// one lab at a time: in this process (promise chain) and across processes (lock file)

let chain: Promise<unknown> = Promise.resolve();
function serialized<T>(fn: () => Promise<T>): Promise<T> {
  const p = chain.then(fn, fn);
  chain = p.catch(() => {});
  return p;
}

const LOCK_FILE = join(LAB_DIR, 'lock');

async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  mkdirSync(LAB_DIR, { recursive: true });
  const deadline = Date.now() + 10 * 60_000;
  for (let i = 0; ; i++) {
    try {
      closeSync(openSync(LOCK_FILE, 'wx'));
      writeFileSync(LOCK_FILE, String(process.pid));
      break;
    } catch {
      const holder = Number(readFileSync(LOCK_FILE, 'utf8').trim() || 0);
      if (!holder || !pidAlive(holder)) {
        rmSync(LOCK_FILE, { force: true }); // stale: its process is gone
        continue;
      }
      if (Date.now() > deadline || i > 6000) throw new Error(`lab is locked by pid ${holder} (${LOCK_FILE})`);
      await sleep(100);
    }
  }
  try {
    return await fn();
  } finally {
    try {
      if (readFileSync(LOCK_FILE, 'utf8').trim() === String(process.pid)) unlinkSync(LOCK_FILE);
    } catch {
      /* gone */
    }
  }
}

export const exclusive = <T>(fn: () => Promise<T>) => serialized(() => withLock(fn));

