// type_debug names the Python class Ansible's value has, which follows from how the value was made:
// AnsibleUnicode (YAML's text), NativeJinjaText (a STRING_TYPE_FILTERS filter's, the template lookup's
// in native mode), their unsafe kinds, a new str for what a template builds. Cases from the
// jinja2_native_types and template_jinja2_non_native targets, each checked against ansible-playbook
// 2.14 (with ANSIBLE_JINJA2_NATIVE=1 and without).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { play, playbook } from './engine-harness.ts';
import { setJinja2Native } from '../../src/template/native-concat.ts';

const VARS = `  gather_facts: false
  vars:
    i_two: 2
    s_one: "1"
    s_word: hello
    b_true: true
    dict_one: {foo: bar}
    list_one: [one, two]
    tv: "{{ s_word }}"
    tv2: "{{ s_word ~ 'x' }}"
    tv3: "{{ list_one | to_json }}"
    tv4: "{{ tv3 }}"
`;

const SET_FACTS = `- set_fact:
    f1: "{{ i_two | string }}"
    f2: "{{ s_word }}"
    f3: "'{{ i_two }}'"
    f4: "{{ [i_two, s_one] }}"
    f5: "{{ list_one | to_yaml }}"
    f6: plain
    f7: "{{ s_word | upper }}"
    f8: "{{ lookup('template', 't.j2') }}"
    f9: "{{ dict_one }}"
    f10: "{{ lookup('template', 't.j2', convert_data=False) }}"
    f11: "{{ s_word if true else 1 }}"
    f12: "{{ f_undef | default(s_word) }}"
- debug:
    msg:
      - "{{ s_one|type_debug }} {{ s_word|type_debug }} {{ dict_one.foo|type_debug }} {{ list_one[0]|type_debug }}"
      - "{{ tv|type_debug }} {{ tv2|type_debug }} {{ tv3|type_debug }} {{ tv4|type_debug }}"
      - "{{ f1|type_debug }} {{ f2|type_debug }} {{ f3|type_debug }} {{ f4[1]|type_debug }} {{ f5|type_debug }} {{ f6|type_debug }}"
      - "{{ f7|type_debug }} {{ f8|type_debug }} {{ f9.foo|type_debug }} {{ f10|type_debug }} {{ f11|type_debug }} {{ f12|type_debug }}"
      - "{{ 'lit'|type_debug }} {{ (s_word ~ '')|type_debug }} {{ s_word.upper()|type_debug }} {{ (s_word|to_json)|type_debug }}"
  register: out`;

const FILES = { 'templates/t.j2': '{"a": "{{ s_one }}"}\n' };
const msgOf = (o: Awaited<ReturnType<typeof play>>, i: number) => (o.results[i].registered as { msg: unknown }).msg;

test('jinja2_native: a play var is AnsibleUnicode, `| string` and to_json/to_yaml NativeJinjaText, kept through set_fact; a literal_eval\'d string a str (jinja2_native_types test_casting, test_types)', async () => {
  setJinja2Native(true);
  try {
    const o = await play({ playbook: playbook(SET_FACTS, VARS), files: FILES });
    assert.equal(o.problems, []);
    assert.equal(msgOf(o, 1), [
      'AnsibleUnicode AnsibleUnicode AnsibleUnicode AnsibleUnicode',
      'AnsibleUnicode str NativeJinjaText NativeJinjaText',
      'NativeJinjaText AnsibleUnicode str AnsibleUnicode NativeJinjaText AnsibleUnicode',
      // the template lookup's text in native mode is a NativeJinjaText, unsafe as a lookup's is (46169.yml)
      'str NativeJinjaUnsafeText AnsibleUnicode NativeJinjaUnsafeText AnsibleUnicode AnsibleUnicode',
      'str str str NativeJinjaText',
    ]);
  } finally {
    setJinja2Native(false);
  }
});

test('without jinja2_native: a list or dict a template makes is text read back (its strings str); the template lookup converts', async () => {
  const o = await play({ playbook: playbook(SET_FACTS, VARS), files: FILES });
  assert.equal(o.problems, []);
  assert.equal(msgOf(o, 1), [
    'AnsibleUnicode AnsibleUnicode AnsibleUnicode AnsibleUnicode',
    'AnsibleUnicode str NativeJinjaText NativeJinjaText',
    'NativeJinjaText AnsibleUnicode str str NativeJinjaText AnsibleUnicode',
    'str dict str NativeJinjaUnsafeText AnsibleUnicode AnsibleUnicode',
    'str str str NativeJinjaText',
  ]);
});

test("x.__class__ is x's type (jinja2_native_types test_dunder); an undefined value is AnsibleUndefined; a loop's items and include_vars' are YAML's", async () => {
  setJinja2Native(true);
  try {
    const o = await play({
      playbook: playbook(`- set_fact:
    var_dunder: "{{ b_true.__class__ }}"
    const_dunder: "{{ true.__class__|string }}"
- include_vars: iv.yml
  register: ivr
- debug:
    msg: "{{ [var_dunder|type_debug, const_dunder, const_dunder|type_debug, s_word.__class__.__name__, nothing|type_debug, ivr.ansible_facts.iv|type_debug, iv|type_debug] }}"
  register: out
- debug:
    msg: "{{ item|type_debug }}"
  loop: [a, "{{ s_word }}"]
  register: items`, VARS),
      files: { 'iv.yml': 'iv: inc\n' },
    });
    assert.equal(o.problems, []);
    assert.equal(msgOf(o, 2), ['type', "<class 'bool'>", 'NativeJinjaText', 'AnsibleUnicode', 'AnsibleUndefined', 'AnsibleUnicode', 'AnsibleUnicode']);
    assert.equal((o.results[3].registered as { results: { msg: string }[] }).results.map((r) => r.msg), ['AnsibleUnicode', 'AnsibleUnicode']);
  } finally {
    setJinja2Native(false);
  }
});

