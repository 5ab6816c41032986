// Handler notifications survive a run that fails before the handler ran (Ansible loses them:
// ansible/ansible#10498): the next run runs the handler although nothing changes again, and once it
// has run, a further run does not. Run as a user runs skiff, on this machine (connection: local),
// with HOME in a temporary directory (where the markers live).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skiff } from '../helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'skiff-handlers-'));
const home = join(dir, 'home');
const inv = join(dir, 'hosts.yml');
const pb = join(dir, 'play.yml');
writeFileSync(inv, 'all:\n  hosts:\n    here: {connection: local}\n');
writeFileSync(
  pb,
  `- name: app
  hosts: all
  tasks:
    - name: config
      content:
        path: ${dir}/app.conf
        content: "v1\\n"
      notify: restart app
  handlers:
    - name: restart app
      shell:
        cmd: "test ! -e ${dir}/broken && echo restarted >> ${dir}/restarts"
`,
);
const run = (extra: string[] = []) => skiff(['run', pb, '-i', inv, ...extra], { env: { HOME: home } });
const restarts = () => (existsSync(join(dir, 'restarts')) ? readFileSync(join(dir, 'restarts'), 'utf8').trim().split('\n').length : 0);

test('a handler that failed runs on the next run, without a new change; then not again', async () => {
  writeFileSync(join(dir, 'broken'), '');
  const first = await run();
  assert.is(first.code, 2, first.stdout + first.stderr);
  assert.match(first.stdout, /RUNNING HANDLER \[restart app\] \*+\nfatal: \[here\]: FAILED! => /);
  assert.is(restarts(), 0);
  rmSync(join(dir, 'broken'));
  // the config is already right: only the pending notification makes the handler run
  // in check mode it runs as Ansible runs a handler there: shell has no check mode, so it is skipped
  const check = await run(['--check']);
  assert.match(check.stdout, /RUNNING HANDLER \[restart app\] \*+\nskipping: \[here\]/);
  const second = await run();
  assert.is(second.code, 0, second.stdout + second.stderr);
  assert.match(second.stdout, /TASK \[config\] \*+\nok: \[here\]\n/);
  assert.is(restarts(), 1, 'the handler ran');
  assert.match(second.stdout, /RUNNING HANDLER \[restart app\] \*+\nchanged: \[here\]\n    notified by an earlier run that ended before this handler ran/, 'and says why');
  const third = await run();
  assert.is(third.code, 0);
  assert.match(third.stdout, /here\s*: ok=1\s+changed=0/);
  assert.is(restarts(), 1, 'and only once');
});

test.run();
