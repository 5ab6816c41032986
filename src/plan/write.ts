// The plan file written: whole or not at all (a temporary file beside it, renamed over it), readable by
// its owner alone (0600 from its creation: no moment where another user could open it).
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { PlanFile } from './schema.ts';

export function writePlan(file: string, plan: PlanFile): { error?: string } {
  const dir = dirname(file);
  const tmp = join(dir, `.${basename(file)}.${process.pid}.tmp`);
  try {
    mkdirSync(dir, { recursive: true });
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, JSON.stringify(plan, null, 1) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    return {};
  } catch (e) {
    rmSync(tmp, { force: true });
    return { error: (e as Error).message };
  }
}