test("a NativeJinjaUnsafeText's filters keep its class (unsafe_proxy.py), `~` makes a str that is read back as a dict (template target's json_macro)", async () => {
  const o = await play({
    playbook: playbook(`- set_fact:
    a: "{{ lookup('template', 't.j2', convert_data=False) | trim }}"
    b: "{{ lookup('template', 't.j2', convert_data=False) ~ '' }}"
- debug:
    msg: "{{ [a|type_debug, b|type_debug, (lookup('template', 't.j2', convert_data=False) | trim)|type_debug] }}"
  register: out`, VARS),
    files: FILES,
  });
  assert.equal(o.problems, []);
  assert.equal(msgOf(o, 1), ['NativeJinjaUnsafeText', 'dict', 'NativeJinjaUnsafeText']);
});

test("inventory strings are YAML's (AnsibleUnicode) from a YAML inventory, group_vars/, host_vars/ and -e @vars.yml; str from -e k=v and JSON", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'type-debug-'));
  writeFileSync(join(dir, 'extra.yml'), 'ef: extrafile\n');
  writeFileSync(join(dir, 'extra.json'), '{"ej": "extrajson"}\n');
  const o = await play({
    hosts: 'all:\n  hosts:\n    a: {connection: local, yinv: yamlinv}\n  vars:\n    ygrp: yamlgroup\n',
    files: { 'group_vars/all.yml': 'gv: groupvar\n', 'host_vars/a.yml': 'hv: hostvar\n' },
    opts: { extraVars: [`@${join(dir, 'extra.yml')}`, `@${join(dir, 'extra.json')}`, 'ek=kv', '{"ei": "inline"}', '{ey: inline}'] },
    playbook: playbook(`- debug:
    msg: "{{ [yinv|type_debug, ygrp|type_debug, gv|type_debug, hv|type_debug, hostvars.a.hv|type_debug, ef|type_debug, ej|type_debug, ek|type_debug, ei|type_debug, ey|type_debug] }}"
  register: out`, '  gather_facts: false\n'),
  });
  assert.equal(o.problems, []);
  assert.equal(msgOf(o, 0), ['AnsibleUnicode', 'AnsibleUnicode', 'AnsibleUnicode', 'AnsibleUnicode', 'AnsibleUnicode', 'AnsibleUnicode', 'str', 'str', 'str', 'AnsibleUnicode']);
});

test('an item picked by a literal key from a list or dict the expression writes has that item\'s class, not that of the rest', async () => {
  const o = await play({
    playbook: playbook(`- debug:
    msg:
      - "{{ [1, 'a', s_word][1] | type_debug }} {{ [1, 'a', s_word][-1] | type_debug }}"
      - "{{ {'k': s_word, 'j': 'x'}.j | type_debug }} {{ {'k': s_word, 'j': 'x'}['k'] | type_debug }}"
      - "{{ ['x', s_word] | first | type_debug }} {{ ['x', s_word] | last | type_debug }}"
  register: out`, VARS),
  });
  assert.equal(o.problems, []);
  assert.equal(msgOf(o, 0), ['str AnsibleUnicode', 'str AnsibleUnicode', 'str AnsibleUnicode']);
});

test("map('type_debug') names each item's class as type_debug does: a list written there item by item, a variable's as its strings are (registered: unsafe)", async () => {
  const o = await play({
    playbook: playbook(`- command: echo hi
  register: r
- debug:
    msg:
      - "{{ [s_word, 'x', 1, [1], {}, ek] | map('type_debug') | list }}"
      - "{{ list_one | map('type_debug') | list }}"
      - "{{ [r.stdout, r.rc] | map('type_debug') | list }}"
  register: out`, VARS),
    opts: { extraVars: ['ek=kv'] },
  });
  assert.equal(o.problems, []);
  // ansible-playbook 2.14 -e ek=kv
  assert.equal(msgOf(o, 1), [
    ['AnsibleUnicode', 'str', 'int', 'list', 'dict', 'str'],
    ['AnsibleUnicode', 'AnsibleUnicode'],
    ['AnsibleUnsafeText', 'int'],
  ]);
});

test.run();

test("one to_json node inside {% if %} with whitespace control stays text, and so does a variable holding it (ansible_eval_concat's one-node NativeJinjaText): willshersystems.sshd's find_bind_addresses.yml", async () => {
  const o = await play({
    playbook: playbook(`- vars:
    tmp: >-
      {%- if nope is defined -%}
      {{-   nope | to_json -}}
      {%- else -%}
      {{-   ["0.0.0.0", "[::]"] | to_json -}}
      {%- endif -%}
  set_fact:
    addr: >-
      {%- if tmp | type_debug == "list" -%}
      {{-    tmp | to_json -}}
      {%- else -%}
      {{-   tmp -}}
      {%- endif -%}
    two: "{% if true %}{{ [1] | to_json }}{% endif %}{{ [2] | to_json }}"
- debug:
    msg: "{{ [addr | type_debug, addr != '[\\"0.0.0.0\\", \\"[::]\\"]', two | type_debug] }}"
  register: out`, VARS),
  });
  assert.equal(o.problems, []);
  // two nodes: joined into a new str (not one NativeJinjaText)
  assert.equal(msgOf(o, 1), ['NativeJinjaText', false, 'str']);
});
