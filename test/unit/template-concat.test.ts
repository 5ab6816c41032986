// How Ansible 2.14 reads back a rendered value (ansible_eval_concat): text that starts as a list or map
// does, or is True/False, is that Python literal (JSON's null/true/false too); a STRING_TYPE_FILTERS
// filter keeps its text. Cases from the templating and undefined targets, checked against ansible-playbook.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderString, scopeOf } from '../../src/template/template.ts';
import { UndefinedError } from '../../src/template/expr-error.ts';

const vars = { s: '[1, 2]', d: { a: 1 }, t: 'True', things: [{ name: 'one' }, { notname: 'three' }] };
const r = (src: string) => renderString(src, scopeOf(vars));

test('JSON text after an empty expression is a map, its null/true/false Python values (templating target)', () => {
  assert.equal(r('{{ "" }}{"null": null, "true": true, "false": false}'), { null: null, true: true, false: false });
});

test('a string var that reads as a list is one; "True" is a boolean; a map with text after it is still a map', () => {
  assert.equal(r('{{ s }}'), [1, 2]);
  assert.equal(r('{{ t }}'), true);
  assert.equal(r('{{ d }} '), { a: 1 });
});

test('text stays text: leading text, text that does not parse, and to_json/string output (NativeJinjaText)', () => {
  assert.equal(r(' {{ d }}'), " {'a': 1}");
  assert.equal(r('[{{ "x" }}'), '[x');
  assert.equal(r('{{ d | to_json }}'), '{"a": 1}');
  assert.equal(r('{{ s | string }}'), '[1, 2]');
  // the template target's STRING_TYPE_FILTERS case: Jinja2 drops the line end, one value is left
  assert.equal(r('{{ d | to_nice_json(indent=2) }}\n'), '{\n  "a": 1\n}\n');
});

test('"%r" | format of an undefined variable is AnsibleUndefined\'s repr; map over items lacking the attribute fails when read (undefined target)', () => {
  assert.equal(r('{{ "%r" | format(undefined_variable) }}'), "AnsibleUndefined(hint=None, obj=missing, name='undefined_variable')");
  assert.throws(() => r('{{ "%s" | format(undefined_variable) }}'), (e: unknown) => e instanceof UndefinedError);
  assert.throws(() => r('{{ things | map(attribute="name") }}'), (e: unknown) => e instanceof UndefinedError && e.jinja === "'dict object' has no attribute 'name'");
  // select('defined') takes the undefined items out first, as in Jinja2
  assert.equal(r('{{ things | map(attribute="name") | select("defined") | list }}'), ['one']);
});

test.run();
