// A name the run may define (set_fact, register, include_vars, facts, another host's hostvars) is not
// refused before the run: the task that uses it while it is still undefined fails on that host, with
// Ansible's own message, and ignore_errors, rescue and `is defined` / `default` work as in Ansible.
// --strict keeps the check before the run. Texts checked against ansible-core 2.14's output.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluate, UndefinedError, type Scope } from '../../src/template/expr.ts';
import { scopeOf } from '../../src/template/template.ts';
import { calls, play, playbook } from './engine-harness.ts';

const jinjaOf = (src: string, scope: Scope): string => {
  try {
    evaluate(src, scope);
  } catch (e) {
    if (e instanceof UndefinedError) return e.jinja;
    throw e;
  }
  throw new Error(`${src} did not fail`);
};

test("Jinja2's messages for what is undefined: a name, a dict's key, a list's item, through a chain", () => {
  const s = scopeOf({ d: { a: 1 }, l: [1], s: 'text', n: null });
  assert.is(jinjaOf('x', s), "'x' is undefined");
  assert.is(jinjaOf('x.y.z', s), "'x' is undefined");
  assert.is(jinjaOf('d.b', s), "'dict object' has no attribute 'b'");
  assert.is(jinjaOf("d['b'] + 1", s), "'dict object' has no attribute 'b'");
  assert.is(jinjaOf('d[0]', s), 'dict object has no element 0');
  assert.is(jinjaOf('l[3]', s), 'list object has no element 3');
  assert.is(jinjaOf('s.b', s), "'str object' has no attribute 'b'");
  assert.is(jinjaOf('n.b', s), "'None' has no attribute 'b'");
  // default and `is defined` accept it, as in Jinja2
  assert.is(evaluate("d.b | default('D')", s), 'D');
  assert.is(evaluate('x.y is defined', s), false);
});

test('an undefined variable fails its task when it runs, with Ansible\'s message: ignore_errors and rescue take it', async () => {
  const o = await play({
    playbook: playbook(`- probe: {id: "{{ nope }}"}
  ignore_errors: true
  register: r
- block:
    - probe: {id: "{{ cfg.missing }}"}
  rescue:
    - probe: {id: "rescued {{ ansible_failed_result.msg is search('has no attribute') }} {{ r.failed }}"}
- probe: {id: "{{ nope | default('dflt') }}"}
- probe: {id: guarded}
  when: nope is defined`, '  vars: {cfg: {a: 1}}\n'),
  });
  assert.is(o.code, 'ran', o.problems.join('\n'));
  assert.equal(o.lines, ['a probe failed', 'a probe failed', 'a probe changed', 'a probe changed', 'a probe skipped']);
  assert.match(o.results[0].msg!, /^The task includes an option with an undefined variable. The error was: 'nope' is undefined. 'nope' is undefined\n\nThe error appears to be in '\/.*play\d+\.yml': line 4, column 7, but may\nbe elsewhere in the file depending on the exact syntax problem.$/);
  assert.match(o.results[1].msg!, /The error was: 'dict object' has no attribute 'missing'. 'dict object' has no attribute 'missing'\n/);
  assert.equal(calls, ['a:rescued True True', 'a:dflt']);
  assert.equal(o.summary!.recap.a.ignored, 1);
  assert.equal(o.summary!.recap.a.rescued, 1);
});

// the template target's lazy_eval.yml and undefined_var_info.yml (AnsibleJ2Vars returns an Undefined, 2.14)
test('a var whose template uses something undefined is undefined itself: `is undefined`, default and `or` take it; a use fails naming its template', async () => {
  const o = await play({
    playbook: playbook(`- assert:
    that:
      - lazy_eval or deep_undefined
      - deep_undefined is undefined
      - deep_undefined|default('defaulted') == 'defaulted'
  vars: {lazy_eval: true}
- debug: {msg: "{{ deep_undefined }}"}
  ignore_errors: true
- debug: {msg: "{{ bar }}"}
  ignore_errors: true`, '  vars: {deep_undefined: "{{ nested_undefined_variable }}", foo: [], bar: "{{ foo[0] }}"}\n'),
  });
  assert.is(o.code, 'ran', o.problems.join('\n'));
  assert.equal(o.lines.map((l) => l.split(' ').pop()), ['ok', 'failed', 'failed']);
  assert.match(o.results[1].msg!, /The error was: \{\{ nested_undefined_variable \}\}: 'nested_undefined_variable' is undefined/);
  assert.match(o.results[2].msg!, /\{\{ foo\[0\] \}\}: list object has no element 0/);
});

