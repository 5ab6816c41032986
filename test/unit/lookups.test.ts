// Ansible's builtin lookups that with_* loops use (src/lookup/builtin.ts), each case from the
// integration target of its name (test/conformance/ansible-2.14.17/targets/lookup_*).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BUILTIN_LOOKUPS, listify } from '../../src/lookup/builtin.ts';
import { loopItems } from '../../src/engine/loop.ts';
import { evaluate } from '../../src/template/expr.ts';
import { calls, play, playbook } from './engine-harness.ts';
import { scopeOf } from '../../src/template/template.ts';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const failsEval = (src: string, s: ReturnType<typeof scopeOf>): string => {
  try {
    return String(evaluate(src, s));
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
  assert.throws(() => pw('/dev/null ident=2b', {}), /ident is not supported by skiff/);
  assert.throws(() => pw('/dev/null lenght=2', {}), /Unrecognized parameter\(s\) given to password lookup: lenght/);
});

test('password: its directory 0700, seed= gives the same password each time, encrypt= a hash whose salt is kept after the password (lookup_password)', () => {
  const pw = BUILTIN_LOOKUPS.password;
  const dir = join(mkdtempSync(join(tmpdir(), 'skiff-pw-')), 'lookup');
  const newpass = (pw(`${dir}/password length=8`, {}) as string[])[0];
  assert.is(statSync(dir).mode & 0o777, 0o700);
  assert.is(statSync(`${dir}/password`).mode & 0o777, 0o600);
  assert.is(readFileSync(`${dir}/password`, 'utf8'), `${newpass}\n`);
  assert.equal(pw('/dev/null seed=foo', {}), pw('/dev/null', { seed: 'foo' }));
  assert.not.equal(pw('/dev/null', {}), pw('/dev/null', {}));
  const hashed = (pw(`${dir}/password_with_salt encrypt=sha256_crypt`, {}) as string[])[0];
  const kept = readFileSync(`${dir}/password_with_salt`, 'utf8').trimEnd();
  const plain = (pw(`${dir}/password_with_salt`, {}) as string[])[0];
  assert.ok(kept.startsWith(`${plain} salt=`));
  assert.match(hashed, new RegExp(`^\\$5\\$rounds=535000\\$${kept.slice(plain.length + 6)}\\$`));
  assert.equal(pw(`${dir}/password_with_salt encrypt=`, {}), [plain]);
  assert.equal(pw(`${dir}/password_with_salt encrypt=sha256_crypt`, {}), [hashed], 'the kept salt gives the same hash');
});

/** A directory with these files, as a lookup's search path. */
function dirWith(files: Record<string, string | Buffer>): { searchPath: string[]; baseDir: string } {
  const d = mkdtempSync(join(tmpdir(), 'skiff-lookup-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(d, name, '..'), { recursive: true });
    writeFileSync(join(d, name), text);
  }
  return { searchPath: [d], baseDir: d };
}
const failsWith = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
};

// the lookup_ini target's files
const INI = `[global]\n# A comment\nvalue1=Text associated with value1 and global section\nvalue2=Same for value2 and global section\nvalue.dot=Properties with dot\nfield.with.space = another space\nunicode=été indien où à château français ïîôû\n\n[section1]\nvalue1=section1/value1\nvalue2=section1/value2\n\n[value_section]\nvalue1=1\nvalue2=2\nvalue3=3\nother1=4\nother2=5\n`;
const PROPERTIES = `# A comment\nvalue1=Text associated with value1\nvalue2=Same for value2\nvalue.dot=Properties with dot\nfield.with.space = another space\n`;
const MYSQL = `[mysqld]\nuser = mysql\npid-file = /var/run/mysqld/mysqld.pid\nskip-external-locking\nold_passwords = 1\nskip-bdb\n# we don't need ACID today\nskip-innodb\n`;

test("lookup('ini'): a key of a section, inline options, a regexp's values, the default; properties files (lookup_ini)", () => {
  const files = dirWith({ 'lookup.ini': INI, 'lookup.properties': PROPERTIES, 'lookup-8859-15.ini': Buffer.from('[global]\nfield_with_unicode=été indien\n', 'latin1') });
  const ini = (terms: unknown[], kw: Record<string, unknown> = {}) => BUILTIN_LOOKUPS.ini(terms, kw, files);
  assert.equal(ini(['value1            type=properties  file=lookup.properties']), ['Text associated with value1']);
  assert.equal(ini(['value.dot'], { type: 'properties', file: 'lookup.properties' }), ['Properties with dot']);
  assert.equal(ini(['field.with.space  type=properties  file=lookup.properties']), ['another space']);
  assert.equal(ini(['unicode'], { section: 'global', file: 'lookup.ini' }), ['été indien où à château français ïîôû']);
  assert.equal(ini(['field_with_unicode section=global encoding=iso8859-1 file=lookup-8859-15.ini']), ['été indien']);
  assert.equal(ini(['value[1-2]        section=value_section file=lookup.ini re=true']), ['1', '2']);
  assert.equal(ini(['unknown  default=unknown section=section1 file=lookup.ini']), ['unknown']);
  // keys are not case sensitive unless asked
  assert.equal(ini(['VALUE1'], { section: 'section1', file: 'lookup.ini' }), ['section1/value1']);
});

