// Local process helpers: run a command with a deadline, run work with bounded parallelism,
// and find processes by the namespaces they live in (how the lab finds its own processes).
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  timeoutMs?: number;
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Runs argv without a shell. Never throws for a non-zero exit: code 124 on timeout, 127 if not found. */
export function run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return new Promise((resolvePromise) => {
    const child = spawn(argv[0], argv.slice(1), {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolvePromise({ code: e.code === 'ENOENT' ? 127 : 126, stdout: '', stderr: String(e.message) });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({
        code: timedOut ? 124 : (code ?? (signal ? 128 : 1)),
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString() + (timedOut ? `\n[timed out after ${timeoutMs} ms]` : ''),
      });
    });
    child.stdin.on('error', () => {}); // EPIPE when the command does not read its input
    child.stdin.end(opts.input ?? '');
  });
}

/** Like run(), but throws with the command's stderr when it fails. */
export async function must(argv: string[], opts: RunOptions = {}): Promise<string> {
  const r = await run(argv, opts);
  if (r.code !== 0) {
    throw new Error(`${argv.join(' ')} exited ${r.code}: ${(r.stderr || r.stdout).trim().slice(0, 2000)}`);
  }
  return r.stdout;
}

/** Maps items with at most `limit` in flight; rejects with the first error after all settle. */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  const errors: unknown[] = [];
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i], i);
      } catch (e) {
        errors.push(e);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length) throw errors[0];
  return results;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a truthy value; bounded by both time and attempts. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 30_000, intervalMs = 200 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  const maxTries = Math.ceil(timeoutMs / intervalMs) + 1;
  for (let tries = 0; tries < maxTries && Date.now() <= deadline; tries++) {
    const v = await check();
    if (v) return v;
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** True if the process exists and is not a zombie (a killed child not yet reaped counts as gone). */
export function pidAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Namespace inode of a live process, e.g. nsInode(pid, 'net'); undefined if the process is gone. */
export function nsInode(pid: number | 'self', kind: 'net' | 'mnt'): number | undefined {
  try {
    const m = /\[(\d+)\]/.exec(readlinkSync(`/proc/${pid}/ns/${kind}`));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Inode of a bound namespace file such as /var/run/netns/skiff-prom1 (equals nsInode of its members). */
export function nsFileInode(path: string): number | undefined {
  try {
    return statSync(path).ino;
  } catch {
    return undefined;
  }
}

/** One pass over /proc: pids whose net or mount namespace is one of the given inodes. */
export function pidsInNamespaces(netInodes: Set<number>, mntInodes: Set<number>): Map<number, number[]> {
  const byInode = new Map<number, number[]>();
  const add = (ino: number, pid: number) => byInode.set(ino, [...(byInode.get(ino) ?? []), pid]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    const net = nsInode(pid, 'net');
    if (net !== undefined && netInodes.has(net)) add(net, pid);
    else {
      const mnt = nsInode(pid, 'mnt');
      if (mnt !== undefined && mntInodes.has(mnt)) add(mnt, pid);
    }
  }
  return byInode;
}

/** SIGTERM, wait (bounded), then SIGKILL what is left. */
export async function killPids(pids: number[], graceMs = 3000): Promise<void> {
  const signal = (sig: NodeJS.Signals) =>
    pids.forEach((p) => {
      try {
        process.kill(p, sig);
      } catch {
        /* already gone */
      }
    });
  if (!pids.length) return;
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && pids.some(pidAlive)) await sleep(50);
  if (pids.some(pidAlive)) {
    signal('SIGKILL');
    const hard = Date.now() + 3000;
    while (Date.now() < hard && pids.some(pidAlive)) await sleep(50);
  }
}
