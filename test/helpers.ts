// Shared by tests: run the CLI as a user would, and a loopback listener that counts connections.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SKIFF = join(ROOT, 'bin', 'skiff.mjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Runs `skiff ARGS` in ROOT, with plain output (CI=true, and no FORCE_COLOR: uvu sets it for itself and
 * skiff honours it; a test that wants colour passes it in env), plays gathering facts only when they say
 * gather_facts: true (ANSIBLE_GATHERING=explicit: tests about other things read no facts), ended after timeoutMs.
 */
export function skiff(args: string[], opts: { timeoutMs?: number; env?: Record<string, string>; cwd?: string; onStdout?: (chunk: string) => void } = {}): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SKIFF, ...args], { cwd: opts.cwd ?? ROOT, env: { ...process.env, FORCE_COLOR: undefined, CI: 'true', ANSIBLE_GATHERING: 'explicit', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      opts.onStdout?.(String(d));
    });
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** A TCP listener on loopback that counts (and drops) connections: proves whether a host was contacted. */
export async function countingListener(): Promise<{ port: number; count: () => number; close: () => Promise<void> }> {
  let n = 0;
  const server: Server = createServer((s) => {
    n++;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { port, count: () => n, close: () => new Promise((r) => server.close(() => r())) };
}

/** Runs fn over items, at most n at a time. */
export async function pool<T, R>(items: T[], n: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

/** Whether Ansible-style output (not a terminal) reports HOST done with TASK: a result line
 * (`ok:`/`changed:`) for it after the task's banner. */
export function taskDone(out: string, task: string, host: string): boolean {
  const at = out.indexOf(`TASK [${task}]`);
  return at >= 0 && new RegExp(`^(ok|changed): \\[${host.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\]`, 'm').test(out.slice(at));
}

/** `skiff ARGS` in the background; onOutput sees all output so far, with the child (to signal it). */
export function background(args: string[], onLine: (s: string, child: ReturnType<typeof spawn>) => void) {
  const child = spawn(process.execPath, [SKIFF, ...args], { cwd: ROOT, env: { ...process.env, FORCE_COLOR: undefined, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const started = Date.now();
  child.stdout!.on('data', (d) => {
    out += d;
    onLine(out, child);
  });
  child.stderr!.on('data', (d) => (out += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const done = new Promise<{ code: number | null; out: string; ms: number; killed: boolean }>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, out, ms: Date.now() - started, killed: signal === 'SIGKILL' });
    }),
  );
  return { child, done };
}

/** A fresh directory holding these files (relative paths, directories made): a playbook project for a test. */
export function tree(files: Record<string, string>, prefix = 'skiff-tree-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
  return dir;
}
