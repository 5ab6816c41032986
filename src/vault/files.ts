// Writing vault files as ansible-vault leaves them (mode 0600), but atomically: a temp file in the same
// directory renamed over the target, so an interrupted write never leaves half a file (Ansible removes
// the target first, then writes it).
import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export function writeAtomic(file: string, data: Buffer | string, mode = 0o600): void {
  const tmp = join(dirname(file), `.${basename(file)}.skiff-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    // 'wx': never through a file someone else put there; the mode is set at creation (no window)
    writeFileSync(tmp, data, { mode, flag: 'wx' });
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
