// --events FILE|-: every engine event as one JSON line, written when it happens (synchronously, so a
// run that is killed leaves every event before the kill in the file). Results are the engine's, already
// redacted per host: nothing is added here but the time.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RunEvent } from '../engine/events.ts';

export interface EventLog {
  listen(e: RunEvent): void;
  /** the last line: the recap and whether the run was interrupted */
  end(summary: { recap: unknown; interrupted: boolean }): void;
}

export function openEventLog(target: string): { log?: EventLog; error?: string } {
  let fd: number;
  try {
    if (target === '-') fd = 1;
    else {
      mkdirSync(dirname(target), { recursive: true });
      fd = openSync(target, 'w');
    }
  } catch (e) {
    return { error: `cannot write events: ${(e as Error).message}` };
  }
  const write = (o: object) => writeSync(fd, JSON.stringify({ time: new Date().toISOString(), ...o }) + '\n');
  return {
    log: {
      listen: (e) => write(e),
      end(summary) {
        write({ kind: 'end', ...summary });
        if (fd !== 1) closeSync(fd);
      },
    },
  };
}
