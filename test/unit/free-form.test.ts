// Task arguments written as Ansible writes them: `module: k=v k2="v 2"` (src/playbook/kv.ts, a port of
// Ansible's parse_kv/split_args), checked as the map form is; debug and set_fact as Ansible 2.14 runs
// them; a scalar task name. Expected values are what ansible-playbook 2.14 gives for the same text.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseKv, splitArgs } from '../../src/playbook/kv.ts';
import { play, playbook, type Outcome } from './engine-harness.ts';

const statuses = (o: Outcome) => o.results.map((r) => r.status);
const reg = (o: Outcome, i: number) => o.results[i].registered as Record<string, any>;
const kv = (s: string, checkRaw = false) => {
  const r = parseKv(s, checkRaw);
  return r.ok ? r.value : r.error;
};

test('parse_kv: as Ansible 2.14 parses (each expected value is parse_kv\'s own output)', () => {
  assert.equal(kv('a=b c="d e"'), { a: 'b', c: 'd e' });
  assert.equal(kv("msg='hello world'"), { msg: 'hello world' });
  assert.equal(kv('ls chdir=/tmp', true), { chdir: '/tmp', _raw_params: 'ls' });
  // a command line keeps every k=v that is not the command's own option
  assert.equal(kv('echo {{ a }} creates=/x b=c', true), { creates: '/x', _raw_params: 'echo {{ a }} b=c' });
  assert.equal(kv('echo {{ a }} creates=/x b=c'), { creates: '/x', b: 'c', _raw_params: 'echo {{ a }}' });
  // Jinja2 braces are one word, spaces and quotes inside them too
  assert.equal(kv(`msg="{{ x | default('a b') }}"`), { msg: "{{ x | default('a b') }}" });
  assert.equal(kv('msg={{ a }} {{ b }}'), { msg: '{{ a }}', _raw_params: '{{ b }}' });
  assert.equal(kv('a=b {# c #} d=e'), { a: 'b', d: 'e', _raw_params: '{# c #}' });
  // escapes decoded in k=v words; an escaped = is not the separator
  assert.equal(kv('msg="a\\tb"'), { msg: 'a\tb' });
  assert.equal(kv('x=\\u00e9'), { x: 'é' });
  assert.equal(kv('a\\=b c'), { _raw_params: 'a=b c' });
  assert.equal(kv('a==b'), { a: '=b' });
  assert.equal(kv('k = v'), { _raw_params: 'k = v' });
  assert.equal(kv('a=1  b=2'), { a: '1', b: '2' });
  assert.equal(kv('a=b\nc=d'), { a: 'b', c: 'd' });
  assert.equal(kv("a='x\\'' b"), { a: "x'", _raw_params: 'b' });
  assert.equal(kv('echo\n  hi there'), { _raw_params: 'echo\n  hi there' });
  assert.match(String(kv("echo 'unterminated")), /failed at splitting arguments, either an unbalanced jinja2 block or quotes/);
  assert.match(String(kv('{{ a')), /unbalanced jinja2 block/);
  assert.equal(splitArgs('a "b c" {{ d e }}'), { ok: true, value: ['a', '"b c"', '{{ d e }}'] });
});

test('free form: k=v for any module, checked and run as the map form (stat, debug without the quotes, set_fact, file)', async () => {
  const d = mkdtempSync(join(tmpdir(), 'skiff-ff-'));
  writeFileSync(`${d}/f`, 'x');
  const o = await play({
    playbook: playbook(`- stat: path=${d}/f
  register: s
- debug: msg='hello world'
  register: m
- set_fact: a=b c="d e"
- debug: msg="{{ a }}/{{ c }}"
  register: ac
- ansible.builtin.file: dest=${d}/t state=touch
- stat: path=${d}/t
  register: t`),
  });
  assert.equal(o.problems, []);
  assert.equal(statuses(o), ['ok', 'ok', 'ok', 'ok', 'changed', 'ok']);
  assert.is(reg(o, 0).stat.exists, true);
  assert.is(reg(o, 1).msg, 'hello world');
  assert.is(reg(o, 3).msg, 'b/d e');
  assert.is(reg(o, 5).stat.exists, true);
});

test('free form: a command line is split before templating (a value with chdir= stays in the command); args: under it', async () => {
  const d = mkdtempSync(join(tmpdir(), 'skiff-ff-'));
  const o = await play({
    playbook: playbook(`- ansible.builtin.command: echo {{ v }} x=y chdir=${d}
  vars: {v: chdir=/nonexistent}
  register: r
- ansible.builtin.shell: pwd
  args: {chdir: ${d}}
  register: p`),
  });
  assert.equal(o.problems, []);
  assert.is(reg(o, 0).stdout, 'chdir=/nonexistent x=y');
  assert.is(reg(o, 1).stdout, d);
});

