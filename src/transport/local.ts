// Connection to the machine skiff runs on: each exec is a `sh -c` child process.

import { spawn, type ChildProcess } from 'node:child_process';
import { signalExitCode, streamTo, TIMEOUT_CODE } from './pool.ts';
import { becomeLine, becomePasswordError, becomeRefused, type BecomeHow } from './become.ts';
import { UnreachableError, type Connection, type ExecOptions, type ExecResult } from './types.ts';

/** After SIGTERM to a timed-out command's process group, wait this long before SIGKILL. */
const KILL_GRACE_MS = 1000;
/** After SIGKILL, give up waiting for the pipes to close (a stray grandchild may hold them open). */
const CLOSE_GRACE_MS = 1000;

/**
 * Runs commands locally. Under become the command runs as `sudo -n sh -c CMD` (or through su),
 * except when skiff already runs as root and becomes root (then sudo would change nothing, and it is
 * often missing in containers).
 */
export function connectLocal(host: string, become: boolean, becomeUser?: string, becomePassword?: string, how: BecomeHow = {}): Connection {
  const running = new Map<ChildProcess, (e: Error) => void>();
  let closed = false;
  const useBecome = become && (process.getuid?.() !== 0 || (becomeUser !== undefined && becomeUser !== 'root'));

  // Each command gets its own process group (detached) so a timeout can end the whole tree.
  const killGroup = (child: ChildProcess, sig: NodeJS.Signals): void => {
    try {
      if (child.pid) process.kill(-child.pid, sig);
    } catch {
      // already gone (ESRCH), or a root-owned group under sudo (EPERM): sudo relays SIGTERM itself
    }
  };

  function exec(cmd: string, opts: ExecOptions = {}): Promise<ExecResult> {
    if (closed) return Promise.reject(new UnreachableError(host, `connection to ${host} is closed`));
    return new Promise<ExecResult>((resolve, reject) => {
      // the same command line as over SSH (become.ts), run by a local sh
      const b = becomeLine(cmd, useBecome ? { ...how, user: becomeUser, password: becomePassword } : undefined);
      const gate = b.gate;
      const file = 'sh';
      const child = spawn(file, ['-c', b.line], { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let exitCode: number | undefined;
      let timedOut = false;
      const timers: NodeJS.Timeout[] = [];
      let done = false;

      const finish = (e: Error | undefined, r?: ExecResult): void => {
        if (done) return;
        done = true;
        timers.forEach(clearTimeout);
        running.delete(child);
        // a stray grandchild may still hold the pipes open after a timeout/close: stop reading them
        child.stdout!.destroy();
        child.stderr!.destroy();
        if (e) reject(e);
        else resolve(r!);
      };
      const result = (): ExecResult => {
        const stdout = Buffer.concat(out).toString('utf8');
        let stderr = Buffer.concat(err).toString('utf8');
        if (timedOut) stderr += `${stderr && !stderr.endsWith('\n') ? '\n' : ''}skiff: command timed out after ${opts.timeoutMs} ms\n`;
        return { code: timedOut ? TIMEOUT_CODE : (exitCode ?? 255), stdout, stderr };
      };

      running.set(child, (e) => {
        killGroup(child, 'SIGKILL');
        finish(e);
      });
      const stream = streamTo(opts.onStdout);
      child.stdout!.on('data', (b: Buffer) => {
        out.push(b);
        stream(b);
      });
      child.stderr!.on('data', (b: Buffer) => {
        if (!gate || gate.done) return void err.push(b);
        const step = gate.feed(b.toString('utf8'));
        if (step.stderr) err.push(Buffer.from(step.stderr));
        if (step.write) child.stdin!.write(step.write);
        if (step.ready) child.stdin!.end(opts.stdin ?? '');
        if (step.refused) {
          killGroup(child, 'SIGKILL');
          finish(becomeRefused(host, gate.method, step.refused));
        }
      });
      child.on('error', (e) => finish(new Error(`${host}: cannot run ${file}: ${e.message}`)));
      child.on('exit', (code, signal) => {
        exitCode = code ?? signalExitCode(signal);
      });
      // 'close' = process exited AND its stdout/stderr reached EOF, so all output is collected.
      child.on('close', () => {
        if (gate && !gate.done) err.push(Buffer.from(gate.rest()));
        const r = result();
        finish(useBecome && r.code !== 0 ? becomePasswordError(host, r.stderr) : undefined, r);
      });

      if (opts.timeoutMs !== undefined) {
        timers.push(
          setTimeout(() => {
            timedOut = true;
            killGroup(child, 'SIGTERM');
            timers.push(setTimeout(() => killGroup(child, 'SIGKILL'), KILL_GRACE_MS));
            timers.push(setTimeout(() => finish(undefined, result()), KILL_GRACE_MS + CLOSE_GRACE_MS));
          }, opts.timeoutMs),
        );
      }

      child.stdin!.on('error', () => {}); // EPIPE when the command exits without reading its stdin
      // under a become password (or su), stdin waits until sudo or su is past its prompt
      if (!gate) child.stdin!.end(opts.stdin ?? '');
    });
  }

  return {
    host,
    exec,
    async close() {
      if (closed) return;
      closed = true;
      for (const abort of [...running.values()]) abort(new UnreachableError(host, `connection to ${host} closed while a command was running`));
    },
  };
}
