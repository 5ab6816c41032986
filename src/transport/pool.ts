// Small helpers shared by the ssh and local transports.

import { constants } from 'node:os';
import { StringDecoder } from 'node:string_decoder';

/** Exit code reported for a command ended by its timeoutMs (same as coreutils `timeout`). */
export const TIMEOUT_CODE = 124;

/**
 * A counting semaphore with a FIFO queue: limits how many exec channels are open at once on one
 * SSH connection (OpenSSH's MaxSessions defaults to 10; past it the server answers "Channel open failure").
 */
export class Semaphore {
  private active = 0;
  private readonly waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];

  constructor(private readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new Error(`Semaphore: max must be a positive integer, got ${max}`);
  }

  async acquire(): Promise<void> {
    if (this.active < this.max) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Hands the slot straight to the next waiter, if any. */
  release(): void {
    const next = this.waiters.shift();
    if (next) next.resolve();
    else this.active--;
  }

  /** Rejects everyone still waiting (the connection is gone). */
  rejectWaiting(err: Error): void {
    for (const w of this.waiters.splice(0)) w.reject(err);
  }
}

/** Shell convention for a command killed by a signal: 128 + signal number (255 if unknown). */
export function signalExitCode(signal: string | null | undefined): number {
  const n = signal ? constants.signals[(signal.startsWith('SIG') ? signal : `SIG${signal}`) as NodeJS.Signals] : undefined;
  return n ? 128 + n : 255;
}

/**
 * A data handler for ExecOptions.onStdout: decodes UTF-8 across chunk boundaries (a character split
 * between two packets must not become two replacement characters) and swallows the callback's errors
 * (it runs inside a stream 'data' handler, where a throw would take the process down).
 */
export function streamTo(onStdout: ((chunk: string) => void) | undefined): (b: Buffer) => void {
  if (!onStdout) return () => {};
  const decoder = new StringDecoder('utf8');
  return (b) => {
    const text = decoder.write(b);
    if (!text) return;
    try {
      onStdout(text);
    } catch {
      /* a progress callback must never break the command */
    }
  };
}
