// Ansible's builtin lookups that with_* loops use (src/lookup/builtin.ts), each case from the
// integration target of its name (test/conformance/ansible-2.14.17/targets/lookup_*).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BUILTIN_LOOKUPS, listify } from '../../src/lookup/builtin.ts';
import { loopItems } from '../../src/engine/loop.ts';
import { evaluate } from '../../src/template/expr.ts';
import { play, playbook } from './engine-harness.ts';
import { scopeOf } from '../../src/template/template.ts';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const failsEval = (src: string, s: ReturnType<typeof scopeOf>) => {
  try {
    return evaluate(src, s);
  } catch (e) {
    return (e as Error).message;
  }
};

const run = (name: string, value: unknown) => BUILTIN_LOOKUPS[name](listify(value), {});
const fails = (name: string, value: unknown) => {
  try {
    run(name, value);
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
};

test('with_sequence: key=value and shortcut forms, formats, count=0 gives no items (lookup_sequence)', () => {
  assert.equal(run('sequence', 'start=0 end=3'), ['0', '1', '2', '3']);
  assert.equal(run('sequence', 'start=3 end=0 stride=-1'), ['3', '2', '1', '0']);
  assert.equal(run('sequence', 'count=0'), []);
  assert.equal(run('sequence', 'start=1 end=1'), ['1']);
  assert.equal(run('sequence', '4'), ['1', '2', '3', '4']);
  assert.equal(run('sequence', '2-6/2'), ['2', '4', '6']);
  assert.equal(run('sequence', '7-8:host%02d'), ['host07', 'host08']);
  assert.equal(run('sequence', 'start=0x0f00 count=4 format=%04x'), ['0f00', '0f01', '0f02', '0f03']);
  assert.equal(run('sequence', 'start=5 end=11 stride=2 format=0x%02x'), ['0x05', '0x07', '0x09', '0x0b']);
  assert.equal(fails('sequence', 'start=0 junk=3'), "unrecognized arguments to with_sequence: ['junk']");
  assert.equal(fails('sequence', 'start=A end=3'), "can't parse start=A as integer");
  assert.equal(fails('sequence', 'A-4/2'), "can't parse start=A as integer");
  assert.equal(fails('sequence', '1-B/2'), "can't parse end=B as integer");
  assert.equal(fails('sequence', '1-4/C'), "can't parse stride=C as integer");
  assert.equal(fails('sequence', 'start=1'), 'must specify count or end in with_sequence');
  assert.equal(fails('sequence', 'start=1 end=4 count=2'), "can't specify both count and end in with_sequence");
  assert.equal(fails('sequence', 'start=4 end=1'), 'to count backwards make stride negative');
  assert.equal(fails('sequence', 'start=1 end=4 format=%d%d'), 'bad formatting string: %d%d');
});

test('with_together pads with None, with_nested combines; both refuse no lists (lookup_together, lookup_nested)', () => {
  assert.equal(run('together', [['a', 'b'], ['1']]), [['a', '1'], ['b', null]]);
  assert.equal(fails('together', []), 'with_together requires at least one element in each list');
  assert.equal(run('nested', [['a', 'b'], ['c', 'd']]), [['a', 'c'], ['a', 'd'], ['b', 'c'], ['b', 'd']]);
  assert.equal(run('nested', [['a'], ['b'], ['c']]), [['a', 'b', 'c']]);
});

test('with_indexed_items flattens and numbers; a map is refused (lookup_indexed_items)', () => {
  assert.equal(run('indexed_items', ['x', ['y', 'z']]), [[0, 'x'], [1, 'y'], [2, 'z']]);
  assert.equal(fails('indexed_items', { a: 1 }), 'with_indexed_items expects a list');
});

test('with_items flattens one level; with_dict takes one map or a list of them (lookup_items, lookup_dict)', () => {
  assert.equal(run('items', ['foo', ['bar', ['baz']]]), ['foo', 'bar', ['baz']]);
  assert.equal(run('items', 'one'), ['one']);
  assert.equal(run('dict', { hello: 'World' }), [{ key: 'hello', value: 'World' }]);
  assert.equal(fails('dict', 1), 'with_dict expects a dict');
});

test('with_subelements: pairs of element and sub-item, the list taken out of the element; its errors (lookup_subelements)', () => {
  const data = [
    { id: 'x', the: { sub: { key: { list: ['q', 'r'] } } } },
    { id: 'y', the: { sub: { key: { list: ['i'] } } } },
    { id: 'z', skipped: true, the: { sub: { key: { list: ['n'] } } } },
  ];
  assert.equal(run('subelements', [data, 'the.sub.key.list']), [
    [{ id: 'x', the: { sub: { key: {} } } }, 'q'],
    [{ id: 'x', the: { sub: { key: {} } } }, 'r'],
    [{ id: 'y', the: { sub: { key: {} } } }, 'i'],
  ]);
  // the data given is not changed
  assert.equal(data[0].the.sub.key.list, ['q', 'r']);
  assert.equal(run('subelements', [[{ id: 'x', l: [1] }, { id: 'y' }], 'l', { skip_missing: 'yes' }]), [[{ id: 'x' }, 1]]);
  assert.equal(run('subelements', [{ skipped: true }, 'mysql.hosts']), []);
  assert.equal(run('subelements', [{ a: { n: 'alice', h: ['l'] } }, 'h']), [[{ n: 'alice' }, 'l']]);
  // a single value is a list of one (listify)
  assert.match(fails('subelements', [9001, 'groups']), "subelements lookup expects a dictionary, got '9001'");
  assert.match(fails('subelements', [true, data]), 'first a dict or a list');
  assert.match(fails('subelements', [[{ m: { p: 'x' } }], 'm.p']), 'should point to a list');
  assert.match(fails('subelements', [[{ m: { h: ['x'] } }], 'm.h.nope']), 'should point to a dictionary');
  assert.match(fails('subelements', [[{ m: {} }], 'm.monkey']), "could not find 'monkey' key in iterated item");
  assert.match(fails('subelements', [data, 'l', 'wolves']), 'the optional third item must be a dict');
  assert.match(fails('subelements', [data, 'l', 'w', 'f', 'b']), 'expects a list of two or three');
  assert.match(fails('subelements', [data, true]), 'second a string');
});

test('loopItems: with_<lookup> runs the lookup over its value made a list; an unknown lookup error is the lookup\'s', () => {
  assert.equal(loopItems('with_sequence', 'count=2'), { items: ['1', '2'] });
  assert.equal(loopItems('with_together', []), { error: 'with_together requires at least one element in each list', lookup: true });
  assert.equal(loopItems('with_list', 'abc'), { items: ['abc'] });
});

test("lookup(): strings joined, other values a list (or its one item); wantlist=true a list; a plugin's error wrapped as Ansible's", () => {
  const scope = (n: string) => (n === 'users' ? { found: true as const, value: { alice: 1, bob: 2 } } : { found: false as const, names: [] });
  assert.equal(evaluate("lookup('dict', users) | map(attribute='key') | list", scope), ['alice', 'bob']);
  assert.equal(evaluate("lookup('sequence', 'count=3')", scope), '1,2,3');
  assert.equal(evaluate("lookup('sequence', 'count=1', wantlist=true)", scope), ['1']);
  assert.equal(evaluate("lookup('subelements', {'skipped': true}, 'mysql.hosts', wantlist=true)", scope), []);
  assert.throws(() => evaluate("lookup('subelements', 9001, 'groups', wantlist=true)", scope), /running the lookup plugin 'subelements'.*expects a dictionary, got '9001'/);
});

test("a lookup's error is the task's failure when it runs, so ignore_errors takes it; lookup() still works after a templated set_fact key (lookup_dict, lookup_subelements)", async () => {
  const o = await play({
    playbook: playbook(`- set_fact: "{{ 'k' }}=v"
- set_fact: {bad: "{{ bbbbad }}"}
  vars: {bbbbad: "{{ lookup('dict', 1) }}"}
  ignore_errors: yes
- debug: {msg: "{{ lookup('subelements', {'skipped': true}, 'mysql.hosts', wantlist=true) }}"}
  register: r`, '  gather_facts: false\n'),
  });
  assert.equal(o.problems, []);
  assert.equal(o.results.map((r) => r.status), ['ok', 'failed', 'ok']);
  assert.match(String(o.results[1].msg), "running the lookup plugin 'dict'. Error was a <class 'ansible.errors.AnsibleError'>, original message: with_dict expects a dict");
  assert.equal((o.results[2].registered as { msg: unknown }).msg, []);
});

test("a loop over an undefined variable is skipped when the task's `when` is false (lookup_items), and fails when it is true", async () => {
  const o = await play({
    playbook: playbook(`- debug:
  with_items: ['{{ baz }}']
  when: false
- debug:
  loop: '{{ baz }}'
  ignore_errors: true`, '  gather_facts: false\n'),
  });
  assert.equal(o.problems, []);
  assert.equal(o.results.map((r) => r.status), ['skipped', 'failed']);
});

test("lookup('vars'): a variable by a name made at run time, its default, Ansible's error without one (loop-until)", () => {
  const scope = (n: string) => (n === 'path_1' ? { found: true as const, value: '/tmp/x' } : n === 'i' ? { found: true as const, value: 1 } : { found: false as const, names: [] });
  assert.equal(evaluate("lookup('vars', 'path_' + i | string)", scope), '/tmp/x');
  assert.equal(evaluate("lookup('vars', 'nope', default='d')", scope), 'd');
  assert.throws(() => evaluate("lookup('vars', 'nope')", scope), /No variable found with this name: nope/);
});

test("lookup('file'): found in the role's files/ first, rstrip by default, lstrip asked for; a missing file is the lookup's error (loops target)", async () => {
  const o = await play({
    playbook: `- hosts: all\n  gather_facts: false\n  roles: [r]\n`,
    files: {
      'roles/r/tasks/main.yml': `- debug: {msg: "{{ q('file', 'data1.txt', 'data2.txt', lstrip=True) }}"}
  register: a
- debug: {msg: "[{{ lookup('file', 'data1.txt') }}]"}
  register: b
- debug: {msg: "{{ lookup('file', 'nope.txt') }}"}
  ignore_errors: true
`,
      'roles/r/files/data1.txt': '     Hello World\n',
      'roles/r/files/data2.txt': '  Olá Mundo\n\n',
    },
  });
  assert.equal(o.problems, []);
  assert.equal((o.results[0].registered as { msg: unknown }).msg, ['Hello World', 'Olá Mundo']);
  assert.equal((o.results[1].registered as { msg: unknown }).msg, '[     Hello World]');
  assert.equal(o.results[2].status, 'failed');
  assert.match(String(o.results[2].msg), "while running the lookup plugin 'file'. Error was a <class 'ansible.errors.AnsibleError'>, original message: could not locate file in lookup: nope.txt");
});

// the template target: tasks/main.yml (jinja2 version), macro_using_globals.j2, json_macro.j2, 72615.yml
test("pipe and lines: a command's output on the controller, its terms templated once more (template target)", () => {
  const s = scopeOf({ python: '/usr/bin/python3' });
  assert.is(evaluate(`lookup('pipe', '{{ python }} -c "print(1 + 1)"')`, s), '2');
  assert.is(evaluate("lookup('lines', 'echo lookedup_bar')", s), 'lookedup_bar');
  assert.equal(evaluate("query('lines', 'printf \"a\\nb\\n\"')", s), ['a', 'b']);
  assert.match(String(failsEval("lookup('pipe', 'exit 3')", s)), /lookup_plugin\.pipe\(exit 3\) returned 3/);
});

test('a pipe lookup runs its command once, when the task runs: not while skiff checks the playbook first', async () => {
  const f = join(mkdtempSync(join(tmpdir(), 'skiff-pipe-')), 'count');
  const o = await play({ playbook: playbook(`- debug: {msg: "{{ lookup('pipe', 'echo x >> ${f}; echo hi') }}"}`) });
  assert.equal(o.problems, []);
  assert.is(o.results[0].msg, 'hi');
  assert.is(readFileSync(f, 'utf8'), 'x\n');
});

test("lookup('template'): the file from templates/ with the task's variables and its includes; convert_data reads a map back (template target)", () => {
  const d = mkdtempSync(join(tmpdir(), 'skiff-lookup-'));
  mkdirSync(join(d, 'templates'));
  const put = (n: string, t: string) => writeFileSync(join(d, 'templates', n), t);
  put('json_macro.j2', '{% macro m() %}{{ {"foo":"bar"} }}{% endmacro %}\n{{ m() }}\n');
  put('72615.j2', '{% set foo = "template-level-foo" %}\n{% from \'72615-macro.j2\' import m with context %}\n{{ m(bar) }}\n');
  put('72615-macro.j2', '{% macro m(value) %}\n{{ foo }} {{ value }}\n{% endmacro %}\n');
  const s = scopeOf({ playbook_dir: d, ansible_search_path: [d], foo: 'top-level-foo', bar: 'B' });
  assert.equal(evaluate("lookup('template', 'json_macro.j2')", s), { foo: 'bar' });
  assert.is(evaluate("lookup('template', 'json_macro.j2', convert_data=False)", s), "{'foo': 'bar'}\n");
  assert.is(evaluate("lookup('template', '72615.j2')", s), 'template-level-foo B\n');
  assert.match(String(failsEval("lookup('template', 'none.j2')", s)), /the template file none\.j2 could not be found for the lookup/);
});

test('expanduser: ~ is the home directory (template target)', () => {
  assert.is(evaluate("'~/x' | expanduser", scopeOf({})), `${process.env.HOME}/x`);
  assert.is(evaluate("'/tmp/out' | expanduser", scopeOf({})), '/tmp/out');
});

test("password: random of length= from chars=, kept in its file and read back, not kept for /dev/null; other options refused (setup_test_user)", () => {
  const pw = BUILTIN_LOOKUPS.password;
  const a = pw('/dev/null', {}) as string[];
  assert.match(a[0], /^[A-Za-z0-9.,:_-]{20}$/);
  assert.match((pw('/dev/null length=8 chars=digits', {}) as string[])[0], /^\d{8}$/);
  const f = join(mkdtempSync(join(tmpdir(), 'skiff-pw-')), 'creds', 'db');
  const first = (pw(f, { length: 12, chars: ['ascii_lowercase'] }) as string[])[0];
  assert.match(first, /^[a-z]{12}$/);
  assert.is(readFileSync(f, 'utf8'), `${first}\n`);
  assert.equal(pw(f, {}), [first], 'read back from its file');
  assert.throws(() => pw('/dev/null encrypt=sha512_crypt', {}), /encrypt is not supported by skiff/);
});

test.run();

