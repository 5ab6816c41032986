// ansible-core 2.14's filter_core target, task by task: each expression with what Ansible gives for it
// (the expected values are ansible-core's: the target's own assertions, and password_hash's strings as
// ansible-core with passlib 1.7.4 computes them for these salts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluate } from '../../src/template/expr.ts';
import { renderString, scopeOf } from '../../src/template/template.ts';

const x = { x: 'x', key: 'x' };
const y = { y: 'y', key: 'y' };
const z = { z: 'z', key: 'z' };
const vars = {
  x,
  y,
  z,
  orig_list: [1, 2, [3, [4, [5]], 6], 7],
  list_with_nulls: [1, 'None', [3, [4, [5]], 6], 7],
  default: { a: { "a'": { x: 'default_value', y: 'default_value', list: ['default_value'] } }, b: [1, 1, 2, 3] },
  patch: { a: { "a'": { y: 'patch_value', z: 'patch_value', list: ['patch_value'] } }, b: [3, 4, 4, { key: 'value' }] },
  result: { a: { "a'": { x: 'default_value', y: 'patch_value', z: 'patch_value', list: ['default_value', 'patch_value'] } }, b: [1, 1, 2, 3, 4, 4, { key: 'value' }] },
};
// as a condition reads them: string literals with Python's escapes
const ev = (src: string) => evaluate(src, scopeOf(vars), true);

const TRUE: string[] = [
  // Flatten tests
  'orig_list|flatten == [1, 2, 3, 4, 5, 6, 7]',
  'orig_list|flatten(levels=1) == [1, 2, 3, [4, [5]], 6, 7]',
  "list_with_nulls|flatten(skip_nulls=False) == [1, 'None', 3, 4, 5, 6, 7]",
  'list_with_nulls|flatten(levels=2, skip_nulls=True) == [1, 3, 4, [5], 6, 7]',
  // Test base64 filter
  "'Ansible - くらとみ\n' | b64encode(encoding='utf-16-le') == 'QQBuAHMAaQBiAGwAZQAgAC0AIABPMIkwaDB/MAoA'",
  "'QQBuAHMAaQBiAGwAZQAgAC0AIABPMIkwaDB/MAoA' | b64decode(encoding='utf-16-le') == 'Ansible - くらとみ\n'",
  // Verify combine filter
  '([x] | combine) == x',
  "([x, y] | combine(z)) == {'x': 'x', 'y': 'y', 'z': 'z', 'key': 'z'}",
  'None|combine == {}',
  "(default | combine(patch, recursive=True, list_merge='append_rp')) == result",
  // regex_search check
  "'hello' | regex_search('HELLO', ignorecase=false) == none",
  "'goodbye' | regex_search('(?P<first>good)(?P<second>bye)', '\\\\g<second>', '\\\\g<first>') == ['bye', 'good']",
  "'goodbye' | regex_search('(good)(bye)', '\\\\2', '\\\\1') == ['bye', 'good']",
  '"hEllo there heLlo haha HELLO there"|regex_findall("h.... ", ignorecase=True)|length == 3',
  // Verify to_bool
  'None|bool == None',
  '7|bool == False',
  // Verify regex_escape with re_type other than 'python'
  '"]]^"|regex_escape(re_type="posix_basic") == "\\\\]\\\\]\\\\^"',
  '"a/b c" | regex_escape == "a/b\\\\ c"',
  // Verify dict2items, items2dict
  '{"foo": "bar", "banana": "fruit"}|dict2items == [{"key": "foo", "value": "bar"}, {"key": "banana", "value": "fruit"}]',
  '[{"key": "foo", "value": "bar"}, {"key": "banana", "value": "fruit"}]|items2dict == {"foo": "bar", "banana": "fruit"}',
];

test('filter_core: the expressions Ansible finds true', () => {
  for (const src of TRUE) assert.is(ev(src), true, src);
});

const ERRORS: [string, string][] = [
  ["'hello' | regex_search('hello', 'unknown')", 'Unknown argument'],
  ['"]]^"|regex_escape(re_type="posix_extended")', 'Regex type (posix_extended) not yet implemented'],
  ['"]]^"|regex_escape(re_type="haha")', 'Invalid regex type (haha)'],
  ["[1] | combine(foo='bar')", "'recursive' and 'list_merge' are the only valid keyword arguments"],
  ['[x, [y]] | combine(z)', "failed to combine variables, expected dicts but got a 'list' and a 'dict'"],
  ['True|dict2items', "dict2items requires a dictionary, got <class 'bool'> instead."],
  ['True|items2dict', "items2dict requires a list, got <class 'bool'> instead."],
  ['[True]|items2dict', 'items2dict requires a list of dictionaries'],
  ['[{"key": "foo", "notvalue": 1}]|items2dict', "items2dict requires each dictionary in the list to contain the keys 'key' and 'value'"],
];

test('filter_core: the failures, with Ansible\'s messages', () => {
  for (const [src, msg] of ERRORS) assert.throws(() => ev(src), (e: Error) => e.message.includes(msg), `${src}: ${msg}`);
});

test('a whole "{{ }}" of None is \'\' (Ansible\'s finalize); quote is shlex.quote', () => {
  const s = scopeOf({ thing: null });
  assert.is(renderString("{{ 'hello' | regex_search('world') }}", s), '');
  assert.is(renderString("{{ 'hello' | regex_search('world') == none }}", s), true);
  assert.is(renderString('{{ thing | quote }}', s), "''");
  // Templar.template's shortcut: exactly `{{ name }}` of a var keeps None (template target's null_type: "{{ null_type }}")
  assert.is(renderString('{{ thing }}', s), null);
  assert.is(renderString('{{ None }}', s), '');
});

test("Python's inline flags at a pattern's start: (?i), (?im), (?x) (preflight_encoding: search('(?i)(\\.UTF-?8$)'); each printed so by ansible-playbook 2.14)", () => {
  assert.is(ev("'en_US.utf8' is search('(?i)(\\.UTF-?8$)')"), true);
  assert.is(ev("'ABC' | regex_replace('(?i)b', 'x')"), 'AxC');
  assert.equal(ev("'a\nB' | regex_findall('(?im)^b')"), ['B']);
  assert.is(ev("'a b' | regex_search('(?x) a \\s  b # comment')"), 'a b');
  assert.is(ev("'en_US.utf8' is search('(\\.UTF-?8$)')"), false);
});

test.run();
