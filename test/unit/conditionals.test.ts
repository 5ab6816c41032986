// Conditions (when, assert's that, changed_when, failed_when) as Ansible 2.14's Conditional evaluates
// them, checked against ansible-playbook: Python's truthiness, a whole `{{ }}` templated first and its
// text read again, Python's escapes in string literals (the conditionals and command_shell targets).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { play, playbook } from './engine-harness.ts';

test('when: a non-empty string is true (even "False", "no"); `{{ v }}` is read again: "False" false, "0" false, "no" an undefined variable', async () => {
  const o = await play({
    playbook: playbook(
      `- {debug: msg=bare-f, when: f}
- {debug: msg=tmpl-f, when: "{{ f }}"}
- {debug: msg=bare-n, when: n}
- {debug: msg=tmpl-n, when: "{{ n }}", ignore_errors: true}
- {debug: msg=bare-z, when: z}
- {debug: msg=tmpl-z, when: "{{ z }}"}
- {debug: msg=bare-e, when: e}
- {debug: msg=tmpl-t, when: "{{ t }}"}
- {debug: msg=expr, when: "f == 'False'"}`,
      `  gather_facts: no\n  vars: {f: "False", n: "no", z: "0", e: "", t: "true"}\n`,
    ),
  });
  assert.equal(
    o.results.map((r) => r.status),
    ['ok', 'skipped', 'ok', 'failed', 'ok', 'skipped', 'skipped', 'ok', 'ok'],
  );
  assert.match(o.results[3].msg!, "'no' is undefined");
});

test('assert that: string literals read Python\'s escapes (\\\' and \\n), as the command_shell target compares them', async () => {
  const o = await play({
    playbook: playbook(
      `- assert:
    that:
      - v == 'q "w" \\'z\\'\\n'
      - "'a\\\\tb' == 'a' + '\\t' + 'b'"
  vars: {v: "q \\"w\\" 'z'\\n"}`,
      '  gather_facts: no\n',
    ),
  });
  assert.equal(o.results.map((r) => [r.status, r.msg]), [['ok', 'All assertions passed']]);
});

test('failed_when keeps the module\'s result (msg, changed); the recap counts an ignored failure that changed as changed, a failed one not (ansible-playbook\'s counts)', async () => {
  const o = await play({
    playbook: playbook(
      `- command: "false"
  ignore_errors: true
- command: "true"
  changed_when: false
  failed_when: true
  ignore_errors: true
- command: "true"
  failed_when: true
  ignore_errors: true
  register: r
- debug: msg="{{ r.changed }} {{ r.msg }}"
- command: echo foo
  failed_when: boomboomboom
  register: invalid
  ignore_errors: true
- command: "true"
  failed_when: true`,
      '  gather_facts: no\n',
    ),
  });
  assert.equal(o.results.map((r) => r.status), ['failed', 'failed', 'failed', 'ok', 'failed', 'failed']);
  // the failed_when target's invalid conditional: the module's result (changed), the error as failed_when_result
  assert.equal([(o.results[4].registered as any).changed, (o.results[4].registered as any).stdout], [true, 'foo']);
  assert.match((o.results[4].registered as any).failed_when_result, 'boomboomboom');
  assert.equal([(o.results[2].registered as any).changed, (o.results[2].registered as any).msg], [true, '']);
  const recap = o.summary!.recap[Object.keys(o.summary!.recap)[0]];
  assert.equal([recap.ok, recap.changed, recap.failed, recap.ignored], [5, 3, 1, 4]);
});

test.run();
