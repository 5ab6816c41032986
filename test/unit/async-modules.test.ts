// async on a module skiff runs through Ansible's own Python (a playbook's library/ module, a core module
// it has no type for): it starts under ansible-core's async_wrapper as Ansible's _execute_module does,
// and its results are the ones Ansible's async target asserts (graceful failure, exception, junk around
// the JSON, stderr, fire and forget). Also the default callback's ASYNC POLL/OK/FAILED lines. Needs
// Debian's ansible-core (skipped without it, as python-module.test.ts).
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { play, playbook, type Outcome } from './engine-harness.ts';

const hasAnsible = existsSync('/usr/bin/python3') && spawnSync('/usr/bin/python3', ['-c', 'import ansible']).status === 0;
const run = hasAnsible ? test : test.skip;

// the async target's library/async_test.py
const ASYNC_TEST = `#!/usr/bin/python
import sys
from ansible.module_utils.basic import AnsibleModule
def main():
    module = AnsibleModule(argument_spec=dict(fail_mode=dict(type='list', default=['success'])))
    result = dict(changed=True)
    fail_mode = module.params['fail_mode']
    try:
        if 'leading_junk' in fail_mode:
            print("leading junk before module output")
        if 'graceful' in fail_mode:
            module.fail_json(msg="failed gracefully")
        if 'exception' in fail_mode:
            raise Exception('failing via exception')
        if 'stderr' in fail_mode:
            print('printed to stderr', file=sys.stderr)
        module.exit_json(**result)
    finally:
        if 'trailing_junk' in fail_mode:
            print("trailing junk after module output")
main()
`;
const files = { 'library/async_test.py': ASYNC_TEST };
const statuses = (o: Outcome) => o.results.map((r) => r.status);
const reg = (o: Outcome, i: number) => o.results[i].registered as Record<string, any>;
const shown = (o: Outcome) => o.events.flatMap((e) => (e.kind === 'display' ? [e.text] : []));
const dir = () => mkdtempSync(join(tmpdir(), 'skiff-async-mod-'));
const JID = /^j\d+\.\d+$/;

run("a module's failures come back as Ansible's: fail_json's msg, an exception's traceback in stderr; finished, not changed", async () => {
  const d = dir();
  const o = await play({
    realSleep: true,
    files,
    playbook: playbook(`- async_test: {fail_mode: graceful}\n  async: 30\n  poll: 1\n  register: g\n  ignore_errors: true\n- async_test: {fail_mode: exception}\n  async: 5\n  poll: 1\n  register: x\n  ignore_errors: true`, `  vars: {ansible_async_dir: ${d}}\n`),
  });
  assert.equal(o.problems, []);
  assert.equal(statuses(o), ['failed', 'failed']);
  const g = reg(o, 0);
  assert.match(g.ansible_job_id, JID);
  assert.is(g.finished, 1);
  assert.is(g.changed, false);
  assert.is(g.msg, 'failed gracefully');
  const x = reg(o, 1);
  assert.match(x.ansible_job_id, JID);
  assert.is(x.finished, 1);
  assert.is(x.changed, false);
  assert.ok(x.failed);
  assert.match(x.stderr, /failing via exception/);
  // the default callback's line once polling is over, with the job's id
  assert.ok(shown(o).includes(`ASYNC FAILED on a: jid=${g.ansible_job_id}`), shown(o).join('\n'));
  assert.not.ok(existsSync(g.results_file), 'its result file is removed once read');
});

run('junk around the JSON is left out (trailing junk is a warning); stderr is kept as the module printed it', async () => {
  const d = dir();
  const o = await play({
    realSleep: true,
    files,
    playbook: playbook(`- async_test: {fail_mode: leading_junk}\n  async: 5\n  poll: 1\n  register: l\n- async_test: {fail_mode: trailing_junk}\n  async: 5\n  poll: 1\n  register: t\n- async_test: {fail_mode: stderr}\n  async: 30\n  poll: 1\n  register: e`, `  vars: {ansible_async_dir: ${d}}\n`),
  });
  assert.equal(statuses(o), ['changed', 'changed', 'changed']);
  assert.is(reg(o, 0).finished, 1);
  assert.match(reg(o, 1).warnings[0], /trailing junk after module output/);
  assert.is(reg(o, 2).stderr, 'printed to stderr\n');
  assert.ok(shown(o).includes(`ASYNC OK on a: jid=${reg(o, 0).ansible_job_id}`));
});

run("poll: 0 leaves the module running (started 1, finished 0); async_status reads its result once it is over", async () => {
  const d = dir();
  const o = await play({
    realSleep: true,
    files,
    playbook: playbook(`- async_test: {}\n  async: 30\n  poll: 0\n  register: f\n- async_status: jid={{ f.ansible_job_id }}\n  register: s\n  until: s is finished\n  retries: 10\n  delay: 1`, `  vars: {ansible_async_dir: ${d}}\n`),
  });
  assert.equal(o.problems, []);
  assert.equal(statuses(o), ['changed', 'changed']);
  assert.is(reg(o, 0).started, 1);
  assert.is(reg(o, 0).finished, 0);
  assert.is(reg(o, 0).results_file, `${d}/${reg(o, 0).ansible_job_id}`);
  assert.is(reg(o, 1).finished, 1);
  assert.is(reg(o, 1).changed, true);
});

run("async on a type of skiff's that has no background job (lineinfile): Ansible's own module runs it, as Ansible would", async () => {
  const d = dir();
  const o = await play({ realSleep: true, playbook: playbook(`- lineinfile: {path: ${d}/f, line: hello, create: true}\n  async: 10\n  poll: 1\n  register: r`, `  vars: {ansible_async_dir: ${d}}\n`) });
  assert.equal(o.problems, []);
  assert.equal(statuses(o), ['changed']);
  assert.is(reg(o, 0).msg, 'line added');
  assert.is(reg(o, 0).finished, 1);
  assert.is(readFileSync(`${d}/f`, 'utf8'), 'hello\n');
});

test('each poll that finds the job running says ASYNC POLL, as the default callback (the async target greps for it)', async () => {
  const d = dir();
  const o = await play({ realSleep: true, playbook: playbook(`- command: sleep 2\n  async: 6\n  poll: 1\n  register: r`, `  vars: {ansible_async_dir: ${d}}\n`) });
  const jid = reg(o, 0).ansible_job_id;
  const lines = shown(o);
  assert.ok(lines.length >= 2, lines.join('\n'));
  assert.ok(lines.slice(0, -1).every((l) => l === `ASYNC POLL on a: jid=${jid} started=1 finished=0`), lines.join('\n'));
  assert.is(lines.at(-1), `ASYNC OK on a: jid=${jid}`);
});

test.run();
