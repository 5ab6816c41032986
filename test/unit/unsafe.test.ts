// Ansible's unsafe text: the `!unsafe` YAML tag (loops target, Ansible #47372), a lookup's result, a
// registered result, a with_* loop's item are never templated again, nor what a template makes of them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseYaml } from '../../src/util/yaml-source.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { play, playbook } from './engine-harness.ts';

test('!unsafe: read as its text; a loop over unsafe items; text with {{ }} renders to itself, through other vars and set_fact', async () => {
  const o = await play({
    playbook: playbook(`- debug: {msg: "{{ item }}"}
  with_items: "{{ things|list|unique }}"
  vars:
    things: [!unsafe foo, !unsafe bar, !unsafe foo]
- debug: {msg: "{{ pw }} {{ via }}"}
  register: a
- set_fact: {f: "{{ pw }}"}
- debug: {msg: "{{ f }}"}
  register: b`, '  gather_facts: false\n  vars: {foo: FOO, pw: !unsafe "p{{ foo }}w{% x %}", via: "{{ pw }}"}\n'),
  });
  assert.equal(o.problems, []);
  assert.equal(o.results[0].labels, ['foo', 'bar']);
  assert.equal((o.results[1].registered as { msg: string }).msg, 'p{{ foo }}w{% x %} p{{ foo }}w{% x %}');
  assert.equal((o.results[3].registered as { msg: string }).msg, 'p{{ foo }}w{% x %}');
});

test('!unsafe on a list or a map: every text in it is unsafe, at any depth (yaml_parsing target)', async () => {
  const o = await play({
    playbook: playbook(`- debug: {msg: "{{ ulist[0] }} {{ udict.a }} {{ udict.n.m }}"}
  register: r`, '  gather_facts: false\n  vars:\n    nottemplate: FAIL\n    ulist: !unsafe [ "b{{nottemplate}}", c]\n    udict: !unsafe\n      a: b{{nottemplate}}\n      n: {m: "{{ nottemplate }}"}\n'),
  });
  assert.equal(o.problems, []);
  assert.equal((o.results[0].registered as { msg: string }).msg, 'b{{nottemplate}} b{{nottemplate}} {{ nottemplate }}');
});

const msgOf = (o: Awaited<ReturnType<typeof play>>, i: number) => (o.results[i].registered as { msg: unknown }).msg;

test("a lookup's result is unsafe: type_debug names AnsibleUnsafeText, and a file's {{ }} is never templated (template target's unsafe.yml)", async () => {
  const o = await play({
    playbook: playbook(`- set_fact:
    unsafe_foo: "{{ lookup('list', var0) }}"
  vars:
    var0: "{{ var1 }}"
    var1: [unsafe]
- set_fact:
    file_content: "{{ lookup('file', playbook_dir + '/unsafe_file') }}"
- assert:
    that:
      - "{{ unsafe_foo[0] | type_debug == 'AnsibleUnsafeText' }}"
      - not file_content is contains('unsafe')
      - (file_content ~ '') | type_debug == 'str'`, '  gather_facts: false\n  vars: {i_should_not_be_templated: unsafe}\n'),
    files: { unsafe_file: '{{ i_should_not_be_templated }}' },
  });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a set_fact ok', 'a set_fact ok', 'a assert ok']);
});

test('!unsafe through set_fact, folded with a newline or not, stays the text (template target)', async () => {
  const o = await play({
    playbook: playbook(`- set_fact:
    this_was_unsafe: >
      {{ imunsafe }}
- set_fact:
    this_always_safe: '{{ imunsafe }}'
- assert:
    that:
      - this_always_safe == imunsafe
      - imunsafe == this_was_unsafe.strip()
      - imunsafe | type_debug == 'AnsibleUnsafeText'`, "  gather_facts: false\n  vars:\n    nottemplated: this should not be seen\n    imunsafe: !unsafe '{{ nottemplated }}'\n"),
  });
  assert.equal(o.problems, []);
  assert.equal(o.lines.at(-1), 'a assert ok');
});

test("lookup('template', convert_data=False) is NativeJinjaUnsafeText, never read back as a dict; converted it is a dict (template target)", async () => {
  const o = await play({
    playbook: playbook(`- debug:
    msg: "{{ [data_not_converted | type_debug, data_converted | type_debug] }}"
  vars:
    data_not_converted: "{{ lookup('template', 'json_macro.j2', convert_data=False) }}"
    data_converted: "{{ lookup('template', 'json_macro.j2') }}"
  register: out`, '  gather_facts: false\n'),
    files: { 'templates/json_macro.j2': '{% macro m() %}{{ {"foo":"bar"} }}{% endmacro %}\n{{ m() }}\n' },
  });
  assert.equal(o.problems, []);
  assert.equal(msgOf(o, 0), ['NativeJinjaUnsafeText', 'dict']);
});

