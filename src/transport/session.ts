// One persistent shell per SSH connection (issue #11): a small POSIX sh loop started once on its own
// channel, which then runs every command of the run, framed over its stdin/stdout. A command no longer
// costs a channel open, an exec request, sshd's session setup and the login shell (nor sudo under
// become): only a round trip and a fork.
//
// The protocol, all of it in SESSION_SCRIPT below:
//   client -> helper   "<nonce> <command bytes> <stdin bytes>\n" <command> <stdin>
//   helper -> client   the command's own stdout and stderr, as it writes them (so progress streams);
//                      then "<nonce>\n" on stderr and "<nonce> <exit code>\n" on stdout.
// The nonce is random per command, so no output can fake the end of a command. The command runs as
// `sh -c` would run it: in a subshell (`cd`, `exit`, `set -e` stay inside), $0 = sh, no positional
// parameters, stdin /dev/null or exactly the bytes given (then EOF), and none of the loop's variables.
// `head -c` reads the command and its stdin: the probe at start checks that it reads no more than it is
// asked (GNU and BusyBox head do not), since a head that reads ahead would eat the next command.
import { randomBytes } from 'node:crypto';
import { streamTo } from './pool.ts';
import type { ExecOptions, ExecResult } from './types.ts';

/** The loop. Its variables start with `__skiff_` and are unset before the command runs. */
export const SESSION_SCRIPT = [
  `__skiff_h=$(head -c 6) && IFS= read -r __skiff_t && [ "$__skiff_h$__skiff_t" = skiff-probe ] || { echo skiff-session-unusable; exit 97; }`,
  `echo skiff-session-ready`,
  `while IFS=' ' read -r __skiff_n __skiff_c __skiff_i; do`,
  `  __skiff_c=$(head -c "$__skiff_c"; printf x); __skiff_c=\${__skiff_c%x}`,
  `  if [ "$__skiff_i" = 0 ]; then`,
  `    (set -- "$__skiff_c"; unset __skiff_n __skiff_c __skiff_i __skiff_h __skiff_t __skiff_r; eval "set --; $1") </dev/null`,
  `  else`,
  `    head -c "$__skiff_i" | { (set -- "$__skiff_c"; unset __skiff_n __skiff_c __skiff_i __skiff_h __skiff_t __skiff_r; eval "set --; $1"); __skiff_r=$?; cat >/dev/null; exit $__skiff_r; }`,
  `  fi`,
  `  __skiff_r=$?`,
  `  printf '%s\\n' "$__skiff_n" >&2`,
  `  printf '%s %s\\n' "$__skiff_n" "$__skiff_r"`,
  `done`,
].join('\n');

export const PROBE = 'skiff-probe\n';
export const READY = 'skiff-session-ready\n';

/** The bytes sent for one command: header (lengths in bytes, as head -c counts), command, stdin. */
export function frame(nonce: string, cmd: string, stdin: string | Buffer | undefined): Buffer {
  const c = Buffer.from(cmd, 'utf8');
  const i = stdin === undefined ? Buffer.alloc(0) : Buffer.isBuffer(stdin) ? stdin : Buffer.from(stdin, 'utf8');
  return Buffer.concat([Buffer.from(`${nonce} ${c.length} ${i.length}\n`), c, i]);
}

export const newNonce = (): string => `skiff-end-${randomBytes(16).toString('hex')}`;

/**
 * Reads one command's output off the session's two streams: everything before the nonce is the
 * command's; stdout's marker carries the exit code. Pure apart from the onStdout callback.
 */
export class CommandReader {
  private out = Buffer.alloc(0);
  private err = Buffer.alloc(0);
  private emitted = 0;
  private code: number | undefined;
  private errDone = false;
  private readonly marker: Buffer;
  private readonly stream: (b: Buffer) => void;

  constructor(
    readonly nonce: string,
    onStdout?: ExecOptions['onStdout'],
  ) {
    this.marker = Buffer.from(nonce);
    this.stream = streamTo(onStdout);
  }