test("lookup('ini'): Ansible's errors for a key written twice, a missing section, inline options without a key, an unknown option (lookup_ini test_errors)", () => {
  const files = dirWith({ 'lookup.ini': INI, 'duplicate.ini': '[reggae]\nname = bob\nname = marley\n', 'duplicate_case_check.ini': '[reggae]\nname = bob\nNAME = marley\n', 'case.properties': 'name = captain\nNAME = fantastic\n' });
  const ini = (terms: unknown[], kw: Record<string, unknown> = {}) => () => BUILTIN_LOOKUPS.ini(terms, kw, files);
  assert.equal(failsWith(ini(['name'], { file: 'duplicate.ini', section: 'reggae' })), "Duplicate option in 'duplicate.ini': While reading from '<???>' [line  3]: option 'name' in section 'reggae' already exists");
  assert.match(failsWith(ini(['name'], { file: 'duplicate_case_check.ini', section: 'reggae' })), /^Duplicate option in 'duplicate_case_check.ini'/);
  assert.equal(failsWith(ini(['name'], { file: 'lookup.ini', section: 'missing' })), "No section 'missing' in lookup.ini");
  assert.equal(failsWith(ini(['file=lookup.ini', 'value1'], { section: 'value_section' })), 'No key to lookup was provided as first term with in string inline options: file=lookup.ini');
  assert.equal(failsWith(ini(['invalid=option'])), 'invalid is not a valid option.');
  // case_sensitive keeps the keys apart (test_case_sensitive)
  assert.equal(ini(['NAME'], { file: 'duplicate_case_check.ini', section: 'reggae', case_sensitive: true })(), ['marley']);
  assert.equal(ini(['NAME'], { file: 'case.properties', type: 'properties', case_sensitive: true })(), ['fantastic']);
});

test("lookup('ini'): a key without a value needs allow_no_value; its value None adds nothing, so lookup() gives [] (lookup_ini test_allow_no_value)", () => {
  const files = dirWith({ 'mysql.ini': MYSQL });
  assert.match(failsWith(() => BUILTIN_LOOKUPS.ini(['user'], { file: 'mysql.ini', section: 'mysqld' }, files)), /^Source contains parsing errors: '<\?\?\?>'\n\t\[line  4\]: 'skip-external-locking\\n'/);
  assert.equal(BUILTIN_LOOKUPS.ini(['user'], { file: 'mysql.ini', section: 'mysqld', allow_no_value: true }, files), ['mysql']);
  assert.equal(BUILTIN_LOOKUPS.ini(['skip-innodb'], { file: 'mysql.ini', section: 'mysqld', allow_none: true }, files), []);
  const scope = (n: string) => (n === 'playbook_dir' ? { found: true as const, value: files.baseDir } : { found: false as const, names: [] });
  assert.equal(evaluate("lookup('ini', 'skip-innodb', file='mysql.ini', section='mysqld', allow_none=True)", scope), []);
});

test('with_ini, with_lines, with_random_choice: any lookup loops as with_<name> (lookup_ini, lookup_lines, lookup_random_choice)', async () => {
  const o = await play({
    playbook: playbook(`- debug: msg="{{item}}"
  with_ini: value[1-2] section=section1      file=lookup.ini re=true
  register: ini
- set_fact: "{{ item }}=set"
  with_lines: for i in $(seq 1 3); do echo "l$i" ; done;
- assert: {that: ["l1 == 'set'", "l2 == 'set'", "l3 == 'set'"]}
- set_fact: "random={{ item }}"
  with_random_choice: [foo, bar]
- assert: {that: ["random in ['foo', 'bar']"]}`, '  gather_facts: false\n'),
    files: { 'lookup.ini': INI },
  });
  assert.equal(o.problems, []);
  assert.equal(o.results.map((r) => r.status), ['ok', 'ok', 'ok', 'ok', 'ok']);
  assert.equal(((o.results[0].registered as { results: { item: unknown }[] }).results).map((r) => r.item), ['section1/value1', 'section1/value2']);
});

