// jinja2_native (ansible.cfg [defaults], ANSIBLE_JINJA2_NATIVE): a template's result is
// ansible_native_concat's, and set_fact keeps "yes"/"no" text as text. Cases from the
// jinja2_native_types and set_fact targets, each checked against ansible-playbook 2.14 with
// ANSIBLE_JINJA2_NATIVE=1.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { play } from './engine-harness.ts';
import { renderString, scopeOf } from '../../src/template/template.ts';
import { undefinedText } from '../../src/template/expr-error.ts';
import { setJinja2Native } from '../../src/template/native-concat.ts';
import { resolveConfig } from '../../src/cli/config.ts';

const vars = {
  i_one: 1,
  i_two: 2,
  s_two: '2',
  dict_one: { foo: 'bar' },
  list_one: ['one', 'two'],
  list_ints: [4, 2],
  yaml_none: null,
  third: '"hello"',
  empty_str: '""',
};
const r = (src: string) => renderString(src, scopeOf(vars));

test.before.each(() => setJinja2Native(true));
test.after.each(() => setJinja2Native(false));

test('jinja2_native comes from ANSIBLE_JINJA2_NATIVE (no longer named as unsupported), False by default', () => {
  const ce = { env: { ANSIBLE_JINJA2_NATIVE: '1' }, cwd: mkdtempSync(join(tmpdir(), 'skiff-native-')), home: '/nonexistent-home' };
  const { config } = resolveConfig({}, {}, ce, '/nonexistent/ansible.cfg');
  assert.is(config!.values.jinja2_native, true);
  assert.not.ok(config!.warnings.some((w) => w.includes('ANSIBLE_JINJA2_NATIVE')));
  assert.is(resolveConfig({}, {}, { ...ce, env: {} }, '/nonexistent/ansible.cfg').config!.values.jinja2_native, undefined);
});

test('one node keeps its value: numbers, lists, None (not made text)', () => {
  assert.is(r('{{ i_one + i_two }}'), 3);
  assert.is(r('{{ s_two | int }}'), 2);
  assert.equal(r('{{ [i_one, s_two] }}'), [1, '2']);
  assert.is(r('{{ yaml_none }}'), null);
  assert.is(r('{{ None }}'), null);
});

test('text is ast.literal_eval\'d: a string value, several nodes, a loop; a string result keeps its quotes', () => {
  assert.is(r("{{ '5' }}"), 5);
  assert.is(r('{% for x in list_ints %}{{ x }}{% endfor %}'), 42);
  assert.equal(r('[{% for x in list_ints %}{{ x }},{% endfor %}]'), [4, 2]);
  assert.is(r("'{{ i_two }}'"), "'2'");
  assert.is(r("'{{ [i_one, s_two] | join('') }}'"), "'12'");
  assert.is(r('{{ "true" }}'), 'true');
  assert.is(r('{{ "True" }}'), true);
  // test_preserving_quotes.yml: '"hello"' stays '"hello"' (so through nested variables too), '""' stays '""'
  assert.is(r('{{ third }}'), '"hello"');
  assert.is(r('{{ empty_str }}'), '""');
});

test('text that is no literal, or starts indented, stays text; None inside text reads None; no node at all is None', () => {
  assert.is(r('{{ list_one }} + {{ list_one }}'), "['one', 'two'] + ['one', 'two']");
  assert.is(r(' {{ i_one }}'), ' 1');
  assert.is(r('{% for x in list_one %}{{ x }}{% endfor %}'), 'onetwo');
  assert.is(r('{{ None }} x'), 'None x');
  assert.is(r('{% if false %}x{% endif %}'), null);
});

test('a string filter\'s text stays text (NativeJinjaText); a text result keeps the source\'s trailing newline, a number does not', () => {
  assert.is(r('{{ i_two | string }}'), '2');
  assert.is(r('{{ list_one | to_json }}'), '["one", "two"]');
  assert.is(r("{{ '5' }}\n"), 5);
  assert.is(r("{{ 'abc' }}\n"), 'abc\n');
});

test('an undefined value inside a single node fails (nested_undefined.yml)', () => {
  assert.throws(() => r("{{ [{ 'key': nested_and_undefined }] }}"), (e: unknown) => undefinedText(e) === "'nested_and_undefined' is undefined");
  assert.throws(() => r("{{ [{ 'key': nested_and_undefined }] }} second_node"), (e: unknown) => undefinedText(e) === "'nested_and_undefined' is undefined");
});

test('off again: ansible_eval_concat as before (text of a number stays text, None is empty)', () => {
  setJinja2Native(false);
  assert.is(r("{{ '5' }}"), '5');
  assert.is(r('{{ yaml_none }} x'), ' x');
});

test('set_fact in native mode keeps "yes"/"no" text as text, a YAML boolean stays one (set_fact_bool_conv_jinja2_native.yml)', async () => {
  const o = await play({
    playbook: `- hosts: all
  vars: {string_var: "no"}
  tasks:
    - set_fact:
        this_is_string: "yes"
        this_is_not_string: yes
        this_is_also_string: "{{ string_var }}"
        this_is_more_strings: '{{ string_var + "" }}'
      register: out
`,
  });
  assert.equal(o.problems, []);
  assert.equal((o.results[0].registered as { ansible_facts: unknown }).ansible_facts, { this_is_string: 'yes', this_is_not_string: true, this_is_also_string: 'no', this_is_more_strings: 'no' });
});

test("lookup('template') gives text (NativeJinjaText) unless the lookup renders natively itself (jinja2_native=true)", async () => {
  const o = await play({
    playbook: `- hosts: all
  tasks:
    - set_fact:
        t: "{{ lookup('template', 'five.j2') }}"
        t2: "{{ lookup('template', 'five.j2', jinja2_native=true) }}"
        d: "{{ lookup('template', 'd.j2') }}"
        d2: "{{ lookup('template', 'd.j2', jinja2_native=true) }}"
        d3: "{{ lookup('template', 'd.j2', jinja2_native=true, convert_data=false) }}"
      register: out
`,
    files: { 'templates/five.j2': '5\n', 'templates/d.j2': '{\n    "key": "bar"\n}\n' },
  });
  assert.equal(o.problems, []);
  // template_jinja2_non_native's 46169.yml: the JSON text stays text, a dict with jinja2_native=true
  const json = '{\n    "key": "bar"\n}\n';
  assert.equal((o.results[0].registered as { ansible_facts: unknown }).ansible_facts, { t: '5\n', t2: 5, d: json, d2: { key: 'bar' }, d3: json });
});

test.run();
