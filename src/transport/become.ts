// become: how a command runs through sudo, for the SSH and local transports alike. Without a password:
// `sudo -n` (fails instead of prompting). With one (-K, become_password): `sudo -S` reads it from the
// command's stdin, never argv or the environment. sudo may not ask (NOPASSWD, or no policy demands it),
// and then the password must not reach the command: so sudo gets a prompt of our own (-p), and the
// command first prints a marker on stderr. Whichever comes first decides: the prompt gets the password,
// the marker means the command runs, and only then is the command's own stdin sent (Ansible's
// "become success" marker, the same idea).
import { randomUUID } from 'node:crypto';
import { shq } from './quote.ts';

export interface Become {
  user?: string;
  password?: string;
}

export interface BecomeLine {
  /** the command line for the remote (or local) POSIX shell */
  line: string;
  /** present when a password may be asked for: feed it stderr until it says ready */
  gate?: BecomeGate;
}

export function becomeLine(cmd: string, b: Become | undefined): BecomeLine {
  if (!b) return { line: `sh -c ${shq(cmd)}` };
  const user = b.user ? `-u ${shq(b.user)} ` : '';
  if (b.password === undefined) return { line: `sudo -n ${user}sh -c ${shq(cmd)}` };
  const nonce = randomUUID();
  const gate = new BecomeGate(nonce, b.password);
  // -k: never a cached credential, so the prompt (or the marker) always comes in the same place
  return { line: `sudo -S -k -p ${shq(gate.prompt)} ${user}sh -c ${shq(`printf '%s\\n' ${shq(gate.marker)} >&2; ${cmd}`)}`, gate };
}

export type GateStep = { write?: string; ready?: true; refused?: true; stderr: string };

/** Watches stderr until sudo's prompt (answer it) or the marker (the command runs). */
export class BecomeGate {
  readonly prompt: string;
  readonly marker: string;
  private buf = '';
  private answered = false;
  done = false;

  constructor(
    nonce: string,
    private readonly password: string,
  ) {
    this.prompt = `[skiff-become-${nonce}] password: `;
    this.marker = `skiff-become-ok-${nonce}`;
  }

  /** Pure state machine over stderr chunks; `stderr` is what belongs to the command's own stderr. */
  feed(chunk: string): GateStep {
    if (this.done) return { stderr: chunk };
    this.buf += chunk;
    const m = this.buf.indexOf(this.marker + '\n');
    if (m >= 0) {
      this.done = true;
      const before = this.buf.slice(0, m).split(this.prompt).join('');
      const after = this.buf.slice(m + this.marker.length + 1);
      this.buf = '';
      // what sudo said before the marker ("Sorry, try again" after a retry) is not the command's
      return { ready: true, stderr: before.replace(/^\s*$/s, '') + after };
    }
    const p = this.buf.indexOf(this.prompt);
    if (p >= 0) {
      if (this.answered) {
        // asked again: the password was wrong; sudo would ask twice more
        this.done = true;
        return { refused: true, stderr: this.buf.split(this.prompt).join('') };
      }
      this.answered = true;
      this.buf = this.buf.slice(p + this.prompt.length);
      return { write: this.password + '\n', stderr: '' };
    }
    return { stderr: '' };
  }

  /** What was held back, when the command ended before either (sudo failed outright). */
  rest(): string {
    return this.buf.split(this.prompt).join('');
  }
}

/** With `sudo -n`, sudo fails instead of prompting; turn that into an error that says what to do. */
export function sudoPasswordError(host: string, stderr: string): Error | undefined {
  if (!stderr.includes('sudo: a password is required')) return undefined;
  return new Error(
    `become: sudo needs a password on ${host}: give it with -K (--ask-become-pass) or become_password (in a vault file), ` +
      `or allow passwordless sudo (NOPASSWD in sudoers) for the connecting user.`,
  );
}

export const becomeRefused = (host: string) => new Error(`become: sudo refused the become password on ${host} (asked again): check -K / become_password`);