test("with_<name> that no lookup plugin has is Ansible's error when the playbook is read; one skiff lacks runs through ansible-core", async () => {
  const o = await play({ playbook: playbook(`- debug: msg={{ item }}\n  with_nosuchlookup: [1]`) });
  assert.match(o.problems.join('\n'), /play\d+\.yml:4:\d+: 'with_nosuchlookup' is not a valid attribute for a Task/);
  // nothing listens there: the url lookup's own error when the task runs
  const u = await play({ playbook: playbook(`- debug: msg={{ item }}\n  with_url: http://127.0.0.1:9/`) });
  assert.equal(u.problems, []);
  assert.equal(u.lines, ['a debug failed']);
  assert.match(String(u.results[0].msg), /Failed lookup url for http:\/\/127\.0\.0\.1:9\/|runs through ansible-core/);
});

test("an unknown lookup() fails its task when it runs, as Ansible's \"lookup plugin (x) not found\" (templating_lookups)", async () => {
  const o = await play({
    playbook: playbook(`- set_fact:
    dict_wantlist_true: "{{ lookup('77788', wantlist=True) }}"
  ignore_errors: true
- debug: {msg: after}`, '  gather_facts: false\n'),
  });
  assert.equal(o.problems, []);
  assert.equal(o.results.map((r) => r.status), ['failed', 'ok']);
  assert.equal(o.results[0].msg, 'lookup plugin (77788) not found');
});

test("lookup('fileglob'): a pattern's files in the first place that has any (files/ first); a directory found along the search path; none is [] (lookup_fileglob)", () => {
  const files = dirWith({ 'play_adj.txt': '', 'files/play_adj_subdir.txt': '', 'files/somepath/play_adj_subsubdir.txt': '', 'files/x.conf': '', 'x.conf': '' });
  const glob = (t: string) => BUILTIN_LOOKUPS.fileglob([t], {}, files).map((f) => String(f).slice(files.baseDir.length + 1));
  assert.equal(glob('play_adj.*'), ['play_adj.txt']);
  assert.equal(glob('play_adj_subdir.*'), ['files/play_adj_subdir.txt']);
  assert.equal(glob('somepath/play_adj_subsubdir.*'), ['files/somepath/play_adj_subsubdir.txt']);
  assert.equal(glob('*.conf'), ['files/x.conf']);
  for (const seed of ['foo', 'foo/bar', 'foo/bar/baz']) assert.equal(glob(seed), []);
});

test("lookup('varnames'): the names of the task's variables each regexp finds; Ansible's errors for a non-string and a bad regexp (lookup_varnames)", () => {
  const vars: Record<string, unknown> = { qz_1: 'hello', qz_2: 'world', qa_1: "I won't show", qz_: "I won't show either", ansible_python_interpreter: '/usr/bin/python3' };
  const scope = (n: string) => (Object.hasOwn(vars, n) ? { found: true as const, value: vars[n] } : { found: false as const, names: Object.keys(vars) });
  assert.equal(evaluate("lookup('varnames', '^qz_.+', wantlist=True)", scope), ['qz_1', 'qz_2']);
  assert.equal(evaluate("lookup('varnames', '^qz_.+', '^qa.*', wantlist=True)", scope), ['qz_1', 'qz_2', 'qa_1']);
  assert.equal(evaluate("lookup('varnames', '^doesnotexist.*', '.*python_inter.*', wantlist=True)", scope), ['ansible_python_interpreter']);
  assert.equal(evaluate("lookup('varnames', '^q.*_\\d')", scope), 'qz_1,qz_2,qa_1');
  assert.match(failsEval("lookup('varnames', True, wantlist=True)", scope), 'Invalid setting identifier, "True" is not a string');
  assert.match(failsEval("lookup('varnames', '*', wantlist=True)", scope), /Unable to use "\*" as a search parameter: nothing to repeat/);
});

test("lookup('inventory_hostnames'): the hosts of a pattern (exclusion, intersection, globs) over the groups variable; one naming nothing is [] (lookup_inventory_hostnames)", () => {
  const group01 = ['test01', 'test05', 'test03', 'test02', 'test04'];
  const group02 = ['test03', 'test04', 'test200', 'test201', 'test203', 'test204'];
  const all = ['nogroup01', 'nogroup02', 'nogroup03', ...group01, ...group02.slice(2)];
  const groups = { all, ungrouped: ['nogroup01', 'nogroup02', 'nogroup03'], group01, group02 };
  const scope = (n: string) => (n === 'groups' ? { found: true as const, value: groups } : { found: false as const, names: [] });
  const hosts = (p: string) => evaluate(`lookup('inventory_hostnames', '${p}', wantlist=true)`, scope);
  assert.equal(hosts('group01'), group01);
  assert.equal(hosts('group01:!test03'), ['test01', 'test05', 'test02', 'test04']);
  assert.equal(hosts('group01:&group02'), ['test03', 'test04']);
  assert.equal(hosts('nogroup01'), ['nogroup01']);
  assert.equal(hosts('doesnotexist'), []);
  assert.equal((hosts('all') as unknown[]).length, 12);
  assert.equal(hosts('t?s?03'), ['test03']);
});