  /** Stdout data; holds back what could be the start of the marker until it is known not to be. */
  stdout(b: Buffer): void {
    if (this.code !== undefined) return; // after the marker: not this command's (a stray background writer)
    this.out = Buffer.concat([this.out, b]);
    const m = this.out.indexOf(this.marker, Math.max(0, this.emitted - this.marker.length));
    if (m < 0) {
      const safe = Math.max(this.emitted, partialAt(this.out, this.marker));
      if (safe > this.emitted) this.stream(this.out.subarray(this.emitted, safe));
      this.emitted = safe;
      return;
    }
    const nl = this.out.indexOf(0x0a, m);
    if (nl < 0) return; // the exit code is still on its way
    if (m > this.emitted) this.stream(this.out.subarray(this.emitted, m));
    this.emitted = m;
    this.code = Number(this.out.subarray(m + this.marker.length, nl).toString().trim());
    this.out = this.out.subarray(0, m);
  }

  stderr(b: Buffer): void {
    if (this.errDone) return;
    this.err = Buffer.concat([this.err, b]);
    const m = this.err.indexOf(this.marker);
    if (m >= 0 && this.err.indexOf(0x0a, m) >= 0) {
      this.errDone = true;
      this.err = this.err.subarray(0, m);
    }
  }

  /** The result once both markers are in. */
  result(): ExecResult | undefined {
    if (this.code === undefined || !this.errDone) return undefined;
    return { code: this.code, stdout: this.out.toString('utf8'), stderr: this.err.toString('utf8') };
  }
}

/** Where a tail of `buf` that is the start of `marker` begins (buf.length when there is none). */
export function partialAt(buf: Buffer, marker: Buffer): number {
  for (let k = Math.min(marker.length - 1, buf.length); k > 0; k--) {
    if (buf.subarray(buf.length - k).equals(marker.subarray(0, k))) return buf.length - k;
  }
  return buf.length;
}

/** A byte pipe to a running SESSION_SCRIPT: an SSH channel, or a local `sh` in tests. */
export interface SessionIO {
  write(b: Buffer | string): void;
  /** ends the helper (closes its stdin and the channel or process) */
  close(): void;
}

/**
 * The client side of one session: start() once, then run() one command at a time. When the stream
 * closes or breaks, the command in flight rejects and the session is `dead` (the caller opens another
 * or falls back to an exec per command).
 */
export class Session {
  dead: Error | undefined;
  busy = false;
  private ready: { resolve: () => void; reject: (e: Error) => void; seen: string } | undefined;
  private current: { reader: CommandReader; resolve: (r: ExecResult) => void; reject: (e: Error) => void } | undefined;

  constructor(private readonly io: SessionIO) {}

  /**
   * Sends the probe; resolves on the helper's ready line, rejects on anything else, on close, or after
   * `timeoutMs` (a head that read the probe's second half ahead leaves the helper waiting for it).
   */
  start(timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.abandon(new Error(`the session helper did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const settle = (f: () => void) => {
        clearTimeout(t);
        f();
      };
      this.ready = { resolve: () => settle(resolve), reject: (e) => settle(() => reject(e)), seen: '' };
      this.io.write(PROBE);
    });
  }

  stdout(b: Buffer): void {
    if (this.ready) {
      const r = this.ready;
      r.seen += b.toString('utf8');
      if (r.seen.length < READY.length && READY.startsWith(r.seen)) return;
      this.ready = undefined;
      if (r.seen === READY) r.resolve();
      else r.reject(new Error(`the session helper did not start (it said ${JSON.stringify(r.seen.trim().slice(0, 200))})`));
      return;
    }
    this.current?.reader.stdout(b);
    this.settle();
  }

  stderr(b: Buffer): void {
    this.current?.reader.stderr(b);
    this.settle();
  }

  /** The stream is gone (channel closed, connection lost): whatever waits fails with `e`. */
  closed(e: Error): void {
    this.dead ??= e;
    this.ready?.reject(this.dead);
    this.ready = undefined;
    const c = this.current;
    this.current = undefined;
    c?.reject(this.dead);
  }

  run(cmd: string, opts: ExecOptions = {}): Promise<ExecResult> {
    if (this.dead) return Promise.reject(this.dead);
    if (this.current) return Promise.reject(new Error('session: one command at a time'));
    const nonce = newNonce();
    return new Promise((resolve, reject) => {
      this.current = { reader: new CommandReader(nonce, opts.onStdout), resolve, reject };
      this.io.write(frame(nonce, cmd, opts.stdin));
    });
  }

  /** Abandons the command in flight (a timeout): the session is dead, its helper is closed. */
  abandon(e: Error): void {
    this.closed(e);
    this.io.close();
  }

  private settle(): void {
    const r = this.current?.reader.result();
    if (!r) return;
    const c = this.current!;
    this.current = undefined;
    c.resolve(r);
  }
}
