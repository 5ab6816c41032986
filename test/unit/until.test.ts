// until/retries/delay as Ansible's task executor runs them (_execute), cases from the until target.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { calls, play, playbook } from './engine-harness.ts';
import { count, emptyRecap } from '../../src/engine/recap.ts';
import { resultLines } from '../../src/report/ansible-lines.ts';

test('until: `attempts` is in the result failed_when sees; out of attempts, a failed_when that held false leaves the task not failed (until target, Ansible #34139)', async () => {
  const o = await play({
    playbook: playbook(`- name: t
  probe: {id: x}
  register: r
  until: 1 == 0
  retries: 2
  delay: 0
  failed_when: r.attempts > 6`, '  gather_facts: false\n'),
  });
  assert.equal(o.problems, []);
  assert.equal(calls, ['a:x', 'a:x', 'a:x']);
  assert.equal(o.results[0].status, 'changed');
  // Ansible's: out of attempts, `attempts` is the retries asked for, and `failed` is set
  assert.equal([(o.results[0].registered as any).attempts, (o.results[0].registered as any).failed], [2, true]);
});

test('until out of attempts: attempts = retries (one less than made); failed_when keeps `changed`, and an ignored changed failure counts as changed (until target)', async () => {
  const o = await play({
    playbook: playbook(`- name: f
  probe: {id: y}
  register: r
  failed_when: true
  until: r is successful
  retries: 3
  delay: 0
  ignore_errors: true
- debug: {msg: "{{ r.attempts }} {{ r.changed }}"}
  register: d`, '  gather_facts: false\n'),
  });
  assert.equal(o.problems, []);
  assert.equal(calls.length, 4);
  assert.equal((o.results[1].registered as any).msg, '3 True');
  assert.equal(o.summary!.recap.a.changed, 1);
  assert.equal(o.summary!.recap.a.ignored, 1);
});

test('recap: an ignored failure counts as changed when its result changed (Ansible\'s strategy)', () => {
  const rc = emptyRecap();
  count(rc, { status: 'failed', ignored: true, result: { changed: true } });
  count(rc, { status: 'failed', ignored: true, result: { changed: false } });
  assert.equal([rc.ok, rc.ignored, rc.changed], [2, 2, 1]);
});

test('in a loop: an item whose failed_when held false shows as changed though its result says failed; a failed loop with changed items is changed (loop-until)', async () => {
  const o = await play({
    playbook: playbook(`- name: t
  probe: {id: "{{ item }}"}
  register: r
  until: 1 == 0
  retries: 1
  delay: 0
  failed_when: r.attempts > 6
  loop: [x]
- name: f
  probe: {id: "{{ item }}", fail: "{{ item == 'b' }}"}
  loop: [a, b]
  ignore_errors: true`, '  gather_facts: false\n'),
  });
  assert.equal(o.problems, []);
  assert.equal(o.results.map((r) => r.status), ['changed', 'failed']);
  assert.equal(resultLines(o.results[0], { verbosity: 0, diff: false }), ['changed: [a] => (item=x)']);
  assert.equal((o.results[1].result as { changed: boolean }).changed, true);
  assert.equal(o.summary!.recap.a.changed, 2);
});

test('a task type that is an action plugin beside the role is refused by name, not as unknown (until target: shell_no_failed)', async () => {
  const o = await play({
    playbook: `- hosts: all\n  roles: [r]\n`,
    files: { 'roles/r/tasks/main.yml': '- shell_no_failed: {cmd: "exit 0"}\n  until: true\n', 'roles/r/action_plugins/shell_no_failed.py': '' },
  });
  assert.match(o.problems.join('\n'), /shell_no_failed is a playbook-local Ansible action plugin \(.*roles\/r\/action_plugins\/shell_no_failed\.py\): Python action plugins run inside Ansible and are not supported by skiff/);
});

test('each retry says Ansible\'s line under the task\'s banner: FAILED - RETRYING: [host]: NAME (N retries left). (retry_task_name_in_callback)', async () => {
  const o = await play({ playbook: playbook(`- name: "wait {{ w }}"\n  probe: {id: x}\n  until: false\n  retries: 2\n  delay: 0\n  ignore_errors: true`, '  vars: {w: here}\n') });
  const said = o.events.flatMap((e) => (e.kind === 'display' ? [e.text] : []));
  assert.equal(said, ['FAILED - RETRYING: [a]: wait here (2 retries left).', 'FAILED - RETRYING: [a]: wait here (1 retries left).']);
});

test.run();
