// The one interface every task talks to a host through. SSH and local connections implement it.
import type { BecomeHow } from './become.ts';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** bytes written to the command's stdin, then stdin is closed */
  stdin?: string | Buffer;
  /** the command is ended (channel closed / process killed) after this many ms; result code 124 */
  timeoutMs?: number;
  /**
   * Called with the command's stdout as it arrives (UTF-8 text, split anywhere, even mid-line), for
   * long commands that print their own progress. The result still holds the whole stdout. A callback
   * that throws is ignored: progress must never break the command.
   */
  onStdout?(chunk: string): void;
}

export interface Connection {
  readonly host: string;
  /** Runs `cmd` with the remote user's POSIX sh (wrapped in `sudo -n sh -c`, or su's, under become). */
  exec(cmd: string, opts?: ExecOptions): Promise<ExecResult>;
  /** Closes the connection; with kill, first ends (best effort, bounded) the commands still running. */
  close(opts?: { kill?: boolean }): Promise<void>;
}

/** One SSH login: the target host itself, or a jump host on the way to it. */
export interface Hop {
  /** inventory name (or the jump spec as written), for messages and known_hosts look-up */
  host: string;
  address: string;
  port: number;
  user: string;
  privateKeyFile?: string;
  /** for an encrypted private key that ssh-agent does not hold */
  passphrase?: string;
  password?: string;
  knownHostsFile: string;
  acceptNewHostKeys: boolean;
  connectTimeoutMs: number;
}

export interface SshTarget extends Hop {
  become: boolean;
  /** sudo -u (su's user) under become; root when unset */
  becomeUser?: string;
  /** sudo's or su's password (given on stdin); without it become is `sudo -n`, or su that must not ask */
  becomePassword?: string;
  /** sudo (unset) or su, and their become_exe and become_flags */
  becomeHow?: BecomeHow;
  /** jump hosts, first hop first (ProxyJump) */
  jumps?: Hop[];
}

/** Connection failures the engine reports as "unreachable" rather than "failed". */
export class UnreachableError extends Error {
  constructor(
    readonly host: string,
    message: string,
  ) {
    super(message);
    this.name = 'UnreachableError';
  }
}

/** A host key that differs from the one recorded: never accepted, not even with --accept-new-host-keys. */
export class HostKeyMismatchError extends UnreachableError {
  constructor(
    host: string,
    readonly fingerprint: string,
    readonly knownHostsFile: string,
  ) {
    super(host, `host key for ${host} does not match ${knownHostsFile} (offered ${fingerprint}); refusing to connect`);
    this.name = 'HostKeyMismatchError';
  }
}