test('free form: a bad value and extra words are refused before the run, at the task\'s line', async () => {
  const o = await play({ playbook: playbook(`- ansible.builtin.debug: msg=a verbosity=high\n- stat: path=/x follow\n- copy: "src=a dest='b"`) });
  assert.is(o.code, 'bad-input');
  const all = o.problems.join('\n');
  assert.match(all, /play\d+\.yml:3:30: verbosity: got "high", expected a verbosity/);
  assert.match(all, /play\d+\.yml:4:13: stat has extra params "follow": expected key=value words only/);
  assert.match(all, /play\d+\.yml:5:13: failed at splitting arguments, either an unbalanced jinja2 block or quotes/);
});

test('a parameter the module does not have (command\'s warn, gone in 2.14) fails the task when it runs, with ansible-core\'s text; a task `when` skips runs nothing', async () => {
  const o = await play({
    playbook: playbook(`- command: echo hi
  args: {warn: false}
  when: false
- stat: path=/x nope=1
  ignore_errors: true
  register: st
- ansible.builtin.command: echo hi
  args: {warn: false}
  ignore_errors: true
  register: cmd
- ansible.builtin.debug: msg=a bogus=1
  ignore_errors: true
  register: dbg`),
  });
  assert.equal(o.problems, []);
  assert.equal(statuses(o), ['skipped', 'failed', 'failed', 'failed']);
  assert.match(reg(o, 1).msg, /^Unsupported parameters for \(stat\) module: nope\. Supported parameters include: checksum_algorithm, follow, get_attributes, get_checksum, get_md5, get_mime, path \(/);
  assert.is(reg(o, 2).msg, 'Unsupported parameters for (ansible.legacy.command) module: warn. Supported parameters include: _raw_params, _uses_shell, argv, chdir, creates, executable, removes, stdin, stdin_add_newline, strip_empty_ends.');
  assert.is(reg(o, 3).msg, 'Invalid options for ansible.builtin.debug: bogus');
});

test('free form: skiff\'s own short form keeps a URL with a query whole (wait-http: URL?a=b is no k=v)', async () => {
  const o = await play({ playbook: playbook(`- wait-http: http://127.0.0.1:9/x?a=b\n  check_mode: true`) });
  assert.equal(o.problems, []);
});

test('debug: bare prints Hello world!; var undefined is VARIABLE IS NOT DEFINED!; a templated var is rendered first, then read as a name (as ansible-playbook 2.14)', async () => {
  const o = await play({
    playbook: playbook(`- debug:
  register: bare
- debug: var=nope
  register: undef
- debug:
    var: "{{ word }}"
  vars: {word: hello, hello: 5}
  register: tmpl
- debug: var=xs|length
  vars: {xs: [1, 2]}
  register: len
- debug: msg={{ xs }}
  vars: {xs: [1, 2]}
  register: list
- debug: msg=x verbosity=1`),
  });
  assert.equal(o.problems, []);
  assert.equal(statuses(o), ['ok', 'ok', 'ok', 'ok', 'ok', 'skipped']);
  assert.is(reg(o, 0).msg, 'Hello world!');
  assert.is(reg(o, 1).nope, 'VARIABLE IS NOT DEFINED!');
  assert.is(reg(o, 2).hello, 5);
  assert.is(reg(o, 3)['xs|length'], 2);
  assert.equal(reg(o, 4).msg, [1, 2]);
});

test('debug: var=ansible_facts shows them without setting host vars (debug/nosetfacts.yml, Ansible #74060)', async () => {
  const o = await play({
    playbook: playbook(`- set_fact:
    ansible_facts: {nonfact: 1}
- debug: var=ansible_facts
- assert: {that: [nonfact is not defined]}`, '  gather_facts: false\n'),
  });
  assert.equal(o.problems, []);
  assert.equal(statuses(o), ['ok', 'ok', 'ok']);
});

test('set_fact: "yes"/"no"/"True"... become booleans, written so or rendered so (set_fact_bool_conv.yml); cacheable=no', async () => {
  const o = await play({
    playbook: `- hosts: all
  vars: {string_var: "no"}
  tasks:
    - set_fact:
        this_is_string: "yes"
        this_is_not_string: yes
        this_is_also_string: "{{ string_var }}"
        this_is_more_strings: '{{ string_var + "" }}'
        upper: "TRUE"
        other: "y"
    - set_fact: cacheable=no kv=False
    - debug: {msg: "{{ [this_is_string, this_is_not_string, this_is_also_string, this_is_more_strings, upper, other, kv] }}"}
      register: r
`,
  });
  assert.equal(o.problems, []);
  assert.equal(reg(o, 2).msg, [true, true, false, false, true, 'y', false]);
});

test('set_fact: a key that is a template names the variable when the task runs (lookup_together); one that renders to no name fails', async () => {
  const o = await play({
    playbook: playbook(`- set_fact: "{{ item.0 }}={{ item.1 }}"
  with_together: [[a, b], ['1', '2']]
- debug: {msg: "{{ [a, b] }}"}
  register: r
- set_fact: {"{{ 'no name' }}": 1}`, '  gather_facts: false\n'),
  });
  assert.equal(o.problems, []);
  assert.equal(statuses(o), ['ok', 'ok', 'failed']);
  assert.equal(reg(o, 1).msg, ['1', '2']);
  assert.match(String(o.results[2].msg), "The variable name 'no name' is not valid. Variables must start with a letter or underscore character");
});

test('aliases and argument-spec types: stat dest=, lineinfile dest= regex= value=, booleans as yes/no text', async () => {
  const d = mkdtempSync(join(tmpdir(), 'skiff-ff-'));
  writeFileSync(`${d}/f`, 'a=1\nb=2\n');
  const o = await play({
    playbook: playbook(`- stat: dest=${d}/f get_checksum=no follow=yes
  register: s
- lineinfile: dest=${d}/f regex=^a= value=a=3 backup=no
- lineinfile:
    destfile: ${d}/f
    regexp: ^b=
    line: b=4
    firstmatch: "yes"`),
  });
  assert.equal(o.problems, []);
  assert.equal(statuses(o), ['ok', 'changed', 'changed']);
  assert.is(reg(o, 0).stat.exists, true);
  assert.is(reg(o, 0).stat.checksum, undefined);
  assert.is(readFileSync(`${d}/f`, 'utf8'), 'a=3\nb=4\n');
  const bad = await play({ playbook: playbook(`- stat: path=/x follow=maybe`) });
  assert.match(bad.problems.join('\n'), /follow: got "maybe", expected true or false \(or yes\/no, on\/off, 1\/0\)/);
});

test('lineinfile: search_string (a literal text, last match replaced), validate (%s: the new file; a failure leaves the file) as Ansible', async () => {
  const d = mkdtempSync(join(tmpdir(), 'skiff-ff-'));
  writeFileSync(`${d}/f`, 'a.b=1\nx.y=2\na.b=3\n');
  const o = await play({
    playbook: playbook(`- lineinfile: path=${d}/f search_string=a.b line=A=9
- lineinfile: path=${d}/f search_string=x.y state=absent validate="grep -q A %s"
- lineinfile: {path: ${d}/f, line: c, validate: /some/path}
  ignore_errors: true
  register: nopct
- lineinfile: {path: ${d}/f, regexp: ^A, state: absent, validate: "grep -q A %s"}
  ignore_errors: true
  register: invalid`),
  });
  assert.equal(o.problems, []);
  assert.equal(statuses(o), ['changed', 'changed', 'failed', 'failed']);
  assert.is(reg(o, 2).msg, 'validate must contain %s: /some/path');
  assert.match(reg(o, 3).msg, /^failed to validate: rc:1 error:/);
  assert.is(readFileSync(`${d}/f`, 'utf8'), 'a.b=1\nA=9\n');
});

test('name: a scalar is its text (true is "True", 7 is "7"), not a refusal', async () => {
  const o = await play({ playbook: playbook(`- name: true\n  debug: msg=a\n- name: 7\n  debug: msg=b\n- name:\n  debug: msg=c`) });
  assert.equal(o.problems, []);
  assert.equal(o.results.map((r) => r.task), ['True', '7', 'debug']);
});

test('action: "{{ module }} k=v": the module name is split_args\'s first word, a template resolved when the task runs (parsing target)', async () => {
  const o = await play({ playbook: playbook(`- action: "{{ m }} msg='this should be debugged'"\n  vars: {m: debug}\n  register: result`) });
  assert.equal(o.problems, []);
  assert.equal(statuses(o), ['ok']);
  assert.is(reg(o, 0).msg, 'this should be debugged');
});

test('action: "{{ module }}" with args: the arguments are the module\'s (group target: action: "{{ ansible_facts.pkg_mgr }}" with args name, state)', async () => {
  const o = await play({ playbook: playbook(`- action: "{{ m }}"\n  args: {msg: from args}\n  vars: {m: debug}\n  register: result`) });
  assert.equal(o.problems, []);
  assert.equal(statuses(o), ['ok']);
  assert.is(reg(o, 0).msg, 'from args');
});

test.run();