test('a condition or a loop over an undefined variable fails the task with Ansible\'s message', async () => {
  const o = await play({
    playbook: playbook(`- probe: {id: w}
  when: flag
  ignore_errors: true
- probe: {id: "{{ item }}"}
  loop: "{{ items_later }}"
  ignore_errors: true
- probe: {id: f}
  failed_when: rc_later > 1
  ignore_errors: true`),
  });
  assert.is(o.code, 'ran', o.problems.join('\n'));
  assert.equal(o.lines, ['a probe failed', 'a probe failed', 'a probe failed']);
  assert.match(o.results[0].msg!, /^The conditional check 'flag' failed. The error was: error while evaluating conditional \(flag\): 'flag' is undefined. 'flag' is undefined\n\nThe error appears to be in '.*': line 3, column 7/);
  assert.is(o.results[1].msg, "'items_later' is undefined. 'items_later' is undefined");
  assert.is(o.results[2].msg, "The conditional check 'rc_later > 1' failed. The error was: error while evaluating conditional (rc_later > 1): 'rc_later' is undefined. 'rc_later' is undefined");
});

test("changed_when / failed_when that cannot be evaluated fail the task, its result kept, the error as <cond>_when_result (Ansible's failed_when target)", async () => {
  const o = await play({
    playbook: playbook(`- command: echo foo
  failed_when: boomboomboom
  register: bad
  ignore_errors: true
- command: "true"
  changed_when: nope
  register: badc
  ignore_errors: true
- command: "true"
  failed_when: false
  register: fine
- probe: {id: "{{ bad.stdout }} {{ bad.failed_when_result is contains('boomboomboom') }} {{ 'failed_when_result' in badc }} {{ badc.changed_when_result is contains('nope') }} {{ fine.failed_when_result }}"}`),
  });
  assert.is(o.code, 'ran', o.problems.join('\n'));
  assert.equal(o.lines, ['a command failed', 'a command failed', 'a command changed', 'a probe changed']);
  assert.equal(calls, ['a:foo True False True False']);
});

test('--strict refuses an undefined variable before the run, with the nearest name', async () => {
  const o = await play({ playbook: playbook(`- probe: {id: "{{ cfg.prot }}"}\n  ignore_errors: true`, '  vars: {cfg: {port: 1}}\n'), opts: { strict: true } });
  assert.is(o.code, 'bad-input');
  assert.match(o.problems.join('\n'), /:4:\d+: cfg has no key "prot" \(did you mean "port"\?\)/);
  assert.equal(calls, []);
});

test("hostvars[h] has what set_fact and register gave host h (not play vars); a name not set there is undefined when it runs", async () => {
  const o = await play({
    hosts: ['a', 'b'],
    playbook: playbook(`- set_fact: {sf: "fact-{{ inventory_hostname }}"}
- probe: {id: reg, change: false, out: "out-{{ inventory_hostname }}"}
  register: rg
- probe: {id: "{{ hostvars['b'].sf }} {{ hostvars['b'].rg.out }} {{ hostvars['a'].pv | default('NOPV') }} {{ hostvars['a'].later | default('UNDEF') }} {{ 'sf' in hostvars['a'] }}"}
  run_once: true
- probe: {id: "{{ hostvars['a'].later }}"}
  run_once: true
  ignore_errors: true
- probe: {id: "{{ hostvars['nohost'] }}"}
  run_once: true
  ignore_errors: true`, '  vars: {pv: 1}\n'),
  });
  assert.is(o.code, 'ran', o.problems.join('\n'));
  assert.equal(calls, ['a:fact-b out-b NOPV UNDEF True']);
  const failed = o.results.filter((r) => r.status === 'failed' && r.host === 'a');
  assert.match(failed[0].msg!, /The error was: 'ansible.vars.hostvars.HostVarsVars object' has no attribute 'later'\./);
  assert.match(failed[1].msg!, /The error was: "hostvars\['nohost'\]" is undefined\./);
});

test.run();
