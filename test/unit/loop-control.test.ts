// loop_control as Ansible's task executor runs it (_run_loop): extended's ansible_loop, index_var's
// ansible_index_var, each in the item's vars and in its result. Cases from the loop_control and loops targets.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { play, playbook } from './engine-harness.ts';

test('loop_control.extended: ansible_loop for each item, on a task and an include (loop_control/extended.yml, loops)', async () => {
  const o = await play({
    playbook: playbook(`- include_tasks: inner.yml
  loop: [first, second, third]
  loop_control: {extended: yes}
- debug: {msg: "{{ [ansible_loop.index, ansible_loop.first, ansible_loop.last, ansible_loop.previtem | default('-'), ansible_loop.nextitem | default('-')] }}"}
  loop: [apple, orange, banana]
  loop_control: {extended: true, extended_allitems: no, index_var: n}
  failed_when: ansible_loop.allitems is defined
  register: r`, '  gather_facts: false\n'),
    files: { 'inner.yml': `- assert:
    that:
      - ansible_loop.index == ansible_loop.index0 + 1
      - ansible_loop.revindex == ansible_loop.revindex0 + 1
      - ansible_loop.first == (ansible_loop.index == 1)
      - ansible_loop.last == (ansible_loop.index == ansible_loop.length)
      - ansible_loop.length == 3
      - ansible_loop.allitems|join(',') == 'first,second,third'
` },
  });
  assert.equal(o.problems, []);
  assert.ok(o.results.every((r) => r.status === 'ok'));
  const results = (o.results[o.results.length - 1].registered as { results: Record<string, unknown>[] }).results;
  assert.equal(results.map((x) => x.msg), [[1, true, false, '-', 'orange'], [2, false, false, 'apple', 'banana'], [3, false, true, 'orange', '-']]);
  // the result carries the item's loop vars
  assert.equal([results[1].item, results[1].n, results[1].ansible_index_var, results[1].ansible_loop_var], ['orange', 1, 'n', 'item']);
  assert.equal((results[1].ansible_loop as Record<string, unknown>).revindex0, 1);
});

test('loop_control.loop_var and index_var may be templates, rendered when the task runs (loops target, Ansible #58820); one that gives no name fails the task', async () => {
  const o = await play({
    playbook: playbook(`- include_tasks: inner.yml
  loop: [value]
  loop_control: {loop_var: "{{ loop_var_name }}"}
  vars: {loop_var_name: templated_loop_var_name}
- debug: {msg: "{{ n }}{{ idx }}"}
  loop: [a, b]
  loop_control: {loop_var: "{{ 'n' }}", index_var: "{{ 'idx' }}"}
  register: r
- debug: {msg: x}
  loop: [a]
  loop_control: {loop_var: "{{ 'not a name' }}"}
  ignore_errors: true`, '  gather_facts: false\n'),
    files: { 'inner.yml': "- assert: {that: [templated_loop_var_name == 'value']}\n" },
  });
  assert.equal(o.problems, []);
  const last = o.results[o.results.length - 1];
  assert.equal(last.status, 'failed');
  assert.match(String(last.msg), 'loop_control.loop_var: "{{ \'not a name\' }}" gave "not a name", expected a variable name');
  assert.equal((o.results[o.results.length - 2].registered as { results: { msg: string }[] }).results.map((x) => x.msg), ['a0', 'b1']);
  assert.ok(o.results.slice(0, -1).every((r) => r.status === 'ok'));
});

test.run();
