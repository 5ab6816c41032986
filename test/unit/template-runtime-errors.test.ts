// An error of evaluation in a task's template is that task's failure when it runs, as in Ansible (its
// templating_lookups target): a rescue or ignore_errors takes it. Only what no run can change (a template
// that cannot be parsed) is refused before the run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { play, playbook } from './engine-harness.ts';
import { resultLines } from '../../src/report/ansible-lines.ts';

test('{{ 5 / 0 | int }}: the task fails when it runs with ZeroDivisionError as `exception`, no msg; ignore_errors takes it', async () => {
  const o = await play({ playbook: playbook(`- name: boom\n  debug: msg="{{ 5 / 0 | int }}"\n  ignore_errors: true\n  register: result\n- probe: {id: "after-{{ result.failed }}-{{ 'exception' in result }}-{{ 'msg' in result }}"}`) });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a boom failed', 'a probe changed']);
  const r = o.results[0];
  assert.match(String((r.result as Record<string, unknown>).exception), /ZeroDivisionError: division by zero\n$/);
  // the default callback's _handle_exception line, then the result without its traceback (debug shows no `changed`)
  assert.equal(resultLines(r, { verbosity: 0, diff: false }).slice(0, 2), [
    'An exception occurred during task execution. To see the full traceback, use -vvv. The error was: ZeroDivisionError: division by zero',
    'fatal: [a]: FAILED! => {}',
  ]);
});

test('a loop whose items fail on a division by zero: each such item failed with its exception, the others ran; the loop says "One or more items failed"', async () => {
  const o = await play({ playbook: playbook(`- name: loop\n  debug: msg="{{ 5 / item }}"\n  ignore_errors: true\n  register: result\n  loop: [0, 0, 1]\n- probe: {id: "{{ result.results | map(attribute='failed') | list }}-{{ result.results[2].exception is undefined }}-{{ result.msg }}"}`) });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a loop failed', 'a probe changed']);
  assert.equal(o.results[1].changes, ['probe [True, True, False]-True-One or more items failed']);
  const lines = resultLines(o.results[0], { verbosity: 0, diff: false });
  assert.equal(lines.at(-2), 'fatal: [a]: FAILED! => {"msg": "One or more items failed"}');
});

test("a TypeError is the templar's AnsibleError: a msg, and in a loop the whole task fails (as Ansible's Templar.do_template)", async () => {
  const o = await play({ playbook: playbook(`- name: add\n  debug: msg="{{ 1 + item }}"\n  loop: [a, b]\n  ignore_errors: true\n  register: r\n- probe: {id: "{{ r.msg }}"}`) });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a add failed', 'a probe changed']);
  assert.equal(o.results[1].changes, ["probe Unexpected templating type error occurred on ({{ 1 + item }}): unsupported operand type(s) for +: 'int' and 'str'. unsupported operand type(s) for +: 'int' and 'str'"]);
});

test('a failing `when` expression is rescued as the task failure it is', async () => {
  const o = await play({ playbook: playbook(`- block:\n    - probe: never\n      when: 1 / 0\n  rescue:\n    - probe: "{{ ansible_failed_result.msg.split('\\n')[0] }}"`) });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a probe failed', 'a probe changed']);
  assert.equal(o.results[1].changes, ["probe The conditional check '1 / 0' failed. The error was: division by zero"]);
});

test('what is wrong whatever the run does is still refused before it: a template that does not parse (a filter no plugin provides is not: Ansible looks it up when the task runs)', async () => {
  const o = await play({ playbook: playbook(`- debug: msg="{{ 1 | nosuchfilter }}"\n- debug: msg="{{ 1 + }}"`) });
  assert.equal(o.code, 'bad-input');
  assert.not.match(o.problems.join('\n'), 'nosuchfilter');
  assert.match(o.problems.join('\n'), 'expression ends too early');
});

test('a template that does not parse, in a task whose failure the playbook takes (ignore_errors, failed_when): the play runs and the task fails there, as Ansible (lookup_csvfile)', async () => {
  const o = await play({ playbook: playbook(`- set_fact:\n    x: "{{ lookup('csvfile', 'foo', delimiter=',' col=1) }}"\n  ignore_errors: yes\n  register: r\n- probe: "seen {{ r is failed }}"`) });
  assert.equal(o.problems, []);
  assert.equal(o.results.map((r) => [r.status, r.ignored]), [['failed', true], ['changed', undefined]]);
  assert.match(String(o.results[0].msg), /expected "," near "col"/);
});

test('a task missing a required option, or given one of the wrong type, whose failure the playbook takes: it fails when it runs (fetch target); without ignore_errors it is refused before the run', async () => {
  const o = await play({ playbook: playbook(`- fetch: {}\n  ignore_errors: true\n  register: r\n- fetch: {src: [1, 2], dest: /tmp}\n  ignore_errors: true\n- probe: "after {{ r is failed }}"`) });
  assert.equal(o.problems, []);
  assert.equal(o.results.map((r) => r.status), ['failed', 'failed', 'changed']);
  assert.match(String(o.results[0].msg), /src/);
  const refused = await play({ playbook: playbook(`- fetch: {}`) });
  assert.equal(refused.code, 'bad-input');
});

test.run();
