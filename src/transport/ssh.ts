// SSH connection (ssh2 Client) implementing Connection: host key checking against known_hosts,
// key/agent/password auth, a per-connection channel limit, and sh -c / sudo -n sh -c command wrapping.
//
// Liveness: keepalive every 5 s, connection dropped after 3 unanswered, so a host whose link goes
// down is declared unreachable within ~15-20 s (commands in flight reject with UnreachableError).

import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { checkHostKey, fingerprintSha256, formatKnownHostsLine, keyTypeOfBlob, knownKeyTypes, type HostKeyVerdict } from './known-hosts.ts';
import { Semaphore, signalExitCode, streamTo, sudoPasswordError, TIMEOUT_CODE } from './pool.ts';
import { shq } from './quote.ts';
import {
  HostKeyMismatchError,
  UnreachableError,
  type Connection,
  type ExecOptions,
  type ExecResult,
  type SshTarget,
} from './types.ts';

/**
 * Below OpenSSH's default MaxSessions (10): 8 exec channels + 1 for killing timed-out commands
 * + 1 for an SFTP session.
 */
export const DEFAULT_MAX_CHANNELS = 8;
const KEEPALIVE_INTERVAL_MS = 5000;
const KEEPALIVE_COUNT_MAX = 3;
/** Upper bound for killing a timed-out command on the host. */
const KILL_BOUND_MS = 5000;

// ssh2's default host key algorithm order (same list, spelled out so it can be reordered).
const HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

async function readKnownHosts(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw e;
  }
}

/**
 * Like OpenSSH, offer the host key algorithms already recorded for this host first; otherwise a host
 * known by (say) its ECDSA key would negotiate ed25519 and look "unknown".
 */
function hostKeyAlgorithms(knownTypes: string[]): string[] | undefined {
  const first = knownTypes.flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]));
  const preferred = HOST_KEY_ALGORITHMS.filter((a) => first.includes(a));
  if (preferred.length === 0) return undefined;
  return [...preferred, ...HOST_KEY_ALGORITHMS.filter((a) => !preferred.includes(a))];
}

