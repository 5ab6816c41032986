// Pending handler markers on the host: in the login's ~/.cache, or, for a user without a home it can
// write (nobody, /nonexistent: Ansible's omit target becomes nobody), in /tmp/skiff-handlers-UID, its own.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { clearPending, markPending, readPending } from '../../src/engine/pending-handlers.ts';
import type { Connection } from '../../src/transport/types.ts';

const root = process.getuid?.() === 0 && spawnSync('sudo', ['-n', 'true']).status === 0;
if (!root && process.env.CI === 'true') throw new Error('this test needs root and sudo (CI=true: failing, not skipping)');

/** this machine as the user nobody, through sudo */
const asNobody: Connection = {
  host: 'nobody@local',
  exec: async (cmd) => {
    const r = spawnSync('sudo', ['-n', '-u', 'nobody', 'sh', '-c', cmd], { encoding: 'utf8', cwd: '/' });
    return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
  },
  close: async () => {},
};

(root ? test : test.skip)('a user whose home cannot be written keeps its notified handlers in /tmp/skiff-handlers-UID, 0700, its own', async () => {
  const dir = `/tmp/skiff-handlers-${execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim()}`;
  rmSync(dir, { recursive: true, force: true });
  try {
    await markPending(asNobody, ['delete test user']);
    assert.equal([...(await readPending(asNobody, ['delete test user', 'other']))], ['delete test user']);
    assert.is(execFileSync('stat', ['-c', '%a %U', dir], { encoding: 'utf8' }).trim(), '700 nobody');
    await clearPending(asNobody, ['delete test user']);
    assert.equal([...(await readPending(asNobody, ['delete test user']))], []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
