// Conditions written with template text around `{{ }}` (filter_core: `"{{ x }}" == 'abc'`,
// `{{ n }} == 123`): Ansible's Conditional templates the text first, then reads it as an expression.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { play, playbook } from './engine-harness.ts';

test('a condition with {{ }} inside other text is templated, then evaluated, as Ansible 2.14 does', async () => {
  const o = await play({
    playbook: playbook(
      [
        '- set_fact: {x: abc, n: 123, a: true, b: false}',
        '- assert:',
        '    that:',
        '      - \'"{{ x }}" == "abc"\'',
        '      - "{{ n }} == 123"',
        '- debug: {msg: ran}',
        '  when: "{{ a }} and {{ b }}"',
        '- debug: {msg: ran}',
        '  when: "{{ a }} or {{ b }}"',
        '- command: "true"',
        '  changed_when: "\'{{ x }}\' != \'abc\'"',
      ].join('\n'),
    ),
  });
  assert.equal(o.problems, []);
  assert.equal(o.results.map((r) => r.status), ['ok', 'ok', 'skipped', 'ok', 'ok']);
});

test.run();
