// SSH connection implementing Connection: the handshake (ssh-handshake.ts: credentials, host key), or
// the same through jump hosts (ssh-jump.ts); then a per-connection channel limit, commands wrapped in
// `sh -c` or sudo (become.ts), timeouts that end what they started.
//
// Liveness: keepalive every 5 s, connection dropped after 3 unanswered, so a host whose link goes
// down is declared unreachable within ~15-20 s (commands in flight reject with UnreachableError).

import { randomUUID } from 'node:crypto';
import type { Client, ClientChannel } from 'ssh2';
import { becomeLine, becomePasswordError, becomeRefused, type Become, type BecomeGate } from './become.ts';
import { Semaphore, signalExitCode, streamTo, TIMEOUT_CODE } from './pool.ts';
import { handshake } from './ssh-handshake.ts';
import { tunnel } from './ssh-jump.ts';
import { Session, SESSION_SCRIPT } from './session.ts';
import { UnreachableError, type Connection, type ExecOptions, type ExecResult, type SshTarget } from './types.ts';

/**
 * Below OpenSSH's default MaxSessions (10): 8 exec channels + 1 for killing timed-out commands
 * + 1 for an SFTP session.
 */
export const DEFAULT_MAX_CHANNELS = 8;
/** Upper bound for killing a timed-out command on the host. */
const KILL_BOUND_MS = 5000;

/** Persistent sessions per connection (session.ts): commands of one host run mostly one at a time. */
export const DEFAULT_SESSIONS = 3;

export interface SshOptions {
  maxChannels?: number;
  /** persistent shell sessions kept open (0: an exec channel per command, the way before issue #11) */
  sessions?: number;
  /** told once when the connection falls back to an exec per command, and why (shown under -v) */
  onNote?(text: string): void;
}