test("debug var: its template is rendered first, so lookup('vars') of a name not defined fails the task and a rescue takes it (lookup_vars)", async () => {
  const o = await play({
    playbook: playbook(`- block:
  - name: EXPECTED FAILURE - test invalid var
    debug:
      var: '{{ lookup("vars", "doesnotexist") }}'
  - fail: {msg: should not get here}
  rescue:
  - assert:
      that:
      - ansible_failed_task.name == "EXPECTED FAILURE - test invalid var"
      - '"No variable found with this name: doesnotexist" in ansible_failed_result.msg'
- block:
  - debug:
      var: '{{ lookup("vars", 42) }}'
  rescue:
  - assert: {that: ['"Invalid setting identifier, \\"42\\" is not a string" in ansible_failed_result.msg']}`, '  gather_facts: false\n'),
  });
  assert.equal(o.problems, []);
  assert.equal(o.results.map((r) => r.status), ['failed', 'ok', 'failed', 'ok']);
});

test("q('fileglob') in a role's task: the role's files/ and the play's directory along the search path; -e \"seed='x'\" is unquoted as Ansible's parse_kv (lookup_fileglob find_levels)", async () => {
  const files = { 'play_adj.txt': 'adjacent to play', 'roles/get_file/files/otherpath/in_role_subdir.txt': 'file in role subdir', 'roles/get_file/tasks/main.yml': `- debug:\n    msg: '{{ q("fileglob", seed + ".*") }}'\n  register: found\n- assert:\n    that:\n    - found['msg'][0].endswith(seed + '.txt')\n- probe: {id: "{{ q('file', found['msg'][0])[0] }}"}\n` };
  for (const [seed, text] of [['play_adj', 'adjacent to play'], ['otherpath/in_role_subdir', 'file in role subdir']]) {
    const o = await play({ playbook: `- hosts: all\n  gather_facts: false\n  roles: [get_file]\n`, files, opts: { extraVars: [`seed='${seed}'`] } });
    assert.equal(o.problems, []);
    assert.equal(calls, [`a:${text}`]);
  }
});

test("lookup('csvfile'): the column of the row whose first field is the key, csv quoting, TAB by default; the default when none; Ansible's errors (lookup_csvfile)", () => {
  const people = '# Last,First,Email,Extension\nSmith,Jane,jsmith@example.com,1234\n"German von Lastname",Demo,hello@example.com,123123\n"""The Rock"" Johnson",Dwayne,uhoh@example.com,1337\n';
  const files = dirWith({ 'files/people.csv': people, 'files/tabs.csv': 'fruit\tbananas\t30\nelectronics\ttvs\t8\n', 'files/crlf.csv': 'this file,has,crlf,line,endings\r\nansible,parses,them,just,fine\r\n', 'files/cool list of things.csv': 'maybe,i,will,work,like,i,should\n' });
  const scope = (n: string) => (n === 'playbook_dir' ? { found: true as const, value: files.baseDir } : { found: false as const, names: [] });
  assert.is(evaluate("lookup('csvfile', 'Smith', file='people.csv', delimiter=',', col=1)", scope), 'Jane');
  assert.is(evaluate("lookup('csvfile', 'German von Lastname file=people.csv delimiter=, col=1')", scope), 'Demo');
  assert.equal(evaluate("lookup('csvfile', 'electronics', 'fruit', file='tabs.csv', col=1, wantlist=True)", scope), ['tvs', 'bananas']);
  assert.is(evaluate("lookup('csvfile', 'this file file=crlf.csv delimiter=, col=2')", scope), 'crlf');
  assert.is(evaluate(`lookup('csvfile', 'maybe file="cool list of things.csv" delimiter=, col=3')`, scope), 'work');
  assert.equal(evaluate("lookup('csvfile', 'notfound file=people.csv delimiter=, col=2')", scope), []);
  assert.is(evaluate("lookup('csvfile', 'notfound file=people.csv delimiter=, col=2, default=what?')", scope), 'what?');
  assert.is(evaluate(`lookup('csvfile', '"The Rock" Johnson file=people.csv delimiter=, col=1')`, scope), 'Dwayne');
  assert.match(failsEval("lookup('csvfile', 'file=people.csv, delimiter=, col=1')", scope), 'Search key is required but was not found');
  assert.match(failsEval("lookup('csvfile', 'foo file=people.csv delimiter=, col=1 thisarg=doesnotexist')", scope), 'thisarg is not a valid option');
  assert.match(failsEval("lookup('csvfile', 'foo', file='doesnotexist', delimiter=',', col=1)", scope), 'expected str, bytes or os.PathLike object');
});

test.run();

