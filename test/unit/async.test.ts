// async, poll and async_status on local hosts through the engine, as Ansible 2.14 runs them (its async
// target): a command in the background polled to its end, fire and forget read back by async_status,
// Ansible's refusals (check mode, actions without async) and its timeout message.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { play, playbook, type Outcome } from './engine-harness.ts';

const statuses = (o: Outcome) => o.results.map((r) => r.status);
const reg = (o: Outcome, i: number) => o.results[i].registered as Record<string, any>;
const dir = () => mkdtempSync(join(tmpdir(), 'skiff-async-'));

test('async with poll: the command runs as a job, polled to its end; its result is the command\'s with the job\'s fields, the result file removed', async () => {
  const d = dir();
  const o = await play({ realSleep: true, playbook: playbook(`- shell: for i in 1 2; do echo $i; sleep 1; done\n  async: 10\n  poll: 1\n  register: r\n  vars: {ansible_async_dir: ${d}}`) });
  assert.equal(o.problems, []);
  assert.equal(statuses(o), ['changed']);
  const r = reg(o, 0);
  assert.match(r.ansible_job_id, /^j\d+\.\d+$/);
  assert.is(r.finished, 1);
  assert.is(r.started, 1);
  assert.is(r.rc, 0);
  assert.equal(r.stdout_lines, ['1', '2']);
  assert.is(r.cmd, 'for i in 1 2; do echo $i; sleep 1; done');
  for (const k of ['delta', 'end', 'start', 'stderr']) assert.ok(k in r, k);
  assert.is(r.results_file, `${d}/${r.ansible_job_id}`);
  assert.not.ok(existsSync(r.results_file), 'cleaned up once finished');
});

test('poll: 0 starts the job and goes on (started 1, finished 0); async_status reads it until finished, cleanup removes it, then the job is not found', async () => {
  const d = dir();
  const o = await play({
    realSleep: true,
    playbook: playbook(`- command: sleep 1
  async: 30
  poll: 0
  register: fnf
- async_status: jid={{ fnf.ansible_job_id }}
  register: s
  until: s.finished == 1
  retries: 10
  delay: 1
- async_status: {jid: "{{ fnf.ansible_job_id }}", mode: cleanup}
  register: c
- async_status: jid={{ fnf.ansible_job_id }}
  register: gone
  ignore_errors: true
- command: /bin/true
  async: 15
  poll: 0
  when: false`, `  vars: {ansible_async_dir: ${d}}\n`),
  });
  assert.equal(o.problems, []);
  assert.equal(statuses(o), ['changed', 'changed', 'ok', 'failed', 'skipped']);
  const f = reg(o, 0);
  assert.is(f.started, 1);
  assert.is(f.finished, 0);
  assert.match(f.ansible_job_id, /^j\d+\.\d+$/);
  assert.is(f.results_file, `${d}/${f.ansible_job_id}`);
  assert.is(reg(o, 1).finished, 1);
  assert.equal(reg(o, 1).cmd, ['sleep', '1']);
  assert.is(reg(o, 1).rc, 0);
  assert.is(reg(o, 2).erased, f.results_file);
  assert.is(reg(o, 3).msg, 'could not find job');
});

test('a job that outlives async fails with Ansible\'s message; a failing command fails the task with its result', async () => {
  const d = dir();
  const o = await play({
    realSleep: true,
    playbook: playbook(`- command: sleep 4\n  async: 2\n  poll: 1\n  register: t\n  ignore_errors: true\n- command: "false"\n  async: 5\n  poll: 1\n  register: f\n  ignore_errors: true`, `  vars: {ansible_async_dir: ${d}}\n`),
  });
  assert.equal(statuses(o), ['failed', 'failed']);
  assert.is(reg(o, 0).msg, 'async task did not complete within the requested time - 2s');
  assert.is(reg(o, 0).async_result.finished, 0);
  assert.is(reg(o, 1).msg, 'non-zero return code');
  assert.is(reg(o, 1).rc, 1);
  assert.is(reg(o, 1).finished, 1);
  assert.is(reg(o, 1).changed, true);
});

test('check mode and async fail as Ansible\'s; an action without async (copy, set_fact) fails with its message', async () => {
  const d = dir();
  const o = await play({
    playbook: playbook(`- command: sleep 5\n  async: 2\n  poll: 1\n  check_mode: true\n  register: c\n  ignore_errors: true\n- copy: {content: x, dest: ${d}/f}\n  async: 2\n  poll: 1\n  register: k\n  ignore_errors: true`),
  });
  assert.equal(o.problems, []);
  assert.equal(statuses(o), ['failed', 'failed']);
  assert.is(reg(o, 0).msg, 'check mode and async cannot be used on same task.');
  assert.is(reg(o, 1).msg, 'async is not supported for this task.');
  assert.not.ok(existsSync(`${d}/f`));
});

test('stdin and chdir reach the background command; creates met ends the job at once, not changed', async () => {
  const d = dir();
  const o = await play({
    realSleep: true,
    playbook: playbook(`- command: {cmd: cat, stdin: hello}\n  async: 5\n  poll: 1\n  register: i\n- command: {cmd: pwd, chdir: /tmp}\n  async: 5\n  poll: 1\n  register: p\n- command: {cmd: touch nope, creates: /}\n  async: 5\n  poll: 1\n  register: s`, `  vars: {ansible_async_dir: ${d}}\n`),
  });
  assert.equal(statuses(o), ['changed', 'changed', 'ok']);
  assert.is(reg(o, 0).stdout, 'hello');
  assert.is(reg(o, 1).stdout, '/tmp');
  assert.is(reg(o, 2).stdout, 'skipped, since / exists');
  assert.is(reg(o, 2).finished, 1);
});

test.run();
