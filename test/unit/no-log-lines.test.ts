// no_log as Ansible's default callback prints it (target no_log, dynamic.yml): a loop's items each as
// `(item=None)`, then the task's own censored line; an undefined variable in a loop task's options fails
// the whole task (no item results), as Ansible's post_validate error escapes its loop.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { play, playbook } from './engine-harness.ts';
import { resultLines } from '../../src/report/ansible-lines.ts';

const HIDDEN = "the output has been hidden due to the fact that 'no_log: true' was specified for this result";

test('no_log on a loop: each item shown as (item=None), censored; then the task line, censored', async () => {
  const o = await play({ playbook: playbook(`- debug:\n    msg: "SHOW {{ item }}"\n  loop: [a, b]\n  no_log: true`) });
  const r = o.results[0];
  assert.equal(resultLines(r, { verbosity: 0, diff: false }), ['ok: [a] => (item=None)', 'ok: [a] => (item=None)', 'ok: [a]']);
  const v5 = resultLines(r, { verbosity: 5, diff: false }).join('\n');
  assert.is(v5.split(HIDDEN).length - 1, 3);
  assert.not.ok(v5.includes('SHOW'));
});

test('an undefined variable in a loop task\'s options fails the task once, not per item', async () => {
  const o = await play({ playbook: playbook(`- debug:\n    msg: "SHOW {{ var_does_not_exist }}"\n  loop: [a, b, c]\n  ignore_errors: true`) });
  const r = o.results[0];
  assert.is(r.status, 'failed');
  assert.is(r.result!.results, undefined);
  assert.match(String(r.result!.msg), /^The task includes an option with an undefined variable/);
});

test('ANSIBLE_NO_LOG (noLog): every task is censored but one whose no_log says false (no_log_config.yml)', async () => {
  const o = await play({ playbook: playbook(`- debug:\n  no_log: true\n- debug:\n  no_log: false\n- debug:\n- debug:\n  loop: '{{ range(3) }}'`), opts: { noLog: true } });
  const text = o.results.flatMap((r) => resultLines(r, { verbosity: 5, diff: false })).join('\n');
  assert.is(text.split(HIDDEN).length - 1, 6);
  assert.ok(text.includes('Hello world!'));
});

test.run();