export async function connectSsh(target: SshTarget, opts: { maxChannels?: number } = {}): Promise<Connection> {
  const { host, address, port, knownHostsFile: khFile } = target;
  const where = `${target.user}@${address}:${port}`;
  const unreachable = (msg: string) => new UnreachableError(host, `${host} (${where}): ${msg}`);
  // Names this host may be recorded under; a match on either is a match, a mismatch on either refuses.
  const names = host === address ? [address] : [address, host];

  // ---- auth: key file, else agent; a password is offered too when set
  const cfg: ConnectConfig = {
    host: address,
    port,
    username: target.user,
    readyTimeout: target.connectTimeoutMs,
    keepaliveInterval: KEEPALIVE_INTERVAL_MS,
    keepaliveCountMax: KEEPALIVE_COUNT_MAX,
  };
  if (target.privateKeyFile) {
    try {
      cfg.privateKey = await readFile(target.privateKeyFile);
    } catch (e) {
      throw unreachable(`cannot read private key ${target.privateKeyFile}: ${(e as Error).message}`);
    }
  } else if (process.env.SSH_AUTH_SOCK) {
    cfg.agent = process.env.SSH_AUTH_SOCK;
  }
  if (target.password !== undefined) cfg.password = target.password;
  if (!cfg.privateKey && !cfg.agent && cfg.password === undefined) {
    throw unreachable('no credentials: set a private key file or a password, or run an ssh-agent (SSH_AUTH_SOCK)');
  }

  let khText: string;
  try {
    khText = await readKnownHosts(khFile);
  } catch (e) {
    throw unreachable(`cannot read known_hosts ${khFile}: ${(e as Error).message}`);
  }
  const algos = hostKeyAlgorithms(names.flatMap((n) => knownKeyTypes(khText, n, port)));
  if (algos) cfg.algorithms = { serverHostKey: algos as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] };

  // ---- host key verification. ssh2 only reports "Host denied" when we refuse, so the real reason is
  // kept here and thrown instead.
  let refusal: UnreachableError | undefined;
  cfg.hostVerifier = (key: Buffer, verify: (ok: boolean) => void): void => {
    void (async () => {
      const keyType = keyTypeOfBlob(key);
      const b64 = key.toString('base64');
      const fp = fingerprintSha256(b64);
      // re-read: another connection (same address, other inventory name) may have appended meanwhile
      const text = await readKnownHosts(khFile);
      const verdicts: HostKeyVerdict[] = names.map((n) => checkHostKey(text, n, port, keyType, b64));
      if (verdicts.includes('mismatch')) {
        refusal = new HostKeyMismatchError(host, fp, khFile);
        return verify(false);
      }
      if (verdicts.includes('match')) return verify(true);
      if (!target.acceptNewHostKeys) {
        refusal = unreachable(
          `host key is not in ${khFile} (${keyType} ${fp}); check the fingerprint and rerun with ` +
            `--accept-new-host-keys to record it`,
        );
        return verify(false);
      }
      await mkdir(dirname(khFile), { recursive: true, mode: 0o700 });
      const sep = text !== '' && !text.endsWith('\n') ? '\n' : '';
      await appendFile(khFile, `${sep}${formatKnownHostsLine(address, port, keyType, b64)}\n`, { mode: 0o600 });
      verify(true);
    })().catch((e: Error) => {
      refusal = unreachable(`host key check failed (${khFile}): ${e.message}`);
      verify(false);
    });
  };

  // ---- connect
  const client = new Client();
  let dead: UnreachableError | undefined; // set once the connection is gone; later execs reject with it
  let lastError: Error | undefined;
  const inFlight = new Set<(e: Error) => void>();
  const sem = new Semaphore(opts.maxChannels ?? DEFAULT_MAX_CHANNELS);
  const killSem = new Semaphore(1); // see killTagged

  await new Promise<void>((resolve, reject) => {
    const fail = (e: Error): void => {
      client.removeListener('ready', onReady);
      reject(refusal ?? unreachable(e.message));
      client.end();
    };
    const onReady = (): void => {
      client.removeListener('error', fail);
      client.removeListener('close', onEarlyClose);
      // Nagle's algorithm holds small packets back: ~45 ms per exec round trip instead of ~5 ms.
      client.setNoDelay(true);
      resolve();
    };
    const onEarlyClose = (): void => fail(lastError ?? new Error('connection closed during handshake'));
    client.once('ready', onReady).once('error', fail).once('close', onEarlyClose);
    try {
      client.connect(cfg);
    } catch (e) {
      // e.g. "Cannot parse privateKey: Encrypted private OpenSSH key detected, but no passphrase given"
      fail(new Error(`${(e as Error).message}${target.privateKeyFile ? ` (${target.privateKeyFile})` : ''}`));
    }
  });

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

  /** `sh -c CMD`, or `sudo -n sh -c CMD` under become: the remote login shell only starts it. */
  const wrap = (cmd: string): string => `${target.become ? `sudo -n ${target.becomeUser ? `-u ${shq(target.becomeUser)} ` : ''}` : ''}sh -c ${shq(cmd)}`;

  /** Runs one command line on its own channel; `timedOut` tells the caller to reap it. */
  function runChannel(full: string, opts: ExecOptions): Promise<{ r: ExecResult; timedOut: boolean }> {
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

      // sshd frees a session slot only once the session's processes are reaped, a little after the
      // channel closed: under load a new channel can be refused though we stay under MaxSessions.
      // Retry a refused open a few times (bounded: ~1.5 s in all) before calling it a failure.
      let attempt = 0;
      const open = (): void => {
      try {
        client.exec(full, (e, ch) => {
          if (e && !dead && !done && attempt < 8 && /open failed/i.test(e.message)) {
            attempt++;
            timers.push(setTimeout(open, 40 * attempt));
            return;
          }
          if (e) return finish(dead ?? new Error(`${host}: cannot open a session channel: ${e.message}`));
          stream = ch;
          if (done || timedOut) return void ch.close();
          ch.on('error', (e: Error) => finish(dead ?? new Error(`${host}: channel error: ${e.message}`)));
          ch.stderr.on('error', () => {}); // reported through the channel
          const streamed = streamTo(opts.onStdout);
          ch.on('data', (b: Buffer) => {
            out.push(b);
            streamed(b);
          });
          ch.stderr.on('data', (b: Buffer) => err.push(b));
          ch.on('exit', (code: number | null, signal?: string) => {
            exitCode = code ?? signalExitCode(signal);
          });
          // 'close' comes after 'exit' and after both streams ended: all output is in.
          ch.on('close', () => {
            if (dead && exitCode === undefined && !timedOut) return finish(dead);
            const r = result();
            finish(target.become && r.code !== 0 ? sudoPasswordError(host, r.stderr) : undefined, r);
          });
          ch.end(opts.stdin ?? '');
        });
      } catch (e) {
        finish(dead ?? unreachable((e as Error).message)); // "Not connected"
      }
      };
      open();
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
      await Promise.race([runChannel(wrap(script), {}).catch(() => undefined), bound]);
    } finally {
      clearTimeout(t);
      killSem.release();
    }
  }

  let closing: Promise<void> | undefined;
  const running = new Set<string>();

  return {
    host,
    async exec(cmd: string, opts: ExecOptions = {}): Promise<ExecResult> {
      if (dead) throw dead;
      // With a timeout, tag the login shell's command line so a timed-out command can be found and
      // killed (see killTagged); the command itself is unchanged. The trailing `exit $?` keeps the
      // login shell from exec'ing into sh (bash/zsh exec the last simple command), so the tagged
      // process stays alive as the session's process group leader.
      // Every command is tagged, so that an interrupted run can end what it started (close({ kill })).
      const tag = `skiff-exec-${randomUUID()}`;
      const full = `${wrap(cmd)}; exit $? # ${tag}`;
      await sem.acquire(); // rejects if the connection goes away while queued
      running.add(tag);
      try {
        if (dead) throw dead;
        const { r, timedOut } = await runChannel(full, opts);
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