export async function connectSsh(target: SshTarget, opts: SshOptions = {}): Promise<Connection> {
  const { host, address, port } = target;
  const where = `${target.user}@${address}:${port}`;
  const unreachable = (msg: string) => new UnreachableError(host, `${host} (${where}): ${msg}`);
  let release = () => {};
  let sock;
  if (target.jumps?.length) ({ sock, release } = await tunnel(target.jumps, { host, address, port }));
  let client: Client;
  try {
    client = await handshake(target, { sock, unreachable });
  } catch (e) {
    release();
    throw e;
  }
  client.once('close', release);

  let dead: UnreachableError | undefined; // set once the connection is gone; later execs reject with it
  let lastError: Error | undefined;
  const inFlight = new Set<(e: Error) => void>();
  const maxSessions = opts.sessions ?? DEFAULT_SESSIONS;
  // sessions hold an sshd session each for the whole run: exec channels get what is left
  const sem = new Semaphore(Math.max(1, (opts.maxChannels ?? DEFAULT_MAX_CHANNELS) - maxSessions));
  const killSem = new Semaphore(1); // see killTagged

  // After 'ready': an 'error' (keepalive timeout, socket reset) is followed by 'close'.
  client.on('error', (e) => {
    lastError = e;
  });
  let clientClosed = false;
  client.on('close', () => {
    clientClosed = true;
    dead ??= unreachable(`connection lost${lastError ? `: ${lastError.message}` : ''}`);
    for (const abort of [...inFlight]) abort(dead);
    sem.rejectWaiting(dead);
    killSem.rejectWaiting(dead);
  });

  /** `sh -c CMD`, or sudo's or su's under become (become.ts): the remote login shell only starts it. */
  const become: Become | undefined = target.become ? { ...target.becomeHow, user: target.becomeUser, password: target.becomePassword } : undefined;

  /**
   * An exec channel running `full`, given to `onOpen` as soon as it is open (synchronously: its
   * 'exit' may come in the same read). sshd frees a session slot only once the session's processes
   * are reaped, a little after the channel closed: under load a new channel can be refused though we
   * stay under MaxSessions. A refused open is retried a few times (bounded: ~1.5 s in all, not once
   * `stop()` says the caller gave up) before it is a failure.
   */
  function openChannel(full: string, stop: () => boolean, onOpen: (ch: ClientChannel) => void, onFail: (e: Error) => void): void {
    let attempt = 0;
    const open = (): void => {
      if (stop()) return onFail(new Error('given up'));
      try {
        client.exec(full, (e, ch) => {
          if (e && !dead && !stop() && attempt < 8 && /open failed/i.test(e.message)) {
            attempt++;
            return void setTimeout(open, 40 * attempt);
          }
          if (e) return onFail(dead ?? new Error(`${host}: cannot open a session channel: ${e.message}`));
          onOpen(ch);
        });
      } catch (e) {
        onFail(dead ?? unreachable((e as Error).message)); // "Not connected"
      }
    };
    open();
  }

  /** Runs one command line on its own channel; `timedOut` tells the caller to reap it. */
  function runChannel(full: string, opts: ExecOptions, gate?: BecomeGate): Promise<{ r: ExecResult; timedOut: boolean }> {
    return new Promise((resolve, reject) => {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let exitCode: number | undefined;
      let timedOut = false;
      let stream: ClientChannel | undefined;
      const timers: NodeJS.Timeout[] = [];
      let done = false;

      const result = (): ExecResult => {
        const stdout = Buffer.concat(out).toString('utf8');
        let stderr = Buffer.concat(err).toString('utf8');
        if (timedOut) stderr += `${stderr && !stderr.endsWith('\n') ? '\n' : ''}skiff: command timed out after ${opts.timeoutMs} ms\n`;
        // no 'exit' message (allowed by the spec, or the server killed the session): 255 like ssh(1)
        return { code: timedOut ? TIMEOUT_CODE : (exitCode ?? 255), stdout, stderr };
      };
      const finish = (e: Error | undefined, r?: ExecResult): void => {
        if (done) return;
        done = true;
        timers.forEach(clearTimeout);
        inFlight.delete(abort);
        if (e) {
          stream?.close();
          reject(e);
        } else {
          resolve({ r: r!, timedOut });
        }
      };
      const abort = (e: Error): void => finish(e);
      inFlight.add(abort);

      if (opts.timeoutMs !== undefined) {
        timers.push(
          setTimeout(() => {
            timedOut = true;
            // sshd keeps the channel open until the command exits: answer now, exec() kills it next
            stream?.close();
            finish(undefined, result());
          }, opts.timeoutMs),
        );
      }

      openChannel(
        full,
        () => done,
        (ch) => {
          stream = ch;
          if (done || timedOut) return void ch.close();
          ch.on('error', (e: Error) => finish(dead ?? new Error(`${host}: channel error: ${e.message}`)));
          ch.stderr.on('error', () => {}); // reported through the channel
          const streamed = streamTo(opts.onStdout);
          ch.on('data', (b: Buffer) => {
            out.push(b);
            streamed(b);
          });
          ch.stderr.on('data', (b: Buffer) => {
            if (!gate || gate.done) return void err.push(b);
            // sudo's or su's prompt, or the marker that the command runs (become.ts)
            const step = gate.feed(b.toString('utf8'));
            if (step.stderr) err.push(Buffer.from(step.stderr));
            if (step.write) ch.write(step.write);
            if (step.ready) ch.end(opts.stdin ?? '');
            if (step.refused) finish(becomeRefused(host, gate.method, step.refused));
          });
          ch.on('exit', (code: number | null, signal?: string) => {
            exitCode = code ?? signalExitCode(signal);
          });
          // 'close' comes after 'exit' and after both streams ended: all output is in.
          ch.on('close', () => {
            if (dead && exitCode === undefined && !timedOut) return finish(dead);
            if (gate && !gate.done) err.push(Buffer.from(gate.rest()));
            const r = result();
            finish(target.become && r.code !== 0 ? becomePasswordError(host, r.stderr) : undefined, r);
          });
          // under a become password, stdin waits until sudo is past its prompt
          if (!gate) ch.end(opts.stdin ?? '');
        },
        (e) => finish(e),
      );
    });
  }

  /**
   * Kills the process group(s) of a timed-out command. Closing its channel does not end it (sshd
   * leaves non-pty commands running, and keeps their session slot counted against MaxSessions until
   * they exit), and the SSH "signal" request is no help: sshd refuses it for root logins ("session
   * signalling requires privilege separation") and ssh2 drops it once stdin is ended. sshd starts
   * each session in its own process group, so killing the group of the tagged login shell ends the
   * command and its children. The `[s]` keeps the awk pattern from matching this command itself.
   * Best effort and bounded: needs ps and awk on the host. Killers run one at a time outside the
   * exec slots (the timed-out command keeps its slot meanwhile), so at most maxChannels + 1
   * sessions are open on the server.
   */
  async function killTagged(tag: string): Promise<void> {
    const script =
      `ps -eo pgid=,args= | awk '/[s]${tag.slice(1)}/ { print $1 }' | sort -u | ` +
      `while read -r g; do kill -9 "-$g"; done 2>/dev/null; true`; // dash's kill rejects `--`
    try {
      await killSem.acquire();
    } catch {
      return; // connection gone
    }
    let t: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((r) => (t = setTimeout(r, KILL_BOUND_MS)));
    try {
      const b = becomeLine(script, become);
      await Promise.race([runChannel(b.line, {}, b.gate).catch(() => undefined), bound]);
    } finally {
      clearTimeout(t);
      killSem.release();
    }
  }

  let closing: Promise<void> | undefined;
  const running = new Set<string>();

  // ---- persistent sessions (session.ts) ----
  let sessionsOff: string | undefined = maxSessions > 0 ? undefined : 'sessions disabled';
  let live = 0;
  const idle: Live[] = [];
  interface Live {
    s: Session;
    tag: string;
  }

  /** Opens a channel running the helper (under sudo for become, a password answered once). */
  function startSession(): Promise<Live> {
    const tag = `skiff-session-${randomUUID()}`;
    const b = becomeLine(SESSION_SCRIPT, become);
    const full = `${b.line}; exit $? # ${tag}`;
    return new Promise<Live>((resolve, reject) => {
      openChannel(
        full,
        () => false,
        (ch) => {
          const s = new Session({ write: (d) => ch.write(d), close: () => ch.close() });
          const errText: string[] = [];
          const gate = b.gate;
          ch.on('data', (d: Buffer) => s.stdout(d));
          ch.stderr.on('data', (d: Buffer) => {
            if (!gate || gate.done) {
              if (!sessionReady) errText.push(d.toString('utf8'));
              return s.stderr(d);
            }
            const step = gate.feed(d.toString('utf8'));
            if (step.write) ch.write(step.write);
            if (step.ready) s.start().then(ok, fail);
            if (step.refused) fail(becomeRefused(host, gate.method, step.refused));
          });
          ch.on('error', (x: Error) => s.closed(dead ?? x));
          ch.stderr.on('error', () => {});
          ch.on('close', () => s.closed(dead ?? new Error('the session channel closed')));
          let sessionReady = false;
          const ok = () => {
            sessionReady = true;
            running.add(tag); // Ctrl-C ends the helper and what it runs
            resolve({ s, tag });
          };
          const fail = (x: Error) => {
            s.abandon(x);
            const said = errText.join('').trim();
            reject(new Error(`${x.message}${said ? `; it said: ${said.slice(0, 300)}` : ''}`));
          };
          if (!gate) s.start().then(ok, fail);
        },
        reject,
      );
    });
  }

  /**
   * An idle session, or a new one while fewer than maxSessions are open; undefined when all are busy
   * (the command gets an exec channel: commands sent at once still run at once) or sessions are off.
   */
  async function takeSession(): Promise<Live | undefined> {
    if (sessionsOff || dead) return undefined;
    for (let l = idle.pop(); l; l = idle.pop()) {
      if (!l.s.dead) return l;
      forget(l); // its channel closed while idle
    }
    if (live >= maxSessions) return undefined;
    live++;
    try {
      return await startSession();
    } catch (e) {
      live--;
      if (dead) throw dead;
      sessionsOff ??= (e as Error).message;
      opts.onNote?.(`${host}: one exec per command (the persistent session did not start: ${sessionsOff})`);
      return undefined;
    }
  }

  function forget(l: Live): void {
    live--;
    running.delete(l.tag);
  }

  function giveBack(l: Live): void {
    if (l.s.dead) forget(l);
    else idle.push(l);
  }

  /**
   * Settles once the connection has shown it is alive or gone, with no timed wait: the server answers
   * a channel open (a refusal is an answer too), or the client's 'close' comes first (then `dead` is
   * set). A server closes a channel before its disconnect, and TCP keeps that order.
   */
  function answers(): Promise<void> {
    return new Promise<void>((resolve) => {
      const settled = (): void => {
        client.removeListener('close', settled);
        resolve();
      };
      client.once('close', settled);
      try {
        client.exec('true', (e, ch) => {
          if (!e) {
            ch.resume();
            ch.close();
          }
          settled();
        });
      } catch {
        settled(); // "Not connected"
      }
    });
  }

  async function execOnSession(l: Live, cmd: string, o: ExecOptions): Promise<ExecResult> {
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const timeout = o.timeoutMs === undefined ? undefined : new Promise<ExecResult>((resolve) => {
      timer = setTimeout(() => {
        timedOut = true;
        l.s.abandon(new Error('timed out'));
        resolve({ code: TIMEOUT_CODE, stdout: '', stderr: `skiff: command timed out after ${o.timeoutMs} ms\n` });
      }, o.timeoutMs);
    });
    try {
      const r = await (timeout ? Promise.race([l.s.run(cmd, o), timeout]) : l.s.run(cmd, o)).catch(async (e: Error) => {
        if (timedOut) return timeout!;
        // a host going away may close its channels before its connection: the connection decides,
        // so that a host gone is "unreachable" and only a helper ended on a live connection a failure
        if (!dead) await answers();
        throw dead ?? new Error(`${host}: the session ended during a command: ${e.message}`);
      });
      // the helper and what it ran are killed before the session's place is given back (as a
      // timed-out exec channel keeps its slot until its command is gone)
      if (timedOut && !dead) await killTagged(l.tag);
      return r;
    } finally {
      clearTimeout(timer);
      giveBack(l);
    }
  }

  return {
    host,
    async exec(cmd: string, opts: ExecOptions = {}): Promise<ExecResult> {
      if (dead) throw dead;
      const l = await takeSession();
      if (l) return execOnSession(l, cmd, opts);
      // With a timeout, tag the login shell's command line so a timed-out command can be found and
      // killed (see killTagged); the command itself is unchanged. The trailing `exit $?` keeps the
      // login shell from exec'ing into sh (bash/zsh exec the last simple command), so the tagged
      // process stays alive as the session's process group leader.
      // Every command is tagged, so that an interrupted run can end what it started (close({ kill })).
      const tag = `skiff-exec-${randomUUID()}`;
      const b = becomeLine(cmd, become);
      const full = `${b.line}; exit $? # ${tag}`;
      await sem.acquire(); // rejects if the connection goes away while queued
      running.add(tag);
      try {
        if (dead) throw dead;
        const { r, timedOut } = await runChannel(full, opts, b.gate);
        // keep the slot until the command is really gone: its sshd session counts until then
        if (timedOut && tag && !dead) await killTagged(tag);
        return r;
      } finally {
        running.delete(tag);
        sem.release();
      }
    },
    close(opts: { kill?: boolean } = {}): Promise<void> {
      // Ctrl-C: end the commands this connection started (bounded), then disconnect.
      const killFirst = opts.kill && running.size && !dead ? Promise.all([...running].map((t) => killTagged(t))).then(() => undefined) : Promise.resolve();
      closing ??= killFirst.then(() => new Promise<void>((resolve) => {
        dead ??= unreachable('connection closed while a command was running');
        for (const abort of [...inFlight]) abort(dead);
        sem.rejectWaiting(dead);
        killSem.rejectWaiting(dead);
        if (clientClosed) return resolve();
        const t = setTimeout(() => {
          client.destroy(); // server did not answer the disconnect: drop the socket
          resolve();
        }, 2000);
        client.once('close', () => {
          clearTimeout(t);
          resolve();
        });
        client.end();
      }));
      return closing;
    },
  };
}