test("debug's var of unsafe text is not evaluated: `!unsafe undef()|mandatory` is shown as {{undef()|mandatory}} (debug target's unsafe.yml)", async () => {
  const o = await play({
    playbook: playbook(`- debug:
    var: '{{ unsafe_var }}'
  register: result
- debug: var="{{ item }}"
  with_items: [a]
  register: items
- debug: var="{{ item }}"
  loop: [a]
  register: loop`, '  gather_facts: false\n  vars:\n    a: 1\n    unsafe_var: !unsafe undef()|mandatory\n'),
  });
  assert.equal(o.problems, []);
  assert.equal(o.results[0].status, 'ok');
  assert.equal((o.results[0].registered as Record<string, unknown>)['undef()|mandatory'], '{{undef()|mandatory}}');
  // Ansible 2.14 alike: a with_* item is unsafe (shown as text), a loop's item from a list is not
  assert.equal((o.results[1].registered as { results: Record<string, unknown>[] }).results[0].a, '{{a}}');
  assert.equal((o.results[2].registered as { results: Record<string, unknown>[] }).results[0].a, 1);
});

test('set_fact over hostvars: with_dict items are unsafe so the fact is kept as text; loop items are not, so it is templated when read (loops target, Ansible #64169)', async () => {
  const o = await play({
    playbook: playbook(`- include_vars: 64169.yml
- set_fact: "{{ item.key }}={{ hostvars[inventory_hostname][item.value] }}"
  with_dict:
    foo: __foo
- assert:
    that:
      - foo[0] != 'foo1.0'
      - foo[0] == unsafe_value
  vars:
    unsafe_value: !unsafe 'foo{{ version_64169 }}'
- set_fact: "{{ item.key }}={{ hostvars[inventory_hostname][item.value] }}"
  loop: "{{ dicty_dict|dict2items }}"
  vars:
    dicty_dict:
      foo: __foo
- assert:
    that:
      - foo[0] == 'foo1.0'`, "  gather_facts: false\n  vars: {version_64169: '1.0'}\n"),
    files: { '64169.yml': '__foo:\n  - "foo{{ version_64169 }}"\n' },
  });
  assert.equal(o.problems, []);
  assert.equal(o.lines.filter((l) => l.endsWith(' ok')).length, 5, o.lines.join('\n'));
});

test("a registered result is unsafe: its text with {{ }} is kept through set_fact; a fact made from safe text holding a template is templated when read", async () => {
  const o = await play({
    playbook: playbook(`- command: echo "{{ '{{ a }}' }}"
  register: r
- set_fact:
    s4: "{{ r.stdout | trim }}"
    s1: "{{ x }}"
- debug:
    msg: "{{ [s4, s1, r.stdout | type_debug, (r.stdout == 'x') | type_debug] }}"
  register: out`, "  gather_facts: false\n  vars:\n    a: 1\n    x: \"{{ '{{ a }}' }}\"\n"),
  });
  assert.equal(o.problems, []);
  assert.equal(msgOf(o, 2), ['{{ a }}', 1, 'AnsibleUnsafeText', 'bool']);
});

test("include_vars' and set_fact's registered results are not unsafe (include_vars target's no_auto_unsafe); !unsafe text names an action's module", async () => {
  const o = await play({
    playbook: playbook(`- include_vars: {file: no_auto_unsafe.yml}
  register: baz
- command: echo bar
  register: r
- assert:
    that:
      - baz.ansible_facts.foo | type_debug != "AnsibleUnsafeText"
      - r.stdout | type_debug == "AnsibleUnsafeText"
- action: !unsafe debug msg=plain`, '  gather_facts: false\n'),
    files: { 'no_auto_unsafe.yml': 'foo: bar\n' },
  });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a include_vars ok', 'a command changed', 'a assert ok', 'a debug ok']);
});

test('gathered facts are unsafe, read directly, as ansible_facts or through hostvars (the fact cache is wrap_var-ed)', async () => {
  const o = await play({
    facts: { a: readFileSync(join(import.meta.dirname, 'fixtures', 'facts', 'debian12.txt'), 'utf8') },
    playbook: playbook(`- debug:
    msg: "{{ [ansible_hostname | type_debug, ansible_facts.hostname | type_debug, hostvars[inventory_hostname].ansible_hostname | type_debug, inventory_hostname | type_debug] }}"
  register: out`, '  gather_facts: true\n'),
  });
  assert.equal(o.problems, []);
  assert.equal(msgOf(o, 1), ['AnsibleUnsafeText', 'AnsibleUnsafeText', 'AnsibleUnsafeText', 'str']);
});

test("a failed set_fact's registered error, quoting its template, is not templated when read (lookup_dict target)", async () => {
  const o = await play({
    playbook: playbook(`- set_fact:
    bad_fact: "{{ bbbbad }}"
  vars:
    bbbbad: "{{ lookup('dict', 1) }}"
  register: result
  ignore_errors: yes
- assert:
    that:
      - result is failed
      - "'with_dict expects a dict' in result.msg"`, '  gather_facts: false\n'),
  });
  assert.equal(o.problems, []);
  assert.equal(o.lines, ['a set_fact failed', 'a assert ok']);
});

test('!unsafe text holding {% endraw %} is refused by name', () => {
  const r = parseYaml('x.yml', 'a: !unsafe "{% raw %}{{ x }}{% endraw %}"\n');
  assert.match(r.problems.map((p) => p.message).join('\n'), 'tag !unsafe on text holding {% endraw %} is not supported by skiff');
});

test.run();
